"""Brand, category and product metafields (`/v3/catalog/{brands,categories,products}/…/metafields`)."""

from __future__ import annotations

from storeconf.sandbox.core import metafields
from storeconf.sandbox.core.metafields import Owner

OWNERS = (
    Owner("brand", "/v3/catalog/brands", "brand_id", "brands"),
    Owner("category", "/v3/catalog/categories", "category_id", "categories"),
    Owner("product", "/v3/catalog/products", "product_id", "products"),
)

# This resource creates the metafields table every owner shares (channels' too).
RESOURCE = metafields.resource("catalog_metafields", OWNERS, schema=metafields.SCHEMA)
