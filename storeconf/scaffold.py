"""`storeconf init`: a small project that validates, plans and applies against the embedded sandbox."""

from __future__ import annotations

from pathlib import Path

from storeconf.schema_files import SCHEMA_DIR, schema_line, write_schemas

FILES: dict[str, str] = {
    "storeconf.yaml": """\
# storeconf project file. Docs: https://github.com/storeconf/storeconf#readme
version: 1
include:
  - catalog/*.yaml
  - storefront/*.yaml
environments:
  local:                                   # the embedded sandbox: no credentials needed
    sandbox: .storeconf/local.db
  # production:
  #   store_hash: abc123                   # from your store's API path
  #   access_token: ${env:BC_ACCESS_TOKEN} # a store-level API account's token
manage:
  brands: {prune: true}
  categories: {prune: true}
  scripts: {prune: true}
  webhooks: {prune: true}
""",
    "catalog/brands.yaml": """\
brands:
  - name: Example Brand
    page_title: Example Brand gear
""",
    "catalog/categories.yaml": """\
categories:
  - name: Shop
    children:
      - name: New Arrivals
        sort_order: 1
""",
    "storefront/scripts.yaml": """\
scripts:
  - name: Example analytics
    kind: src
    src: https://cdn.example.com/analytics.js
    location: head
    visibility: storefront
    consent_category: analytics
""",
    "storefront/webhooks.yaml": """\
webhooks:
  - scope: store/order/created
    destination: https://hooks.example.com/orders
""",
    ".gitignore": ".storeconf/\n",
}


def write_scaffold(directory: Path, *, force: bool = False) -> list[Path]:
    """Write the scaffold files, each YAML file pointing at the schemas/ written with them;
    refuses to overwrite unless `force`."""
    targets = [directory / rel for rel in FILES]
    if not force:
        for path in targets:
            if path.exists():
                raise FileExistsError(str(path))
    for path, body in zip(targets, FILES.values(), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(schema_line(path, directory) + body if path.suffix == ".yaml" else body)
    return [*targets, *write_schemas(directory / SCHEMA_DIR)]
