"""The promotions API's own error shapes (§16.6), unlike the v3 catalog's `{status, title, ...}`:

- 404/422: `{"errors": [{status, title, type}, ...]}`, one item per problem;
- bulk DELETE 422: the same array plus `meta {total, success, failed}`, per-item errors
  keyed `"<index>.<field>"` inside the one item;
- 400: `{status, title, type, detail}` and 403/405: `{status, title, error}`, with
  `status` a *string*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storeconf.sandbox.core.http import STATUS_CODES_URL, ApiError, batch_meta


def item(status: int, title: str) -> dict[str, object]:
    return {"status": status, "title": title, "type": STATUS_CODES_URL}


def errors(status: int, titles: Iterable[str]) -> ApiError:
    return ApiError(status, {"errors": [item(status, t) for t in titles]})


def unprocessable(*titles: str) -> ApiError:
    return errors(422, titles)


def promotion_not_found() -> ApiError:
    return errors(404, ["Promotion not found."])


def malformed() -> ApiError:
    body = {"status": "400", "title": "Input is invalid", "type": STATUS_CODES_URL, "detail": "Syntax error"}
    return ApiError(400, body)


def not_allowed(reason: str) -> ApiError:
    return ApiError(405, {"status": "405", "title": "Method Not Allowed", "error": reason})


def bulk_failed(per_item: Mapping[str, str], total: int, success: int) -> ApiError:
    error = {**item(422, "Errors occurred in bulk delete action."), "errors": dict(per_item)}
    return ApiError(422, {"errors": [error], "meta": batch_meta(total, success)})


def bulk_param_missing(name: str = "id:in") -> ApiError:
    return ApiError(422, {"errors": [item(422, f"Parameter {name} is required")], "meta": batch_meta(0, 0)})
