"""/v3/content: storefront scripts."""
