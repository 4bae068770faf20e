"""Product images: `/v3/catalog/products/{product_id}/images[/{image_id}]`.

The real API downloads an `image_url` and re-hosts the file: responses carry the stored
`image_file` and CDN `url_*` links, never the source URL. The sandbox does not fetch
anything. It accepts an http(s) URL whose path names a supported image file (else the 400
of a failed download) and names the stored copy after that file:

    image_file  = "{c}/{ddd}/{stem}__{nnnnn}__{mmmmm}.{ext}"
    url_<size>  = "https://cdn11.bigcommerce.com/s-{store_hash}/images/stencil/{WxH}/products/
                   {product_id}/{image_id}/{stem}__{nnnnn}.{ext}"

`stem` is the file name without extension, lower-cased, every character outside
`[a-z0-9_-]` replaced by `-`; `c` is its first character; the digits come from a hash of
(product, image, upload revision, source), so they are stable across runs and change on
every new download or upload. Multipart uploads (`image_file` part) are parsed with the
standard library, so they work without python-multipart.

A product with images always has exactly one thumbnail: its first image becomes it,
`is_thumbnail: true` moves it, and unsetting or deleting it promotes the next image by
(`sort_order`, `id`).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog.products.part_kit import (
    Ctx,
    PartStore,
    delete_part,
    get_row,
    grouped_rows,
    int32_error,
    part_of,
    part_routes,
    product_of,
)
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    STATUS_CODES_PATH,
    ApiError,
    invalid,
    read_object,
    single,
)
from storeconf.sandbox.core.validate import Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS product_images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    is_thumbnail INTEGER NOT NULL,
    sort_order INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS product_images_product ON product_images (product_id, sort_order);
"""

TABLE = "product_images"
ORDER = "sort_order, id"
EXTENSIONS = ("bmp", "gif", "jpg", "jpeg", "png", "wbmp", "xbm", "webp")
MAX_IMAGES = 1000
MAX_BYTES = 8 * 1024 * 1024
CDN_HOST = "https://cdn11.bigcommerce.com"
SIZES = {
    "url_zoom": "1280x1280",
    "url_standard": "500x659",
    "url_thumbnail": "500x659",
    "url_tiny": "500x659",
}

URL_MISSING_TITLE = "image_url must be present if uploading by url"
DOWNLOAD_FAILED_TITLE = (
    "The requested resource could not be downloaded and may be invalid. "
    "Possible reasons include malformed request syntax or the file host blocking requests."
)
_INVALID_TITLE = "Product image was not valid. This is the result of missing required fields or invalid data."
_FIELDS = (
    Field("image_url", "string", max_length=255),
    Field("is_thumbnail", "boolean"),
    Field("description", "string"),
)
_NOT_STEM = re.compile(r"[^a-z0-9_-]")


@dataclass(frozen=True)
class Source:
    """Where a stored image came from: a URL's file name, or an uploaded file."""

    stem: str
    ext: str
    origin: str


def url_missing() -> ApiError:
    return ApiError.of(422, URL_MISSING_TITLE, type_=STATUS_CODES_PATH)


def source_of_url(url: str) -> Source:
    """The file the real API would download, or its 400 when it could not."""
    parts = urlsplit(url.strip())
    name = posixpath.basename(unquote(parts.path))
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not dot or ext not in EXTENSIONS:
        reason = (
            "The sandbox downloads nothing; it accepts an http(s) URL whose path ends in a "
            f"supported image file ({', '.join(EXTENSIONS)})."
        )
        raise ApiError.of(400, DOWNLOAD_FAILED_TITLE, errors={"image_url": reason})
    return Source(_stem(stem), ext, url)


def source_of_upload(filename: str, data: bytes) -> Source:
    stem, dot, ext = posixpath.basename(filename.replace("\\", "/")).rpartition(".")
    ext = ext.lower()
    if not dot or ext not in EXTENSIONS:
        raise invalid(
            {"image_file": f"must be one of the file types: {', '.join(EXTENSIONS)}"}, _INVALID_TITLE
        )
    if not data:
        raise invalid({"image_file": "the uploaded file is empty"}, _INVALID_TITLE)
    if len(data) > MAX_BYTES:
        raise invalid({"image_file": "must be at most 8 MB"}, _INVALID_TITLE)
    return Source(_stem(stem), ext, "upload:" + hashlib.sha256(data).hexdigest())


def _stem(raw: str) -> str:
    return _NOT_STEM.sub("-", raw.lower()) or "image"


