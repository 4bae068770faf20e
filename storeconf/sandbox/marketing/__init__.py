"""Marketing: promotions and their coupon codes (`/v3/promotions`, §16 of the API notes)."""
