"""coerce's shortcuts for plain scalars answer exactly as the pydantic round trip they skip."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from storeconf.kinds.products import coercion as shape
from storeconf.kinds.products.spec import Modifier, Option, Product, Variant

MODELS: list[type[BaseModel]] = [Product, Variant, Option, Modifier]
values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 2, max_value=2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["physical", "digital", "rectangles", "swatch", "1.5", "true", ""])
    | st.lists(st.integers(), max_size=2)
    | st.just([])
    | st.floats(min_value=-1e6, max_value=1e6).map(lambda f: round(f, 6))  # money past 4 places
    | st.text(min_size=250, max_size=260)  # around the 255-character label limit
    | st.dictionaries(st.text(max_size=3), st.text(max_size=3) | st.integers() | st.booleans(), max_size=2)
)


@settings(max_examples=400)
@given(st.sampled_from(MODELS), st.data())
def test_shortcuts_agree_with_the_round_trip(model: type[BaseModel], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(model.model_fields)))
    value: Any = data.draw(values)
    _, _, convert = shape._fields(model)[name]
    assert convert(value) == shape._convert(model, name, value)
    assert type(convert(value)) is type(shape._convert(model, name, value))


@settings(max_examples=200)
@given(st.sampled_from(MODELS), st.data())
def test_none_is_read_as_the_round_trip_reads_it(model: type[BaseModel], data: st.DataObject) -> None:
    """A None the type accepts is whatever the round trip makes of it; one it refuses is the
    API's default, or left out."""
    name = data.draw(st.sampled_from(sorted(model.model_fields)))
    got = shape.coerce(model, {name: None}, [name])
    try:
        adapter = shape._adapter(model, name)
        expected = {name: adapter.dump_python(adapter.validate_python(None), mode="json")}
    except ValueError:
        default, _, _ = shape._fields(model)[name]
        expected = {} if default is shape._NO_DEFAULT else {name: default}
    assert got == expected


def test_list_defaults_are_not_shared() -> None:
    first = shape.coerce(Product, {})
    for value in first.values():
        if isinstance(value, list):
            value.append("mutated")
    assert all("mutated" not in v for v in shape.coerce(Product, {}).values() if isinstance(v, list))
