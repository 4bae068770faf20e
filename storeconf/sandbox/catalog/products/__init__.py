"""/v3/catalog/products and everything under it: options, variants, modifiers, media, assignments."""
