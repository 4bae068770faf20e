"""Stores that fail on purpose, and small projects to apply to them, for the reliability tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import Cli, Recorder

PROJECT = """\
version: 1
include: [*.yaml]
environments:
  local: {sandbox: .storeconf/local.db}
manage:
  products: {prune: false}
"""


def boots(count: int, price: float, *, taken_by: int | None = None, extra: str = "") -> str:
    """`count` products B01… (price `price`); product B{count+1} holds the URL /taken-url/,
    and `taken_by` (1-based) asks for it as well."""
    lines = ["products:"]
    for i in range(1, count + 2):
        lines += [f"  - sku: B{i:02d}", f"    name: Boot {i}", "    type: physical", f"    price: {price}"]
        lines.append("    weight: 1")
        if i in (count + 1, taken_by):
            lines.append("    custom_url: {url: /taken-url/}")
    return "\n".join(lines) + "\n" + extra


def boots_project(root: Path, count: int = 10) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "storeconf.yaml").write_text(PROJECT.replace("[*.yaml]", "[products.yaml]"))
    (root / "products.yaml").write_text(boots(count, 10))
    return root


@dataclass
class Timeline:
    """Every request in the order it reached the transport, and when the first one failed."""

    sent: list[str] = field(default_factory=list)
    first_failure: int | None = None

    def after_failure(self) -> list[str]:
        """Catalog requests after the first failure; apply's store lock is still released (and
        that retried) after a failure, by design, so its requests are left out."""
        late = [] if self.first_failure is None else self.sent[self.first_failure + 1 :]
        return [r for r in late if "/channels/1/metafields" not in r]


class StoreDies(httpx.AsyncBaseTransport):
    """The store goes away after `alive` requests: every later one fails to connect."""

    def __init__(self, inner: httpx.AsyncBaseTransport, alive: int, timeline: Timeline) -> None:
        self.inner, self.alive, self.timeline = inner, alive, timeline

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.timeline.sent.append(f"{request.method} {request.url.path}")
        if len(self.timeline.sent) > self.alive:
            if self.timeline.first_failure is None:
                self.timeline.first_failure = len(self.timeline.sent) - 1
            raise httpx.ConnectError("All connection attempts failed")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def dying_cli(project: Path, alive: int, timeline: Timeline) -> Cli:
    class Dying(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            return super().wrap(StoreDies(inner, alive, timeline))

    return Cli(project, Dying())


def out_of_band(project: Path, method: str, path: str, body: object) -> dict[str, object]:
    """A write made outside storeconf (another app, the control panel) to the project's sandbox."""
    import asyncio

    from storeconf.engine import EMBEDDED_STORE_HASH, EMBEDDED_TOKEN
    from storeconf.sandbox import SandboxConfig, TokenGrant, create_app

    app = create_app(
        SandboxConfig(
            db_path=str(project / ".storeconf/local.db"),
            store_hash=EMBEDDED_STORE_HASH,
            tokens={EMBEDDED_TOKEN: TokenGrant(client_id="storeconf-local")},
            enforce_rate_limit=False,
        )
    )

    async def send() -> dict[str, object]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://x") as c:
            headers = {"X-Auth-Token": EMBEDDED_TOKEN}
            r = await c.request(method, f"/stores/{EMBEDDED_STORE_HASH}{path}", json=body, headers=headers)
            assert r.status_code < 300, r.text
            return r.json() if r.content else {}

    try:
        return asyncio.run(send())
    finally:
        app.state.sandbox.close()


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line of `path` containing `text`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


class RefusesWrite(httpx.AsyncBaseTransport):
    """Answers `status` (422) to `method` requests on `path` whose body mentions `needle`."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, method: str, path: str, needle: str, status: int = 422
    ) -> None:
        self.inner, self.method, self.path, self.needle = inner, method, path, needle
        self.status = status

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if (
            request.method == self.method
            and request.url.path.endswith(self.path)
            and self.needle.encode() in request.content
        ):
            body = {
                "status": self.status,
                "title": "JSON data is missing or invalid",
                "type": "x",
                "errors": {"name": "refused"},
            }
            return httpx.Response(self.status, json=body, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def counts_of(stderr: str, *titles: str) -> list[int]:
    """The numbers in the report's `Title (N):` headings."""
    import re

    out = []
    for title in titles:
        found = re.search(rf"^{title} \((\d+)\):", stderr, re.M)
        out.append(int(found.group(1)) if found else 0)
    return out


def with_fault(make: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]) -> Recorder:
    """A recorder whose store misbehaves as `make(inner)` says (its answers are still spec-checked)."""

    class Faulty(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            return super().wrap(make(inner))

    return Faulty()


class WritesFirst(httpx.AsyncBaseTransport):
    """Another app writes to the store just before storeconf's first `trigger` request
    (`"PUT /records"`: method and path suffix): the store changed between plan and write."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, trigger: str, method: str, path: str, body: object = None
    ) -> None:
        self.inner, self.trigger, self.write = inner, trigger.split(" ", 1), (method, path, body)
        self.done = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method, suffix = self.trigger
        if not self.done and request.method == method and request.url.path.endswith(suffix):
            self.done = True
            verb, path, body = self.write
            prefix = request.url.path.split("/v3/", 1)[0]
            headers = {k: v for k, v in request.headers.items() if k.lower() in ("x-auth-token", "accept")}
            url = request.url.copy_with(path=prefix + path, query=b"")
            other = httpx.Request(verb, url, headers=headers, json=body)
            answer = await self.inner.handle_async_request(other)
            await answer.aread()
            assert answer.status_code < 300, answer.text
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
