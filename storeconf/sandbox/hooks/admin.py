"""Webhooks admin: `/v3/hooks/admin`, the calling API account's notification emails.

BigCommerce mails these addresses when it denylists a destination or deactivates
a hook. Like the hooks themselves, the settings belong to the API account behind
the token. Error bodies are the webhooks spec's (see `webhooks`); item errors are
keyed `emails[i]` with Play-JSON's codes (`error.email` is its email `Reads`).

The sandbox delivers no callbacks, so it never denylists a domain (`blocked_domains`
is always empty) or deactivates a hook on its own: a hook is `active` or `inactive`
as its `is_active` says.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.db import dump_doc, load_doc
from storeconf.sandbox.core.http import client_id_of, no_content, read_json, route, sandbox_of, single
from storeconf.sandbox.core.query import Filter, owned_where
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.hooks.webhooks import MISSING, malformed, to_api, unprocessable

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_admin (
    client_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
"""

# The WHATWG (HTML5) address syntax, which Play-JSON's `Reads.email` checks.
EMAIL = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)
_ACTIVE = (Filter("is_active", "is_active", "bool"),)


async def get_admin(request: Request) -> Response:
    db = sandbox_of(request).db
    row = db.query_one("SELECT doc FROM webhook_admin WHERE client_id = ?", [client_id_of(request)])
    where = owned_where(request, _ACTIVE)
    hooks = db.query(f"SELECT * FROM webhooks{where.sql()} ORDER BY id", where.params)
    return single(
        {
            "emails": load_doc(row["doc"])["emails"] if row else [],
            "hooks_list": [_listed(to_api(hook)) for hook in hooks],
            "blocked_domains": [],
        }
    )


async def put_admin(request: Request) -> Response:
    """An upsert: the first PUT creates the account's settings, later ones replace the list."""
    body = await read_json(request, malformed)
    emails = _emails(body)
    db = sandbox_of(request).db
    with db.tx():
        db.execute(
            "INSERT INTO webhook_admin (client_id, doc) VALUES (?, ?) "
            "ON CONFLICT (client_id) DO UPDATE SET doc = excluded.doc",
            [client_id_of(request), dump_doc({"emails": emails})],
        )
    return no_content()


def _emails(body: Any) -> list[str]:
    if not isinstance(body, dict):
        raise unprocessable({"body": "error.expected.jsobject"})
    if "emails" not in body:
        raise unprocessable({"emails": MISSING})
    emails = body["emails"]
    if not isinstance(emails, list):
        raise unprocessable({"emails": "error.expected.jsarray"})
    errors = {f"emails[{i}]": problem for i, email in enumerate(emails) if (problem := _problem(email))}
    if errors:
        raise unprocessable(errors)
    return emails


def _problem(email: Any) -> str | None:
    if not isinstance(email, str):
        return "error.expected.jsstring"
    return None if EMAIL.match(email) else "error.email"


def _listed(hook: dict[str, Any]) -> dict[str, Any]:
    return {**hook, "status": "active" if hook["is_active"] else "inactive"}


RESOURCE = Resource(
    name="webhook_admin",
    schema=SCHEMA,
    routes=[route("/v3/hooks/admin", get=get_admin, put=put_admin)],
)
