"""`create_app`: the sandbox store as a Starlette application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Router
from starlette.types import ASGIApp

from storeconf.sandbox.catalog import brands, categories, trees
from storeconf.sandbox.catalog import metafields as catalog_metafields
from storeconf.sandbox.catalog.products import assignments, modifiers, options, products, variants
from storeconf.sandbox.catalog.products import parts as product_parts
from storeconf.sandbox.channels import channels
from storeconf.sandbox.channels import metafields as channel_metafields
from storeconf.sandbox.content import scripts
from storeconf.sandbox.core.config import SandboxConfig
from storeconf.sandbox.core.control import Sandbox
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.gateway import Gateway
from storeconf.sandbox.core.http import NOT_FOUND_TITLE, ApiError, error_body
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.customers import groups as customer_groups
from storeconf.sandbox.hooks import admin as webhook_admin
from storeconf.sandbox.hooks import webhooks
from storeconf.sandbox.marketing import codes, promotions
from storeconf.sandbox.pricing import assignments as price_list_assignments
from storeconf.sandbox.pricing import lists as price_lists
from storeconf.sandbox.pricing import records as price_records

# One line per resource module; order matters only for seeds (trees need channel 1).
RESOURCES: tuple[Resource, ...] = (
    channels.RESOURCE,
    brands.RESOURCE,
    trees.RESOURCE,
    categories.RESOURCE,
    products.RESOURCE,
    options.RESOURCE,
    variants.RESOURCE,
    assignments.RESOURCE,
    scripts.RESOURCE,
    webhooks.RESOURCE,
    webhook_admin.RESOURCE,
    product_parts.RESOURCE,
    modifiers.RESOURCE,
    catalog_metafields.RESOURCE,
    channel_metafields.RESOURCE,
    # Codes before promotions: `/v3/promotions/codes` must win over `/v3/promotions/{id}`.
    codes.RESOURCE,
    promotions.RESOURCE,
    customer_groups.RESOURCE,
    # The cross-list records and assignments paths before `/v3/pricelists/{id}`.
    price_records.RESOURCE,
    price_list_assignments.RESOURCE,
    price_lists.RESOURCE,
)


class SandboxApp(Starlette):
    """Starlette with the gateway outside its error middleware, so a fault can drop
    the connection instead of being turned into a 500."""

    def __init__(self, sandbox: Sandbox, router: Router) -> None:
        super().__init__(
            routes=[Mount("/stores/{store_hash}", app=router)],
            exception_handlers={ApiError: _api_error, HTTPException: _http_error},
            lifespan=_lifespan,
        )
        self.router.redirect_slashes = False
        self.state.sandbox = sandbox

    def build_middleware_stack(self) -> ASGIApp:
        sandbox: Sandbox = self.state.sandbox
        return Gateway(super().build_middleware_stack(), sandbox)


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A sandbox store; `app.state.sandbox` is its `Sandbox` control object."""
    config = config or SandboxConfig()
    seeds = {resource.name: resource.seed for resource in RESOURCES if resource.seed is not None}
    db = StoreDb(config.db_path, [resource.schema for resource in RESOURCES], seeds)
    routes = [route for resource in RESOURCES for route in resource.routes]
    caps = [cap for resource in RESOURCES for cap in resource.caps]
    return SandboxApp(Sandbox(config, db, caps), Router(routes, redirect_slashes=False))


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    yield
    sandbox: Sandbox = app.state.sandbox
    sandbox.close()


def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


def _http_error(request: Request, exc: Exception) -> Response:
    # Unknown routes and wrong methods, answered in the v3 error shape.
    assert isinstance(exc, HTTPException)
    title = NOT_FOUND_TITLE if exc.status_code == 404 else exc.detail
    return JSONResponse(error_body(exc.status_code, title), status_code=exc.status_code, headers=exc.headers)
