"""Money at the store's precision, shared by the config model, the planner and the sandbox.

BigCommerce keeps prices, costs, bulk pricing amounts and price-list record prices with
4 decimal places and rounds away what a request sends beyond them. Config values go
through `store_money` before they are compared, so `cost_price: 7.12345` matches the
`7.1235` the store holds instead of planning an update on every run; the sandbox rounds
its writes the same way.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PLACES = 4
_QUANTUM = Decimal(1).scaleb(-PLACES)
# A tuple: `int | float` would build a union on every call.
_NUMBER = (int, float)


def store_money(value: float) -> float:
    """`value` as the store keeps it: rounded half away from zero to 4 decimal places.

    Decimal rounding of the value as written (`repr`), not of its binary approximation:
    `7.12345` is stored as `7.1235` although the float 7.12345 lies just below it.
    """
    if type(value) is float and value.is_integer():
        return value  # a whole amount (most prices): ~10x faster than the checks below
    if isinstance(value, bool) or not isinstance(value, _NUMBER) or not math.isfinite(value):
        return value
    if type(value) is int:
        return value
    text = repr(value)
    if "e" not in text and len(text) - text.index(".") <= PLACES + 1:
        return value  # already at the store's precision (most prices): no Decimal needed
    try:
        rounded = Decimal(text).quantize(_QUANTUM, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits for a quantum of 1e-4: no fraction left to round
        return value
    return float(rounded) if isinstance(value, float) or rounded != value else value


def rounds_away(value: object) -> bool:
    """Whether the store would keep `value` with fewer digits than written."""
    return isinstance(value, int | float) and not isinstance(value, bool) and store_money(value) != value
