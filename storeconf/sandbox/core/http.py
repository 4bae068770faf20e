"""Request and response conventions shared by every resource: error bodies, v3
envelopes, pagination meta and links, JSON bodies and field selection."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storeconf.sandbox.core import inputs

if TYPE_CHECKING:
    from storeconf.sandbox.core.control import Sandbox

# Catalog and scripts errors carry the absolute docs URL; the webhooks spec and
# the verbatim 413/429 examples carry the relative one.
STATUS_CODES_URL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
STATUS_CODES_PATH = "/api-docs/getting-started/api-status-codes"

INVALID_JSON_TITLE = "JSON data is missing or invalid"
NOT_FOUND_TITLE = "The resource was not found."
DEFAULT_PAGE_LIMIT = 50


def error_body(
    status: int,
    title: str,
    *,
    errors: Mapping[str, Any] | None = None,
    type_: str = STATUS_CODES_URL,
    instance: str | None = None,
) -> dict[str, Any]:
    """The BigCommerce v3 error shape: status, title, type, then optional instance/errors."""
    body: dict[str, Any] = {"status": status, "title": title, "type": type_}
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = dict(errors)
    return body


class ApiError(Exception):
    """Raised by handlers; the app renders `body` as JSON with `status`."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    @classmethod
    def of(
        cls,
        status: int,
        title: str,
        *,
        errors: Mapping[str, Any] | None = None,
        type_: str = STATUS_CODES_URL,
    ) -> ApiError:
        return cls(status, error_body(status, title, errors=errors, type_=type_))


def not_found(title: str = NOT_FOUND_TITLE) -> ApiError:
    return ApiError.of(404, title)


def invalid(errors: Mapping[str, str], title: str = INVALID_JSON_TITLE) -> ApiError:
    return ApiError.of(422, title, errors=errors)


def unreadable_json() -> ApiError:
    """The product endpoints answer a body that is not JSON with a 422 and no field errors,
    where most endpoints answer `bad_request`."""
    return invalid({})


def bad_request() -> ApiError:
    body = error_body(400, "Input is invalid")
    body["detail"] = "Syntax error"
    return ApiError(400, body)


def batch_meta(total: int, success: int) -> dict[str, int]:
    return {"total": total, "success": success, "failed": total - success}


def wrapped(error: ApiError, total: int = 0, success: int = 0) -> ApiError:
    """The category-tree endpoints nest the error object: `{"errors": {status, title, type,
    errors}, "meta": {total, success, failed}}`."""
    inner = dict(error.body)
    inner.setdefault("errors", {})
    return ApiError(error.status, {"errors": inner, "meta": batch_meta(total, success)}, error.headers)


Handler = Callable[[Request], Awaitable[Response]]


def nested_422(handler: Handler) -> Handler:
    """For endpoints whose spec nests the 422 error object (see `wrapped`)."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            if error.status != 422 or "meta" in error.body:
                raise
            raise wrapped(error) from None

    return run


def route(path: str, **handlers: Handler) -> Route:
    """One route per path with a handler per method, so a wrong method gets a 405
    whose `Allow` header lists every method the path supports."""
    methods = {name.upper(): handler for name, handler in handlers.items()}

    async def dispatch(request: Request) -> Response:
        # Starlette routes HEAD wherever GET is allowed.
        handler = methods.get(request.method) or methods["GET"]
        return await handler(request)

    return Route(path, dispatch, methods=list(methods))


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def client_id_of(request: Request) -> str:
    """The API account behind the request's token (set by the gateway after auth)."""
    client_id: str = request.scope["storeconf.client_id"]
    return client_id


class RawJson:
    """A part of a response body that SQLite has already written as JSON text: it goes into
    the body as it is. Nothing inspects it: anything that filters or reads a part gets dicts."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _fragment(value: Any) -> orjson.Fragment:
    if isinstance(value, RawJson):
        return orjson.Fragment(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _parsed(value: Any) -> Any:
    if isinstance(value, RawJson):
        return json.loads(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class _Json(JSONResponse):
    """Rendered by orjson: a 250-product page with its includes (~1.3 MB) in ~3 ms instead of
    ~17 ms. Anything orjson cannot write (an int past 64 bits) is rendered as Starlette does,
    with the `RawJson` parts read back by Python's json (which keeps such ints)."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, default=_fragment, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            text = json.dumps(
                content, default=_parsed, ensure_ascii=False, allow_nan=False, separators=(",", ":")
            )
            return text.encode("utf-8")


