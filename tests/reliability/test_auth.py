"""Point 8: a 401 says the token is not valid for the store; a 403 names the kind being read
or written and the OAuth scope it needs."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import Cli, Recorder


class WrongToken(httpx.AsyncBaseTransport):
    """Sends another token than the store's: the sandbox answers 401 like the store."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["X-Auth-Token"] = "revoked-token"
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class NoScopeFor(httpx.AsyncBaseTransport):
    """A token whose API account lacks the scope for `path` (`methods` on it answer 403, which
    the scripts spec does not document). `_inner`, not `inner`: this answer is the test's,
    not the sandbox's, so the sandbox conformance guard leaves it alone."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str, methods: set[str]) -> None:
        self._inner, self.path, self.methods = inner, path, methods

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(self.path) and request.method in self.methods:
            body = {
                "status": 403,
                "title": "You don't have a required scope to access the endpoint",
                "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
            }
            return httpx.Response(403, json=body, request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def cli_with(example: Path, make: type[httpx.AsyncBaseTransport], *args: object) -> Cli:
    class Wrapped(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            return super().wrap(make(inner, *args))

    return Cli(example, Wrapped())


def test_401_says_the_token_is_not_valid_for_the_store(example: Path) -> None:
    result = cli_with(example, WrongToken)("plan")
    assert result.exit_code == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert line.startswith("Error: the access token is not valid for store local (GET /v3/")
    assert "-> 401" in line and "revoked-token" not in result.output


def test_403_on_read_names_the_kind_and_its_scope(example: Path) -> None:
    result = cli_with(example, NoScopeFor, "/v3/content/scripts", {"GET"})("plan")
    assert result.exit_code == 1
    assert (
        "Error: the access token may not read scripts in store local (GET /v3/content/scripts -> 403): "
        "its API account needs the OAuth scope store_v2_content" in result.stderr
    )


def test_403_on_write_names_the_kind_and_its_scope(example: Path) -> None:
    result = cli_with(example, NoScopeFor, "/v3/catalog/brands", {"POST"})("apply", "--auto-approve")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(
        "Error: the access token may not write brands in store local (POST /v3/catalog/brands -> 403): "
        "its API account needs the OAuth scope store_v2_products"
    )
