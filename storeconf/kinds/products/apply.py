"""Applying a group of product changes (one action) through the API's batch endpoints.

Requests for a group of K changes:
- create: one `POST /catalog/products` per product (`concurrency` at a time) that embeds
  variants, images, videos, custom fields and bulk pricing rules; then only what a create
  cannot embed: for products whose variants made the API create their options,
  ceil(P/10) `GET /catalog/products?id:in=…&include=options` for the P such products (the
  options the API made, read back because the docs disagree on the type it gives them;
  plus a PUT per option whose type or value order differs, a POST per value no variant
  uses), or one POST per option when there are no variants; one POST per modifier.
- update: ceil(K'/10) `PUT /catalog/products` for the K' products whose own fields changed
  (preceded by one more batch when products trade SKUs or names: `_swap_moves`);
  one request per changed nested item (a changed option: its new values, then one PUT);
  ceil(V/50) `PUT /catalog/variants` for the V variant creates and updates of the whole group
  (a batch whose answer is lost is reconciled, not blindly resent: `variant_batch`).
- delete: ceil(K/250) `DELETE /catalog/products?id:in=…`.
- channel assignments of the whole group (create and update): ceil(A/50) PUTs for A new
  assignments and one DELETE per channel losing products (per 250 products), sequentially,
  as the API asks for assignment requests.

A failure fails only the product it belongs to: a batch request the store rejects because
of some items is sent again without them (`storeconf.batch`), so only the products whose
items were bad fail; a batch that fails as a whole (5xx, lost connection) fails every product
in it. Once the apply's halt is tripped (`storeconf.stop`), a product that has not sent its
first request does not start. Nothing raises out of here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from storeconf.batch import send_good_items
from storeconf.client import StoreClient
from storeconf.errors import ApiError, StoreconfError
from storeconf.kinds.base import Context, Outcome, changed_fields
from storeconf.kinds.products import payloads, read
from storeconf.kinds.products.nested import Job, Nested, needs_live
from storeconf.kinds.products.payloads import Refs
from storeconf.kinds.products.variant_batch import put_variants
from storeconf.plan import Action, Change

PRODUCTS = read.PRODUCTS
ASSIGNMENTS = "/v3/catalog/products/channel-assignments"
PRODUCT_BATCH = 10  # PUT /catalog/products (413 above)
VARIANT_BATCH = 50  # PUT /catalog/variants (413 above)
DELETE_BATCH = 250  # DELETE /catalog/products?id:in=
ASSIGNMENT_BATCH = 50  # the API states no cap for channel assignments: stay modest
DEFAULT_CHANNEL = 1

T = TypeVar("T")


class CreateIncomplete(StoreconfError):
    """The product was created but a follow-up write failed. Not a transport error on purpose:
    the applier must not re-read and call the create done, nor retry it."""

    def __init__(self, key: str, product_id: int, cause: BaseException) -> None:
        self.product_id = product_id
        super().__init__(f"product {key!r} was created (id {product_id}), but: {cause}")
        self.__cause__ = cause


class Writer:
    """Applies one group of product changes; see the module docstring for what it sends."""

    def __init__(self, client: StoreClient, ctx: Context, concurrency: int) -> None:
        self.client = client
        self.ctx = ctx
        self.refs = Refs(ctx)
        manage = ctx.manage.get("products")
        self.nested = Nested(client, manage.ignore if manage else frozenset())
        self.concurrency = concurrency
        self.started: set[int] = set()  # id() of the jobs that sent a request

    async def apply(self, changes: Sequence[Change]) -> list[Outcome]:
        """Outcomes in the order of `changes`. The applier sends one action per group; a mixed
        group runs deletes, then updates, then creates, so a create can reuse a freed SKU."""
        by_action = {a: [c for c in changes if c.action is a] for a in Action}
        results: dict[int, Outcome] = {}
        for action, run in (
            (Action.DELETE, self.delete),
            (Action.UPDATE, self.update),
            (Action.CREATE, self.create),
        ):
            if by_action[action]:
                results.update({id(o.change): o for o in await run(by_action[action])})
        return [results[id(c)] for c in changes]

    # ---- create -----------------------------------------------------------------------------

    async def create(self, changes: list[Change]) -> list[Outcome]:
        jobs = await self._bounded(changes, self._post_one)
        made = await self._options_made([j for j in jobs if j.error is None and _makes_options(j.change)])
        await self._bounded([j for j in jobs if j.error is None], lambda j: self._after_create(j, made))
        done = [j for j in jobs if j.error is None]
        await self._channels(done, lambda j: _created_channels(j.change))
        return [Outcome(j.change, _create_error(j), j.product_id or None) for j in jobs]

    async def _post_one(self, change: Change) -> Job:
        job = Job(change, 0)
        if not self._begin(job):
            return job
        try:
            resp = await self.client.request(
                "POST", PRODUCTS, json=payloads.create_body(change.fields, self.refs)
            )
        except Exception as exc:  # reported on the change; the applier decides what to stop
            self._fail(job, exc)
            return job
        job.product_id = int(resp.data["id"])
        self._remember_variants(resp.data.get("variants") or [])
        return job

    async def _options_made(self, jobs: list[Job]) -> dict[int, dict[str, dict[str, Any]]]:
        """The options the API created from new products' variants, by product id and name:
        ten products a request (a failed request fails its products, as incomplete creates)."""
        chunks = [jobs[i : i + read.CHOICES_PAGE] for i in range(0, len(jobs), read.CHOICES_PAGE)]
        sem = asyncio.Semaphore(self.concurrency)

        async def one(chunk: list[Job]) -> list[dict[str, Any]]:
            async with sem:
                try:
                    return await read.choices_page(self.client, [j.product_id for j in chunk])
                except Exception as exc:
                    for job in chunk:
                        job.error = exc
                    return []

        pages = await asyncio.gather(*(one(c) for c in chunks))
        return {
            p["id"]: {str(o["display_name"]): read.option(o) for o in p["options"]}
            for page in pages
            for p in page
        }

    async def _after_create(self, job: Job, made: dict[int, dict[str, dict[str, Any]]]) -> Job:
        """What a product POST cannot embed: option types, unused values and order; modifiers."""
        fields = job.change.fields
        try:
            live = made.get(job.product_id, {})
            for want in fields.get("options") or []:
                await self.nested.sync_option(job, want, live.get(want["name"]))
            for modifier in fields.get("modifiers") or []:
                await self.nested.sync_modifier(job, modifier, None)
        except Exception as exc:
            self._fail(job, exc)
        return job

    # ---- update -----------------------------------------------------------------------------

    async def update(self, changes: list[Change]) -> list[Outcome]:
        jobs = [Job(c, int(c.live_id)) for c in changes]
        await self._bounded(jobs, self._load_live)
        await self._put_products([j for j in jobs if j.error is None])
        await self._bounded([j for j in jobs if j.error is None], self._write_nested)
        await self._put_variants([j for j in jobs if j.error is None])
        await self._bounded([j for j in jobs if j.error is None], self._cleanup)
        await self._channels([j for j in jobs if j.error is None], _changed_channels)
        return [Outcome(j.change, j.error, j.product_id) for j in jobs]

    async def _load_live(self, job: Job) -> Job:
        if needs_live(job.change) and self._begin(job):
            try:
                await self._live(job)
            except Exception as exc:
                self._fail(job, exc)
        return job

    async def _live(self, job: Job) -> None:
        """The live product from the read this plan came from, or fetched if it is not there."""
        found = (self.ctx.extra.get(read.LIVE) or {}).get(job.product_id)
        if found is not None:
            job.live, raw = found.fields, found.raw
        else:
            params = {"include": f"{read.BASE_INCLUDE},options,modifiers"}
            raw = (await self.client.request("GET", job.path, params=params)).data
            job.live = read.normalise(raw, read.Resolver(self.ctx))
        job.keep_categories = [
            c for c in raw.get("categories") or [] if ("categories", c) not in self.ctx.keys
        ]

    async def _put_products(self, jobs: list[Job]) -> None:
        batch: list[tuple[Job, dict[str, Any]]] = []
        for job in jobs:
            fields = {k: v for k, v in changed_fields(job.change).items() if k != "channels"}
            if not fields:
                continue
            try:
                batch.append((job, {"id": job.product_id, **self._body(job, fields)}))
            except Exception as exc:  # an unresolvable reference fails this product only
                self._fail(job, exc)
        if moves := _swap_moves(batch):
            await self._batched(moves, PRODUCT_BATCH, lambda items: self._request("PUT", PRODUCTS, items))
        await self._batched(batch, PRODUCT_BATCH, self._send_products)

    async def _send_products(self, items: list[dict[str, Any]]) -> None:
        # A SKU change renames the base variant too: price-list records name it by the new SKU.
        answered = await self._request("PUT", PRODUCTS, items) or []
        bases = [{"sku": p.get("sku"), "id": p.get("base_variant_id")} for p in answered]
        self._remember_variants(bases)

    def _body(self, job: Job, fields: dict[str, Any]) -> dict[str, Any]:
        return payloads.product_body(fields, self.refs, job.keep_categories)

    async def _write_nested(self, job: Job) -> Job:
        if not self._begin(job):
            return job
        try:
            await self.nested.write(job)
        except Exception as exc:
            self._fail(job, exc)
        return job

    async def _put_variants(self, jobs: list[Job]) -> None:
        items = [(job, item) for job in jobs for item in job.variants]

        async def send(body: list[dict[str, Any]]) -> None:
            self._remember_variants(await put_variants(self.client, body))

        await self._batched(items, VARIANT_BATCH, send)

    async def _cleanup(self, job: Job) -> Job:
        try:
            await self.nested.cleanup(job)
        except Exception as exc:
            self._fail(job, exc)
        return job

    # ---- delete -----------------------------------------------------------------------------

    async def delete(self, changes: list[Change]) -> list[Outcome]:
        chunks = [changes[i : i + DELETE_BATCH] for i in range(0, len(changes), DELETE_BATCH)]

        async def one(chunk: list[Change]) -> list[Outcome]:
            if self.ctx.halt.tripped:
                return [Outcome(c, self.ctx.halt.not_started()) for c in chunk]
            ids = ",".join(str(c.live_id) for c in chunk)
            try:
                await self.client.request("DELETE", PRODUCTS, params={"id:in": ids})
            except Exception as exc:
                self.ctx.halt.failed(exc)
                return [Outcome(c, exc) for c in chunk]
            return [Outcome(c, None, c.live_id) for c in chunk]

        return [o for chunk in await asyncio.gather(*(one(c) for c in chunks)) for o in chunk]

    # ---- channel assignments ----------------------------------------------------------------

    async def _channels(self, jobs: list[Job], plan: Callable[[Job], tuple[set[int], set[int]]]) -> None:
        """Assignments of many products in few requests; one at a time, as the API asks."""
        wanted = [(job, plan(job)) for job in jobs]
        adds = [
            (job, {"product_id": job.product_id, "channel_id": c})
            for job, (add, _) in wanted
            for c in sorted(add)
        ]
        for start in range(0, len(adds), ASSIGNMENT_BATCH):
            await self._guarded(
                adds[start : start + ASSIGNMENT_BATCH], lambda b: self._request("PUT", ASSIGNMENTS, b)
            )
        losing: dict[int, list[Job]] = {}
        for job, (_, remove) in wanted:
            for channel in remove:
                losing.setdefault(channel, []).append(job)
        for channel, members in sorted(losing.items()):
            for start in range(0, len(members), DELETE_BATCH):
                await self._unassign(channel, members[start : start + DELETE_BATCH])

    async def _unassign(self, channel: int, jobs: list[Job]) -> None:
        async def send(ids: list[int]) -> None:
            params = {"product_id:in": ",".join(map(str, ids)), "channel_id:in": channel}
            await self._request("DELETE", ASSIGNMENTS, None, params)

        await self._guarded([(j, j.product_id) for j in jobs], send)

    # ---- helpers ----------------------------------------------------------------------------

    async def _request(self, method: str, path: str, body: Any, params: dict[str, Any] | None = None) -> Any:
        """One batch request; a 207 (partly applied) fails the whole batch, so a re-plan shows the rest."""
        resp = await self.client.request(method, path, json=body, params=params)
        if resp.status == 207:
            raise ApiError(method, path, 207, resp.body)
        return resp.body.get("data") if isinstance(resp.body, dict) else None

    async def _batched(
        self, items: list[tuple[Job, T]], size: int, send: Callable[[list[T]], Awaitable[Any]]
    ) -> None:
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        await asyncio.gather(*(self._guarded(chunk, send) for chunk in chunks))

    async def _guarded(self, chunk: list[tuple[Job, T]], send: Callable[[list[T]], Awaitable[Any]]) -> None:
        """Send one batch; the products whose items the store rejects fail, the rest is sent again
        without them. A batch that fails as a whole fails every product with an item in it."""
        live = [(job, item) for job, item in chunk if job.error is None and self._begin(job)]
        for index, exc in (await send_good_items([item for _, item in live], send)).items():
            self._fail(live[index][0], exc)

    def _begin(self, job: Job) -> bool:
        """Whether `job` may send a request: it already has, or the apply has not been halted."""
        if id(job) in self.started:
            return True
        if self.ctx.halt.tripped:
            job.error = job.error or self.ctx.halt.not_started()
            return False
        self.started.add(id(job))
        return True

    def _fail(self, job: Job, exc: BaseException) -> None:
        job.error = job.error or exc
        self.ctx.halt.failed(exc)

    async def _bounded(self, items: Sequence[Any], run: Callable[[Any], Awaitable[Job]]) -> list[Job]:
        sem = asyncio.Semaphore(self.concurrency)

        async def one(item: Any) -> Job:
            async with sem:
                return await run(item)

        return list(await asyncio.gather(*(one(i) for i in items)))

    def _remember_variants(self, variants: list[dict[str, Any]]) -> None:
        # Price-list records name variants by SKU: let them find new variants' ids.
        for variant in variants:
            if isinstance(variant, dict) and variant.get("sku") and variant.get("id"):
                self.ctx.ids[("variants", str(variant["sku"]).casefold())] = variant["id"]


UNIQUE = {"sku": 255, "name": 250}  # unique among a store's products (ignoring case): max lengths


def _swap_moves(batch: list[tuple[Job, dict[str, Any]]]) -> list[tuple[Job, dict[str, Any]]]:
    """Products that must first move out of the way: two products trading SKUs or names (or a
    longer cycle) cannot be written in one batch, since the first item clashes with a value the
    other still holds (409). A product whose current value another one takes, and which changes
    its own, first gets a temporary one, `{old}~storeconf-{id}`, then the final batch runs. If
    that batch fails, the next plan shows the temporary values and sets them right."""
    leaving: dict[str, dict[str, tuple[Job, str]]] = {name: {} for name in UNIQUE}
    for job, _ in batch:
        for d in job.change.diff:
            if d.path in UNIQUE and d.old and d.new:
                leaving[d.path][str(d.old).casefold()] = (job, str(d.old))
    moves: dict[int, tuple[Job, dict[str, Any]]] = {}
    for job, body in batch:
        for name, limit in UNIQUE.items():
            holder = leaving[name].get(str(body.get(name) or "").casefold())
            if holder is None or holder[0] is job:
                continue
            other, old = holder
            suffix = f"~storeconf-{other.product_id}"
            item = moves.setdefault(other.product_id, (other, {"id": other.product_id}))[1]
            item[name] = old[: limit - len(suffix)] + suffix
    return list(moves.values())


def _makes_options(change: Change) -> bool:
    """Whether the API creates this new product's options itself (from its variants' values)."""
    fields = change.fields
    return bool(fields.get("options")) and any(v.get("options") for v in fields.get("variants") or [])


def _create_error(job: Job) -> BaseException | None:
    if job.error is None or not job.product_id:
        return job.error
    return CreateIncomplete(job.change.key, job.product_id, job.error)


def _created_channels(change: Change) -> tuple[set[int], set[int]]:
    """A new product's channels; whether the API assigns the default channel by itself is not
    stated, so it is unassigned explicitly when the config leaves it out."""
    if "channels" not in change.fields:
        return set(), set()
    channels = set(change.fields["channels"])
    return channels, {DEFAULT_CHANNEL} - channels


def _changed_channels(job: Job) -> tuple[set[int], set[int]]:
    for diff in job.change.diff:
        if diff.path == "channels":
            old, new = set(diff.old or []), set(diff.new or [])
            return new - old, old - new
    return set(), set()