def stored_names(ctx: Ctx, product_id: int, image_id: int, revision: int, source: Source) -> dict[str, str]:
    """`image_file` and the four CDN URLs of one stored copy."""
    seed = f"{product_id}/{image_id}/{revision}/{source.origin}".encode()
    number = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big")
    folder, first, second = number % 1000, (number // 1000) % 100000, (number // 10**8) % 100000
    names = {
        "image_file": f"{source.stem[0]}/{folder:03d}/{source.stem}__{first:05d}__{second:05d}.{source.ext}"
    }
    base = f"{CDN_HOST}/s-{ctx.store_hash}/images/stencil"
    tail = f"products/{product_id}/{image_id}/{source.stem}__{first:05d}.{source.ext}"
    names.update({field: f"{base}/{size}/{tail}" for field, size in SIZES.items()})
    return names


def to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "product_id": row["product_id"],
        "is_thumbnail": bool(row["is_thumbnail"]),
        "sort_order": row["sort_order"],
        "description": doc["description"],
        "image_file": doc["image_file"],
        **{field: doc[field] for field in SIZES},
        "date_modified": doc["date_modified"],
    }


# --- request bodies --------------------------------------------------------------------


@dataclass
class ImageInput:
    """A validated POST/PUT: the writable fields sent, and the new file if any."""

    fields: dict[str, Any]
    source: Source | None


def check_fields(body: dict[str, Any]) -> dict[str, Any]:
    errors = check(body, _FIELDS)
    if "sort_order" in body:
        problem = int32_error(body["sort_order"])
        if problem:
            errors["sort_order"] = problem
    if errors:
        raise invalid(errors, _INVALID_TITLE)
    return {k: body[k] for k in ("is_thumbnail", "sort_order", "description") if k in body}


def json_input(body: Any, *, creating: bool) -> ImageInput:
    """A JSON body (also an item of a product POST): `image_url` is the file to fetch."""
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"}, _INVALID_TITLE)
    fields = check_fields(body)
    url = body.get("image_url")
    if url is None or url == "":
        if creating:
            raise url_missing()
        return ImageInput(fields, None)
    return ImageInput(fields, source_of_url(url))


async def form_input(request: Request, *, creating: bool) -> ImageInput:
    """A multipart body: the `image_file` part is the file; other parts are text fields."""
    texts, upload = _parse_form(request.headers.get("content-type", ""), await request.body())
    if "image_url" in texts or (creating and upload is None):
        # The API only looks for image_url in a JSON body.
        raise url_missing()
    body: dict[str, Any] = dict(texts)
    errors: dict[str, str] = {}
    if "is_thumbnail" in body:
        flag = body["is_thumbnail"].strip().lower()
        if flag not in ("true", "false", "1", "0"):
            errors["is_thumbnail"] = "error.expected.jsboolean"
        body["is_thumbnail"] = flag in ("true", "1")
    if "sort_order" in body:
        try:
            body["sort_order"] = int(body["sort_order"].strip())
        except ValueError:
            errors["sort_order"] = "error.expected.jsnumber"
    if errors:
        raise invalid(errors, _INVALID_TITLE)
    fields = check_fields(body)
    return ImageInput(fields, None if upload is None else source_of_upload(*upload))


def _parse_form(content_type: str, raw: bytes) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise ApiError.of(400, "Input is invalid", errors={"body": "malformed multipart/form-data body"})
    texts: dict[str, str] = {}
    upload: tuple[str, bytes] | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if not isinstance(name, str):
            continue
        if name == "image_file" and filename is not None:
            upload = (filename, data)
        else:
            texts[name] = data.decode("utf-8", "replace")
    return texts, upload


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


# --- storage ---------------------------------------------------------------------------


def insert_image(db: StoreDb, product_id: int, data: ImageInput, ctx: Ctx) -> dict[str, Any]:
    assert data.source is not None
    count = int(db.scalar(f"SELECT COUNT(*) FROM {TABLE} WHERE product_id = ?", [product_id]))
    if count >= MAX_IMAGES:
        raise invalid({"product_id": f"A product can have up to {MAX_IMAGES} images."}, _INVALID_TITLE)
    thumbnail = count == 0 or bool(data.fields.get("is_thumbnail", False))
    if thumbnail:
        db.execute(f"UPDATE {TABLE} SET is_thumbnail = 0 WHERE product_id = ?", [product_id])
    doc = {"description": data.fields.get("description", ""), "date_modified": ctx.iso_now, "revision": 0}
    cursor = db.execute(
        f"INSERT INTO {TABLE} (product_id, is_thumbnail, sort_order, doc) VALUES (?, ?, ?, ?)",
        [product_id, int(thumbnail), data.fields.get("sort_order", 0), dump_doc(doc)],
    )
    image_id = int(cursor.lastrowid or 0)
    doc.update(stored_names(ctx, product_id, image_id, 0, data.source))
    db.execute(f"UPDATE {TABLE} SET doc = ? WHERE id = ?", [dump_doc(doc), image_id])
    return to_api(get_row(db, TABLE, product_id, image_id))


