"""What a 401 or 403 means for the user: which store refused the token, which kind was being
read or written, and which OAuth scope the store-level API account needs (README table).

The raw answer (`GET /v3/content/scripts -> 403: You don't have a required scope …`) names
neither the kind nor the scope, and a 401 is about the token, not the request.
"""

from __future__ import annotations

from typing import Any

from storeconf.errors import ApiError, StoreconfError


class AccessDenied(StoreconfError):
    """The store refused the token (401) or the token's scopes (403)."""

    def __init__(self, message: str, cause: ApiError) -> None:
        self.status = cause.status
        self.cause = cause
        super().__init__(message)


def explain(error: BaseException, kind: Any, store: str, *, writing: bool) -> BaseException:
    """`error` reworded when it is a 401 or 403 (anything else is returned as it is).

    `kind` is the resource kind (its `name` and `scopes`); `store` names the store."""
    if not isinstance(error, ApiError) or error.status not in (401, 403):
        return error
    request = f"{error.method} {error.path} -> {error.status}"
    if error.status == 401:
        return AccessDenied(
            f"the access token is not valid for {store} ({request}): check the environment's "
            "access_token (a revoked or mistyped token, or one of another store)",
            error,
        )
    verb = "write" if writing else "read"
    scope = getattr(kind, "scopes", "") or "see the README's scope table"
    return AccessDenied(
        f"the access token may not {verb} {kind.name} in {store} ({request}): its API account "
        f"needs the OAuth scope {scope} (README: Pointing storeconf at a real store)",
        error,
    )
