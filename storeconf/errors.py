"""Every error storeconf raises on purpose, under one root.

    StoreconfError
    ├── ConfigError          bad project or resource files; carries every problem found
    ├── ApiError             the store answered with an error (status + body, never the token)
    │   └── RateLimited      429 after the retries ran out
    ├── TransportError       the store could not be reached (connection, timeout)
    │   └── Unreachable      no connection opened: the request was never sent
    │       └── StoreUnreachable  refused / unknown host before the store ever answered: final
    ├── PlanError            a plan cannot be built or must not be applied
    │   ├── UnsafePlanError  too many deletes without --allow-deletes
    │   └── StalePlanError   a saved plan no longer matches config or live store
    ├── ApplyError           one or more changes failed during apply
    └── ApplyCancelled       the user did not confirm

The CLI maps the root to exit code 1 and a readable message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class StoreconfError(Exception):
    """Root of every error storeconf raises deliberately."""


@dataclass(frozen=True)
class Location:
    """A place in a YAML file, 1-based like editors show it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One config problem, rendered compiler-style: `FILE:LINE:COL: message`."""

    location: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ConfigError(StoreconfError):
    """The configuration is invalid; `problems` lists every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=_problem_order))
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(p: Problem) -> tuple[str, int, int, str]:
    loc = p.location
    return (loc.file, loc.line, loc.column, p.message) if loc else ("", 0, 0, p.message)


class ApiError(StoreconfError):
    """The API answered with an error status. The message never contains credentials."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.body = body
        super().__init__(f"{method} {path} -> {status}: {describe_error_body(body)}")


class RateLimited(ApiError):
    """429 answers kept coming after every retry."""


class TransportError(StoreconfError):
    """The store could not be reached at all."""


class Unreachable(TransportError):
    """No connection could be opened: unlike a dropped one, the request never reached the store."""


class StoreUnreachable(Unreachable):
    """No connection could be opened to a store that never answered: a wrong URL, or no server."""


class PlanError(StoreconfError):
    """A plan could not be built, or must not be applied."""


class UnsafePlanError(PlanError):
    """The plan deletes more than the safety threshold allows."""


class StalePlanError(PlanError):
    """A saved plan no longer matches the configuration or the live store."""


class ApplyError(StoreconfError):
    """Apply stopped after a failure; the report says what was and was not done."""

    def __init__(self, message: str, report: Any = None) -> None:
        self.report = report
        super().__init__(message)


class ApplyCancelled(StoreconfError):
    """Apply asked for confirmation and did not get `yes`: nothing was changed."""


def may_have_applied(error: BaseException | None) -> bool:
    """Whether a failed write may still have been applied on the server: its answer was lost
    (a dropped connection, a timeout) or the server failed part way (5xx)."""
    if isinstance(error, Unreachable):  # no connection, so the request never reached the store
        return False
    return isinstance(error, TransportError) or (isinstance(error, ApiError) and error.status >= 500)


def describe_error_body(body: Any) -> str:
    """One line from a BigCommerce error body: its title plus per-field errors."""
    if isinstance(body, dict) and isinstance(body.get("batch_errors"), list):
        # Price-list and variant batch 422: [{"data": {...}, "field_errors": {...}}, ...]
        items = [e.get("field_errors") or e for e in body["batch_errors"] if isinstance(e, dict)]
        return "; ".join(", ".join(f"{k}: {v}" for k, v in i.items()) for i in items) or str(body)
    if isinstance(body, dict):
        inner = body.get("errors")
        title = body.get("title") or body.get("message") or ""
        if isinstance(body.get("error"), dict):  # price-list 503 shape
            title = body["error"].get("message", title)
        parts = [str(title)] if title else []
        if isinstance(inner, dict) and inner:
            nested: dict[Any, Any] = inner["errors"] if isinstance(inner.get("errors"), dict) else inner
            parts.append("; ".join(f"{k}: {v}" for k, v in nested.items() if not isinstance(v, dict | list)))
        elif isinstance(inner, list) and inner:
            parts.append("; ".join(describe_error_body(e) for e in inner))
        if body.get("detail"):
            parts.append(str(body["detail"]))
        text = " - ".join(p for p in parts if p)
        return text or str(body)
    if body is None or body == "":
        return "(empty body)"
    return str(body)[:500]
