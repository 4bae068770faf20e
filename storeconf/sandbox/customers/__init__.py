"""/v2/customer_groups: customer groups (the only part of the customers API storeconf uses)."""
