"""/v3/catalog: brands, category trees and categories, products."""
