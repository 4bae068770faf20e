"""Batch writes the store rejects because of some of their items: find those, send the rest.

BigCommerce answers a batch write with bad items in one of these ways:
- it rejects the whole batch and names the items by request index in the error's
  `errors` keys (`PUT /catalog/products` 409/422: `{"errors": {"4.custom_url": "…"}}`);
- it rejects the whole batch with one `batch_errors` entry per bad item (`PUT
  /catalog/variants` 422 names the index in the entry's `errors` keys; price records name
  the item by the `data` it was sent with);
- it applies the good items and lists the bad ones in a 207 (categories), or in a 422 whose
  `meta` counts what it applied (promotion codes' bulk delete: `errors: [{…, "errors":
  {"2.code": "…"}}]` with `meta.success`; price-list assignments: `meta.saved_records`):
  nothing to resend, `item_messages` attributes the errors.
Price records say neither way whether the others were saved ("may include errors during
partial update"): the others are resent, which an upsert makes harmless.
When a rejection names no item (a 422 without indexes, a 404 for a product deleted since
the plan, a 413), the batch is bisected: each half is sent on its own until every bad item
is alone. Errors that are not about items (5xx, dropped connections, 401/403/429) fail the
whole batch: sending part of it again would not help.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from storeconf.errors import ApiError, StoreconfError, describe_error_body

T = TypeVar("T")

# Answers that reject a batch because of what some of its items say.
ITEM_STATUSES = frozenset({400, 404, 409, 413, 422})


class ItemError(StoreconfError):
    """One item of a batch request the store rejected, with only that item's errors."""

    def __init__(self, cause: ApiError, detail: str) -> None:
        self.cause = cause
        self.status = cause.status
        super().__init__(f"{cause.method} {cause.path} -> {cause.status}: {detail}")


def item_messages(body: Any, items: Sequence[Any]) -> dict[int, str]:
    """The errors a batch answer gives per item, by the item's index in `items`."""
    entries = [body]
    for name in ("batch_errors", "errors"):  # promotions' error body is a list of error objects
        if isinstance(body, dict) and isinstance(body.get(name), list):
            entries = body[name]
            break
    found: dict[int, list[str]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        errors = entry.get("errors") if "errors" in entry else entry.get("field_errors")
        if isinstance(errors, dict) and isinstance(errors.get("errors"), dict):
            errors = errors["errors"]  # the 207 wraps a whole error body
        by_data = _index_of_data(entry.get("data"), items)
        title = str(entry.get("title") or "")
        for index, text in _indexed(errors, by_data, len(items)):
            found.setdefault(index, []).append(text if not title else f"{title} - {text}")
    return {i: "; ".join(dict.fromkeys(texts)) for i, texts in sorted(found.items())}


def _indexed(errors: Any, by_data: int | None, count: int) -> list[tuple[int, str]]:
    out = []
    for key, text in errors.items() if isinstance(errors, dict) else []:
        head, _, rest = str(key).partition(".")
        if head.isdigit() and int(head) < count:
            out.append((int(head), f"{rest or 'item'}: {text}"))
        elif by_data is not None:
            out.append((by_data, f"{key}: {text}"))
    if not out and by_data is not None:
        out.append((by_data, describe_error_body(errors) if errors else "rejected"))
    return out


def _index_of_data(data: Any, items: Sequence[Any]) -> int | None:
    """The item a `batch_errors` entry was sent as (price records: variant_id/sku + currency)."""
    if not isinstance(data, dict) or not data:
        return None
    for index, item in enumerate(items):
        shared = [k for k in data if isinstance(item, dict) and k in item]
        if shared and all(_same(item[k], data[k]) for k in shared):
            return index
    return None


def _same(a: Any, b: Any) -> bool:
    return str(a).casefold() == str(b).casefold()


def about_items(error: BaseException) -> bool:
    """Whether the store rejected the batch because of what some items say (so a part may pass)."""
    return isinstance(error, ApiError) and error.status in ITEM_STATUSES


async def send_good_items(
    items: Sequence[T], send: Callable[[list[T]], Awaitable[Any]]
) -> dict[int, BaseException]:
    """Send `items` as one batch; if the store rejects it because of some items, send the
    others again without them. Returns the failures by index in `items` (empty: all sent)."""
    failures: dict[int, BaseException] = {}

    async def run(positions: list[int]) -> None:
        try:
            await send([items[p] for p in positions])
            return
        except Exception as exc:
            if not about_items(exc):
                failures.update((p, exc) for p in positions)
                return
            assert isinstance(exc, ApiError)
            named = item_messages(exc.body, [items[p] for p in positions])
            if named:
                failures.update((positions[i], ItemError(exc, text)) for i, text in named.items())
                rest = [p for i, p in enumerate(positions) if i not in named]
                if _others_applied(exc.body, len(named), len(positions)):
                    rest = []  # the store applied them already
            elif len(positions) > 1:  # the store does not say which: bisect
                middle = len(positions) // 2
                await run(positions[:middle])
                rest = positions[middle:]
            else:
                failures[positions[0]] = exc
                rest = []
            if rest:
                await run(rest)

    if items:
        await run(list(range(len(items))))
    return failures


def _others_applied(body: Any, failed: int, count: int) -> bool:
    """Whether the answer counts every item it does not name as applied."""
    meta = body.get("meta") if isinstance(body, dict) else None
    done = meta.get("success", meta.get("saved_records")) if isinstance(meta, dict) else None
    return isinstance(done, int) and done + failed == count


async def send_labelled(
    items: Sequence[tuple[str | Callable[[], str], T]],
    size: int,
    send: Callable[[list[T]], Awaitable[Any]],
) -> list[tuple[str, BaseException]]:
    """Send `items` `size` a request, one request at a time, each through `send_good_items`.
    Returns the labels of the items the store refused, with their errors. A failure that is
    not about items (a 5xx, a lost connection) is raised: the batch failed as a whole. A label
    may be a function, called only for a refused item (a label with the config's line may
    re-read the file: 50,000 of them cost more than the writes)."""
    refused: list[tuple[str, BaseException]] = []
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        failures = await send_good_items([item for _, item in chunk], send)
        for index, error in sorted(failures.items()):
            if not isinstance(error, ItemError) and not about_items(error):
                raise error
            label = chunk[index][0]
            refused.append((label() if callable(label) else label, error))
    return refused


class ItemsFailed(StoreconfError):
    """Nested items of one object the store refused (a price list's records, a promotion's codes),
    each named by its label (key and config FILE:LINE); the object's other items were written."""

    SHOWN = 5

    def __init__(self, failed: Sequence[tuple[str, BaseException]]) -> None:
        self.failed = list(failed)
        shown = "; ".join(f"{label}: {error}" for label, error in self.failed[: self.SHOWN])
        more = len(self.failed) - self.SHOWN
        super().__init__(shown + (f" (+{more} more)" if more > 0 else ""))
