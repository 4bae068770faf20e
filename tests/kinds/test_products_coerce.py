"""coerce's shortcuts for plain scalars answer exactly as the pydantic round trip they skip."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from storeconf.kinds.products import shape
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
)


@settings(max_examples=400)
@given(st.sampled_from(MODELS), st.data())
def test_shortcuts_agree_with_the_round_trip(model: type[BaseModel], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(model.model_fields)))
    value: Any = data.draw(values)
    _, _, convert = shape._fields(model)[name]
    assert convert(value) == shape._convert(model, name, value)
    assert type(convert(value)) is type(shape._convert(model, name, value))


def test_list_defaults_are_not_shared() -> None:
    first = shape.coerce(Product, {})
    for value in first.values():
        if isinstance(value, list):
            value.append("mutated")
    assert all("mutated" not in v for v in shape.coerce(Product, {}).values() if isinstance(v, list))