def update_image(db: StoreDb, product_id: int, image_id: int, data: ImageInput, ctx: Ctx) -> None:
    row = get_row(db, TABLE, product_id, image_id)
    doc = load_doc(row["doc"])
    if "description" in data.fields:
        doc["description"] = data.fields["description"]
    if data.source is not None:
        doc["revision"] = int(doc.get("revision", 0)) + 1
        doc.update(stored_names(ctx, product_id, image_id, doc["revision"], data.source))
    doc["date_modified"] = ctx.iso_now
    sort_order = data.fields.get("sort_order", row["sort_order"])
    db.execute(
        f"UPDATE {TABLE} SET sort_order = ?, doc = ? WHERE id = ?", [sort_order, dump_doc(doc), image_id]
    )
    wanted = data.fields.get("is_thumbnail")
    if wanted is True:
        db.execute(f"UPDATE {TABLE} SET is_thumbnail = (id = ?) WHERE product_id = ?", [image_id, product_id])
    elif wanted is False and row["is_thumbnail"]:
        db.execute(f"UPDATE {TABLE} SET is_thumbnail = 0 WHERE id = ?", [image_id])
        _ensure_thumbnail(db, product_id, prefer_not=image_id)


def _ensure_thumbnail(db: StoreDb, product_id: int, prefer_not: int | None = None) -> None:
    """Keep exactly one thumbnail while the product has images: promote the first image by
    (sort_order, id), other than `prefer_not` unless it is the only one."""
    if db.scalar(f"SELECT 1 FROM {TABLE} WHERE product_id = ? AND is_thumbnail = 1", [product_id]):
        return
    candidate = db.scalar(
        f"SELECT id FROM {TABLE} WHERE product_id = ? ORDER BY (id = ?), {ORDER} LIMIT 1",
        [product_id, prefer_not],
    )
    if candidate is not None:
        db.execute(f"UPDATE {TABLE} SET is_thumbnail = 1 WHERE id = ?", [candidate])


def _create_embedded_image(db: StoreDb, product_id: int, item: Any, ctx: Ctx) -> dict[str, Any]:
    return insert_image(db, product_id, json_input(item, creating=True), ctx)


def _update_embedded_image(
    db: StoreDb, product_id: int, image_id: int, item: Any, ctx: Ctx
) -> dict[str, Any]:
    update_image(db, product_id, image_id, json_input(item, creating=False), ctx)
    return to_api(get_row(db, TABLE, product_id, image_id))


def primary_images(db: StoreDb, product_ids: Sequence[int]) -> dict[int, dict[str, Any] | None]:
    """Each product's thumbnail (`include=primary_image`), None when it has no image."""
    grouped = grouped_rows(db, TABLE, product_ids, ORDER)
    return {
        pid: next((to_api(row) for row in rows if row["is_thumbnail"]), None) for pid, rows in grouped.items()
    }


IMAGES = PartStore("images", TABLE, ORDER, to_api, _create_embedded_image, _update_embedded_image)


# --- handlers --------------------------------------------------------------------------


async def create_image(request: Request) -> Response:
    db, product_id = product_of(request)
    data = await _input(request, creating=True)
    with db.tx():
        image = insert_image(db, product_id, data, Ctx.from_request(request))
    return single(image)


async def put_image(request: Request) -> Response:
    db, row = part_of(request, TABLE, "image_id")
    product_id, image_id = row["product_id"], row["id"]
    data = await _input(request, creating=False)
    with db.tx():
        update_image(db, product_id, image_id, data, Ctx.from_request(request))
    return single(to_api(get_row(db, TABLE, product_id, image_id)))


async def delete_image(request: Request) -> Response:
    return await delete_part(request, TABLE, "image_id", then=_ensure_thumbnail)


async def _input(request: Request, *, creating: bool) -> ImageInput:
    if is_multipart(request):
        return await form_input(request, creating=creating)
    return json_input(await read_object(request), creating=creating)


ROUTES = part_routes(
    IMAGES,
    "/v3/catalog/products/{product_id:id64}/images",
    "image_id",
    create=create_image,
    update=put_image,
    delete=delete_image,
)