def ok(body: Any, status: int = 200) -> JSONResponse:
    return _Json(body, status_code=status)


def single(data: Any) -> JSONResponse:
    return ok({"data": data, "meta": {}})


def no_content() -> Response:
    return Response(status_code=204)


async def read_json(request: Request, on_error: Callable[[], ApiError] = bad_request) -> Any:
    """The JSON body, or the endpoint's answer to a body that is not JSON. Every body goes
    through here, so the strict rules of `inputs.loads` (no NaN/Infinity, no lone surrogates,
    64-bit integers) hold for every endpoint."""
    raw = await request.body()
    try:
        return inputs.loads(raw)
    except ValueError:
        raise on_error() from None


async def read_object(request: Request, on_error: Callable[[], ApiError] = bad_request) -> dict[str, Any]:
    body = await read_json(request, on_error)
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"})
    return body


@dataclass(frozen=True)
class Page:
    number: int
    limit: int

    @property
    def offset(self) -> int:
        # A page far past the end is empty; clamp so SQLite's 64-bit OFFSET cannot overflow.
        return min((self.number - 1) * self.limit, inputs.INT64_MAX)


def query_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    return parse_int(name, raw)


def parse_int(name: str, raw: str) -> int:
    """A query integer. Every integer filter and `page`/`limit` come through here, so a value
    beyond SQLite's 64-bit range is refused here like any other value that is not an integer
    (Java's parser, whose wording `invalid_query` borrows, refuses it the same way)."""
    try:
        value = int(raw.strip())
    except ValueError:
        raise invalid_query(name, "integer", raw) from None
    if not inputs.fits_int64(value):
        raise invalid_query(name, "integer", raw)
    return value


def invalid_query(name: str, expected: str, raw: str) -> ApiError:
    # Wording from the channels spec's 422 example for a bad query value.
    title = f'Query parameter "{name}" value must be {expected}. For input string: "{raw}".'
    return ApiError.of(422, title, errors={})


def page_of(request: Request, default_limit: int = DEFAULT_PAGE_LIMIT) -> Page:
    """`page`/`limit` from the query; a limit above the store's maximum is a 413."""
    maximum = sandbox_of(request).config.max_page_limit
    number = _positive(request, "page", 1)
    limit = _positive(request, "limit", default_limit)
    if limit > maximum:
        title = f"The limit parameter exceeded the maximum of {maximum} items per page."
        raise ApiError.of(413, title, errors={})
    return Page(number, limit)


def _positive(request: Request, name: str, default: int) -> int:
    value = query_int(request, name)
    if value is None:
        return default
    if value < 1:
        raise invalid_query(name, "a positive integer", str(value))
    return value


def pagination(request: Request, page: Page, total: int, count: int) -> dict[str, Any]:
    total_pages = math.ceil(total / page.limit)
    links: dict[str, str] = {}
    if page.number > 1:
        links["previous"] = _page_link(request, page.number - 1, page.limit)
    links["current"] = _page_link(request, page.number, page.limit)
    if page.number < total_pages:
        links["next"] = _page_link(request, page.number + 1, page.limit)
    return {
        "total": total,
        "count": count,
        "per_page": page.limit,
        "current_page": page.number,
        "total_pages": total_pages,
        "links": links,
    }


def _page_link(request: Request, number: int, limit: int) -> str:
    # Keep the caller's filters so following `next` walks the same result set.
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "limit")]
    pairs += [("page", str(number)), ("limit", str(limit))]
    return "?" + urlencode(pairs, safe=":,")


def collection(request: Request, items: Sequence[Any], total: int, page: Page) -> JSONResponse:
    meta = {"pagination": pagination(request, page, total, len(items))}
    return ok({"data": list(items), "meta": meta})


def comma_list(request: Request, name: str) -> list[str] | None:
    """A `style: form, explode: false` array; repeated keys are accepted too."""
    raw = request.query_params.getlist(name)
    if not raw:
        return None
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def select_fields(request: Request, item: dict[str, Any], id_field: str) -> dict[str, Any]:
    """Apply `include_fields` (id plus the listed fields) and `exclude_fields` (never the id)."""
    include = comma_list(request, "include_fields")
    exclude = comma_list(request, "exclude_fields")
    if include:
        wanted = {id_field, *include}
        item = {k: v for k, v in item.items() if k in wanted}
    if exclude:
        dropped = set(exclude) - {id_field}
        item = {k: v for k, v in item.items() if k not in dropped}
    return item
