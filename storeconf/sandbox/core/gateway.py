"""The API gateway in front of the routes: latency, faults, store hash, auth, rate
limit and the request log. It wraps the whole Starlette stack so that a dropped
connection is raised past Starlette's own 500 handling."""

from __future__ import annotations

import asyncio
import re
from http import HTTPStatus
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storeconf.sandbox.core.config import TokenGrant
from storeconf.sandbox.core.control import RequestRecord, Sandbox
from storeconf.sandbox.core.faults import ConnectionDropped, FaultRule
from storeconf.sandbox.core.http import NOT_FOUND_TITLE, STATUS_CODES_PATH, error_body
from storeconf.sandbox.core.ratelimit import RateState

_STORE_PATH = re.compile(r"^/stores/(?P<store_hash>[^/]+)(?:/|$)")
_READ_METHODS = frozenset({"GET", "HEAD"})

# Verbatim from the webhooks spec; the sandbox answers every endpoint with it.
UNAUTHORIZED_TITLE = (
    "Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store."
)
FORBIDDEN_TITLE = "Unauthorized Access. You do not have permission to make this request."
TOO_MANY_REQUESTS_TITLE = "Too many requests"


class Gateway:
    """Decides, before any route runs, whether a request is answered by the store at all."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The concurrency slot is held from arrival, latency included (see core.concurrency).
        cap, within = self.sandbox.concurrency.enter(scope["method"], scope["path"])
        scope["storeconf.over_cap"] = not within
        try:
            await self._call(scope, receive, send)
        finally:
            self.sandbox.concurrency.leave(cap)

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.sandbox.config.latency_ms > 0:
            await asyncio.sleep(self.sandbox.config.latency_ms / 1000)
        grant = self.sandbox.grant_for(Headers(scope=scope).get("x-auth-token"))
        status: list[int] = []

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self._dispatch(scope, receive, recording_send, grant)
        finally:
            self._record(scope, status[0] if status else None, grant)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send, grant: TokenGrant | None) -> None:
        fault = self.sandbox.faults.pick(scope["method"], scope["path"])
        if fault is None:
            await self._answer(scope, receive, send, grant)
        elif fault.kind == "drop_after":
            # The store does the work, then the answer is lost: what a client must
            # reconcile before retrying a create.
            await self._answer(scope, receive, _discard, grant)
            raise ConnectionDropped(f"sandbox fault: dropped the answer to {scope['method']} {scope['path']}")
        else:
            await self._fault(fault, scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, grant: TokenGrant | None) -> None:
        # Authenticate, then meter, then authorise: requests without a valid token spend
        # no quota, read-only refusals do.
        limiter = self.sandbox.rate_limiter
        match = _STORE_PATH.match(scope["path"])
        if match is None or match["store_hash"] != self.sandbox.config.store_hash:
            await _reply(scope, receive, send, error_body(404, NOT_FOUND_TITLE), limiter.peek())
            return
        if grant is None:
            body = error_body(401, UNAUTHORIZED_TITLE, type_=STATUS_CODES_PATH)
            await _reply(scope, receive, send, body, limiter.peek())
            return
        allowed, state = limiter.consume()
        if not allowed or scope.get("storeconf.over_cap"):
            body = error_body(429, TOO_MANY_REQUESTS_TITLE, type_=STATUS_CODES_PATH, errors={})
            await _reply(scope, receive, send, body, state, _retry_after(state))
            return
        if grant.read_only and scope["method"] not in _READ_METHODS:
            body = error_body(403, FORBIDDEN_TITLE, type_=STATUS_CODES_PATH)
            await _reply(scope, receive, send, body, state)
            return
        scope["storeconf.client_id"] = grant.client_id
        await self.app(scope, receive, _with_headers(send, state.headers()))

    async def _fault(self, fault: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind == "drop":
            raise ConnectionDropped(f"sandbox fault: dropped {scope['method']} {scope['path']}")
        state = self.sandbox.rate_limiter.peek()
        body = fault.body if fault.body is not None else _fault_body(fault.status)
        extra = _retry_after(state) if fault.status == 429 else {}
        await _reply(scope, receive, send, body, state, {**extra, **fault.headers}, status=fault.status)

    def _record(self, scope: Scope, status: int | None, grant: TokenGrant | None) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        record = RequestRecord(
            scope["method"], scope["path"], query, status, grant.client_id if grant else None
        )
        self.sandbox.request_log.append(record)


async def _discard(message: Message) -> None:
    return None


def _fault_body(status: int) -> dict[str, Any]:
    if status == 429:
        return error_body(429, TOO_MANY_REQUESTS_TITLE, type_=STATUS_CODES_PATH, errors={})
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Sandbox fault"
    return error_body(status, title)


def _retry_after(state: RateState) -> dict[str, str]:
    return {"X-Retry-After": str(state.retry_after_seconds())}


async def _reply(
    scope: Scope,
    receive: Receive,
    send: Send,
    body: Any,
    state: RateState,
    extra: dict[str, str] | None = None,
    *,
    status: int | None = None,
) -> None:
    code = status if status is not None else int(body["status"])
    response = JSONResponse(body, status_code=code, headers={**state.headers(), **(extra or {})})
    await response(scope, receive, send)


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            mutable = MutableHeaders(scope=message)
            for name, value in headers.items():
                mutable.append(name, value)
        await send(message)

    return sender
