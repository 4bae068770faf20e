"""Product images (re-hosting emulation, uploads, thumbnail rule) and product videos."""

from __future__ import annotations

import re
from typing import Any

import pytest

from storeconf.sandbox.catalog.products.images import primary_images
from storeconf.sandbox.catalog.products.parts import IMAGES, VIDEOS
from storeconf.sandbox.core.http import STATUS_CODES_PATH, STATUS_CODES_URL, ApiError
from tests.sandbox.sandbox_support import Store, StoreFactory
from tests.sandbox.test_product_parts_support import make_product, upload

NOT_FOUND = {"status": 404, "title": "The resource was not found.", "type": STATUS_CODES_URL}
URL_MISSING = {
    "status": 422,
    "title": "image_url must be present if uploading by url",
    "type": STATUS_CODES_PATH,
}
NOW = "2023-11-14T22:13:20+00:00"  # the fixture's clock
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\r\n--not-a-boundary\n"


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store(store_hash="abc123")


def images_url(product_id: int) -> str:
    return f"/v3/catalog/products/{product_id}/images"


def videos_url(product_id: int) -> str:
    return f"/v3/catalog/products/{product_id}/videos"


def add_image(
    store: Store, product_id: int, url: str = "https://example.com/a.png", **extra: Any
) -> dict[str, Any]:
    response = store.post(images_url(product_id), {"image_url": url, **extra})
    assert response.status_code == 200, response.text
    image: dict[str, Any] = response.json()["data"]
    return image


def thumbnails(store: Store, product_id: int) -> dict[int, bool]:
    return {image["id"]: image["is_thumbnail"] for image in store.get(images_url(product_id)).json()["data"]}


# --- images: re-hosting -----------------------------------------------------------------


def test_image_by_url_is_rehosted_and_the_source_url_never_echoed(store: Store) -> None:
    product = make_product(store)
    url = "https://cdn.example.com/img/My%20Photo.v2.JPG?width=800"
    response = store.post(images_url(product), {"image_url": url, "description": "Front", "sort_order": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    image = body["data"]
    assert "image_url" not in image
    assert url not in response.text
    assert set(image) == {
        "id",
        "product_id",
        "is_thumbnail",
        "sort_order",
        "description",
        "image_file",
        "url_zoom",
        "url_standard",
        "url_thumbnail",
        "url_tiny",
        "date_modified",
    }
    assert (image["product_id"], image["sort_order"], image["description"]) == (product, 2, "Front")
    assert image["date_modified"] == NOW
    # stem: the file name without extension, lower-cased, other characters than [a-z0-9_-] as '-'
    match = re.fullmatch(r"m/(\d{3})/my-photo-v2__(\d{5})__(\d{5})\.jpg", image["image_file"])
    assert match is not None, image["image_file"]
    first = match.group(2)
    base = f"https://cdn11.bigcommerce.com/s-abc123/images/stencil/{{}}/products/{product}/{image['id']}"
    assert image["url_zoom"] == base.format("1280x1280") + f"/my-photo-v2__{first}.jpg"
    for field in ("url_standard", "url_thumbnail", "url_tiny"):
        assert image[field] == base.format("500x659") + f"/my-photo-v2__{first}.jpg"
    assert store.get(images_url(product) + f"/{image['id']}").json()["data"] == image


@pytest.mark.parametrize("extension", ["bmp", "gif", "jpg", "jpeg", "png", "wbmp", "xbm", "webp", "PNG"])
def test_every_supported_extension_is_accepted(store: Store, extension: str) -> None:
    product = make_product(store)
    image = add_image(store, product, f"http://example.com/pics/x_1.{extension}")
    assert re.fullmatch(rf"x/\d{{3}}/x_1__\d{{5}}__\d{{5}}\.{extension.lower()}", image["image_file"])


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/readme.txt",
        "https://example.com/image",
        "https://example.com/",
        "ftp://example.com/a.png",
        "file:///tmp/a.png",
        "a.png",
        "https:///a.png",
    ],
)
def test_a_url_the_api_could_not_download_is_400(store: Store, url: str) -> None:
    product = make_product(store)
    response = store.post(images_url(product), {"image_url": url})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["title"].startswith("The requested resource could not be downloaded")
    assert set(body["errors"]) == {"image_url"}
    assert store.get(images_url(product)).json()["data"] == []


