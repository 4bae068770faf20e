"""/v3/pricelists: price lists, their records (prices per variant and currency) and assignments."""