def test_image_url_longer_than_255_is_422(store: Store) -> None:
    product = make_product(store)
    url = "https://example.com/" + "a" * 232 + ".png"
    assert len(url) == 256
    response = store.post(images_url(product), {"image_url": url})
    assert response.status_code == 422
    assert response.json()["errors"] == {"image_url": "must be 0 to 255 characters"}
    assert add_image(store, product, url[:-5] + ".png")["image_file"].endswith(".png")  # 255 is fine


def test_json_post_without_image_url_is_422(store: Store) -> None:
    product = make_product(store)
    for body in ({}, {"image_file": "a/123/x.png"}, {"image_url": ""}):
        response = store.post(images_url(product), body)
        assert response.status_code == 422
        assert response.json() == URL_MISSING


def test_image_url_sent_as_multipart_is_422(store: Store) -> None:
    product = make_product(store)
    response = upload(
        store,
        "POST",
        images_url(product),
        files={"note": ("note.txt", b"x", "text/plain")},
        data={"image_url": "https://example.com/a.png"},
    )
    assert response.status_code == 422
    assert response.json() == URL_MISSING
    assert store.get(images_url(product)).json()["data"] == []


def test_bad_writable_fields_are_422(store: Store) -> None:
    product = make_product(store)
    response = store.post(
        images_url(product),
        {
            "image_url": "https://example.com/a.png",
            "is_thumbnail": "yes",
            "sort_order": 2**31,
            "description": 4,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "is_thumbnail": "error.expected.jsboolean",
        "sort_order": "must be between -2147483648 and 2147483647",
        "description": "error.expected.jsstring",
    }


# --- images: multipart upload -----------------------------------------------------------


def test_image_file_upload_by_multipart(store: Store) -> None:
    product = make_product(store)
    response = upload(
        store,
        "POST",
        images_url(product),
        files={"image_file": ("Summer Sale!.PNG", PNG, "image/png")},
        data={"description": "Banner", "sort_order": "3", "is_thumbnail": "false"},
    )
    assert response.status_code == 200, response.text
    image = response.json()["data"]
    assert re.fullmatch(r"s/\d{3}/summer-sale-__\d{5}__\d{5}\.png", image["image_file"])
    assert (image["description"], image["sort_order"], image["is_thumbnail"]) == ("Banner", 3, True)
    assert "image_url" not in image


@pytest.mark.parametrize(
    ("files", "data", "errors"),
    [
        (
            {"image_file": ("notes.txt", b"hello", "text/plain")},
            {},
            {"image_file": "must be one of the file types: bmp, gif, jpg, jpeg, png, wbmp, xbm, webp"},
        ),
        ({"image_file": ("empty.png", b"", "image/png")}, {}, {"image_file": "the uploaded file is empty"}),
        (
            {"image_file": ("a.png", PNG, "image/png")},
            {"sort_order": "first"},
            {"sort_order": "error.expected.jsnumber"},
        ),
        (
            {"image_file": ("a.png", PNG, "image/png")},
            {"is_thumbnail": "maybe"},
            {"is_thumbnail": "error.expected.jsboolean"},
        ),
    ],
)
def test_bad_uploads_are_422(
    store: Store, files: dict[str, tuple[str, bytes, str]], data: dict[str, str], errors: dict[str, str]
) -> None:
    product = make_product(store)
    response = upload(store, "POST", images_url(product), files=files, data=data)
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_multipart_without_a_file_is_422(store: Store) -> None:
    product = make_product(store)
    response = upload(store, "POST", images_url(product), files={"other": ("a.png", PNG, "image/png")})
    assert response.json() == URL_MISSING


def test_put_with_a_new_upload_replaces_the_file(store: Store) -> None:
    product = make_product(store)
    image = add_image(store, product)
    response = upload(
        store,
        "PUT",
        images_url(product) + f"/{image['id']}",
        files={"image_file": ("b.gif", PNG, "image/gif")},
    )
    assert response.status_code == 200, response.text
    assert re.fullmatch(r"b/\d{3}/b__\d{5}__\d{5}\.gif", response.json()["data"]["image_file"])


# --- images: thumbnail, updates, listing ---------------------------------------------------


def test_first_image_is_the_thumbnail_and_only_one_thumbnail_exists(store: Store) -> None:
    product = make_product(store)
    first = add_image(store, product, is_thumbnail=False)
    assert first["is_thumbnail"] is True  # a product's only image is its thumbnail
    second = add_image(store, product, "https://example.com/b.png")
    assert thumbnails(store, product) == {first["id"]: True, second["id"]: False}

    third = add_image(store, product, "https://example.com/c.png", is_thumbnail=True)
    assert thumbnails(store, product) == {first["id"]: False, second["id"]: False, third["id"]: True}

    moved = store.put(images_url(product) + f"/{second['id']}", {"is_thumbnail": True})
    assert moved.json()["data"]["is_thumbnail"] is True
    assert thumbnails(store, product) == {first["id"]: False, second["id"]: True, third["id"]: False}


def test_unsetting_or_deleting_the_thumbnail_promotes_the_next_image(store: Store) -> None:
    product = make_product(store)
    first = add_image(store, product, sort_order=5)
    second = add_image(store, product, "https://example.com/b.png", sort_order=1)
    third = add_image(store, product, "https://example.com/c.png", sort_order=3)

    store.put(images_url(product) + f"/{first['id']}", {"is_thumbnail": False})
    assert thumbnails(store, product) == {second["id"]: True, third["id"]: False, first["id"]: False}

    assert store.delete(images_url(product) + f"/{second['id']}").status_code == 204
    assert thumbnails(store, product) == {third["id"]: True, first["id"]: False}

    store.delete(images_url(product) + f"/{third['id']}")
    kept = store.put(images_url(product) + f"/{first['id']}", {"is_thumbnail": False})
    assert kept.json()["data"]["is_thumbnail"] is True  # the only image stays the thumbnail


def test_put_updates_fields_and_a_new_url_is_downloaded_again(store: Store) -> None:
    product = make_product(store)
    image = add_image(store, product, "https://example.com/a.png")
    path = images_url(product) + f"/{image['id']}"

    same = store.put(path, {"description": "Side", "sort_order": -1}).json()["data"]
    assert (same["description"], same["sort_order"], same["image_file"]) == ("Side", -1, image["image_file"])

    moved = store.put(path, {"image_url": "https://example.com/shots/Back.webp"}).json()["data"]
    match = re.fullmatch(r"b/\d{3}/back__(\d{5})__\d{5}\.webp", moved["image_file"])
    assert match is not None, moved["image_file"]
    assert moved["url_zoom"].endswith(f"/products/{product}/{image['id']}/back__{match.group(1)}.webp")
    assert "image_url" not in moved

    again = store.put(path, {"image_url": "https://example.com/shots/Back.webp"}).json()["data"]
    assert again["image_file"] != moved["image_file"]  # every download is a new stored copy
    assert again["image_file"].startswith("b/") and again["image_file"].endswith(".webp")

    assert store.put(path, {"image_url": "https://example.com/doc.pdf"}).status_code == 400
    assert store.get(path).json()["data"]["image_file"] == again["image_file"]


def test_image_names_are_reproducible_across_stores(store: Store, make_store: StoreFactory) -> None:
    other = make_store(store_hash="abc123")
    names = []
    for each in (store, other):
        product = make_product(each)
        names.append(add_image(each, product, "https://example.com/a.png")["image_file"])
    assert names[0] == names[1]


def test_image_list_orders_by_sort_order_and_selects_fields(store: Store) -> None:
    product = make_product(store)
    a = add_image(store, product, sort_order=2)
    b = add_image(store, product, "https://example.com/b.png", sort_order=0)
    c = add_image(store, product, "https://example.com/c.png", sort_order=2)
    listing = store.get(images_url(product)).json()
    assert [image["id"] for image in listing["data"]] == [b["id"], a["id"], c["id"]]
    assert listing["meta"]["pagination"]["total"] == 3
    picked = store.get(images_url(product) + "?include_fields=image_file&limit=1").json()["data"]
    assert picked == [{"id": b["id"], "image_file": b["image_file"]}]
    dropped = store.get(images_url(product) + f"/{a['id']}?exclude_fields=url_zoom,url_tiny,id").json()[
        "data"
    ]
    assert "url_zoom" not in dropped and "url_tiny" not in dropped and dropped["id"] == a["id"]


def test_images_of_an_unknown_product_or_id_are_404(store: Store) -> None:
    product, other = make_product(store, "Mug"), make_product(store, "Cup")
    theirs = add_image(store, other)
    assert store.get(images_url(999)).json() == NOT_FOUND
    assert store.post(images_url(999), {"image_url": "https://example.com/a.png"}).json() == NOT_FOUND
    for method in ("GET", "PUT", "DELETE"):
        response = store.request(method, images_url(product) + f"/{theirs['id']}", json={"description": "x"})
        assert response.json() == NOT_FOUND


def test_images_embed_and_primary_image(store: Store) -> None:
    db = store.sandbox.db
    mug, cup = make_product(store, "Mug"), make_product(store, "Cup")
    made = IMAGES.create_embedded(
        db,
        mug,
        [
            {"image_url": "https://example.com/a.png", "sort_order": 1},
            {"image_url": "https://example.com/b.jpg", "is_thumbnail": True},
        ],
        sandbox=store.sandbox,
    )
    assert [image["is_thumbnail"] for image in made] == [True, True]  # each was the thumbnail when made
    embedded = IMAGES.embed(db, [mug, cup])
    assert [image["id"] for image in embedded[mug]] == [made[1]["id"], made[0]["id"]]
    assert [image["is_thumbnail"] for image in embedded[mug]] == [True, False]
    assert embedded[cup] == []
    assert made[0]["url_zoom"].startswith("https://cdn11.bigcommerce.com/s-abc123/")
    assert primary_images(db, [mug, cup]) == {mug: embedded[mug][0], cup: None}

    with pytest.raises(ApiError) as failed:
        IMAGES.create_embedded(db, cup, [{"image_url": "https://example.com/ok.png"}, {"image_url": "nope"}])
    assert failed.value.status == 400
    assert set(failed.value.body["errors"]) == {"images[1].image_url"}
    assert IMAGES.embed(db, [cup]) == {cup: []}


# --- videos ----------------------------------------------------------------------------


def test_video_crud_with_filled_in_fields(store: Store) -> None:
    product = make_product(store)
    response = store.post(videos_url(product), {"video_id": "z3fRu9pkuXE"})
    assert response.status_code == 200
    video = response.json()["data"]
    assert re.fullmatch(r"\d{2}:\d{2}", video.pop("length"))
    assert video == {
        "id": 1,
        "product_id": product,
        "type": "youtube",
        "video_id": "z3fRu9pkuXE",
        "sort_order": 0,
        "title": "YouTube video z3fRu9pkuXE",
        "description": "YouTube video z3fRu9pkuXE",
    }
    path = videos_url(product) + "/1"
    updated = store.put(
        path, {"title": "Unboxing", "description": "", "sort_order": 4, "video_id": "ignored"}
    )
    data = updated.json()["data"]
    assert (data["title"], data["description"], data["sort_order"]) == (
        "Unboxing",
        "YouTube video z3fRu9pkuXE",
        4,
    )
    assert data["video_id"] == "z3fRu9pkuXE"  # not writable on PUT
    assert store.get(videos_url(product)).json()["data"] == [data]
    assert store.delete(path).status_code == 204
    assert store.get(path).json() == NOT_FOUND


def test_video_length_is_stable_per_video_id(store: Store) -> None:
    product = make_product(store)
    one = store.post(videos_url(product), {"video_id": "EhYBjzqd-nI", "title": "A"}).json()["data"]
    two = store.post(videos_url(product), {"video_id": "EhYBjzqd-nI", "title": "B"}).json()["data"]
    assert one["length"] == two["length"]
    assert one["title"] == "A"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"video_id": "error.path.missing"}),
        (
            {"video_id": "x" * 26},
            {"video_id": "must be a YouTube video id: 1 to 25 letters, digits, '-' or '_'"},
        ),
        ({"video_id": ""}, {"video_id": "must be a YouTube video id: 1 to 25 letters, digits, '-' or '_'"}),
        ({"video_id": 12}, {"video_id": "error.expected.jsstring"}),
        ({"video_id": "abc", "type": "vimeo"}, {"type": "must be one of: youtube"}),
        ({"video_id": "abc", "title": "t" * 256}, {"title": "must be 0 to 255 characters"}),
        ({"video_id": "abc", "sort_order": "1"}, {"sort_order": "error.expected.jsnumber"}),
    ],
)
def test_video_validation(store: Store, body: dict[str, Any], errors: dict[str, str]) -> None:
    product = make_product(store)
    response = store.post(videos_url(product), body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_videos_of_an_unknown_product_are_404_and_embed_groups_them(store: Store) -> None:
    db = store.sandbox.db
    assert store.post(videos_url(999), {"video_id": "abc"}).json() == NOT_FOUND
    mug, cup = make_product(store, "Mug"), make_product(store, "Cup")
    VIDEOS.create_embedded(db, mug, [{"video_id": "b", "sort_order": 2}, {"video_id": "a", "sort_order": 1}])
    embedded = VIDEOS.embed(db, [mug, cup])
    assert [video["video_id"] for video in embedded[mug]] == ["a", "b"]
    assert embedded[cup] == []
    assert store.put(videos_url(cup) + "/1", {"title": "x"}).json() == NOT_FOUND
