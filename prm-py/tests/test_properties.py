"""Property tests (hypothesis): conversions are exact, and prm's invariants hold from Python.

Python's own ``decimal`` module is the naive reference model for rounding.
"""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import prm

settings.register_profile("prm", max_examples=150, deadline=None)
settings.load_profile("prm")

#: Decimals prm reads: up to 19 significant digits and up to 28 places,
#: well inside the 96-bit mantissa (more than 28 digits is refused, never rounded).
decimals = st.builds(
    lambda mantissa, places: Decimal(mantissa).scaleb(-places),
    st.integers(min_value=-(10**19) + 1, max_value=10**19 - 1),
    st.integers(min_value=0, max_value=28),
)

MODES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP, "down": ROUND_DOWN}
PLACES = {"EUR": 2, "JPY": 0, "BHD": 3}


@given(decimals, st.sampled_from(sorted(MODES)), st.sampled_from(sorted(PLACES)))
def test_prop_round_matches_pythons_decimal(amount: Decimal, mode: str, currency: str) -> None:
    exponent = Decimal(1).scaleb(-PLACES[currency])
    want = amount.quantize(exponent, rounding=MODES[mode])
    got = prm.money.round(amount=amount, currency=currency, mode=mode).amount
    assert got == want
    assert got.as_tuple().exponent == -PLACES[currency]  # padded to the minor units


@given(decimals, st.sampled_from(sorted(PLACES)))
def test_prop_round_up_is_away_from_zero(amount: Decimal, currency: str) -> None:
    exponent = Decimal(1).scaleb(-PLACES[currency])
    away = ROUND_CEILING if amount >= 0 else ROUND_FLOOR
    assert prm.money.round(amount=amount, currency=currency, mode="up").amount == amount.quantize(exponent, rounding=away)


@given(decimals)
def test_prop_decimals_cross_exactly(value: Decimal) -> None:
    # rate.normalize reads a decimal and writes it back: nothing lost either way.
    assert prm.rate.normalize(rate=value).rate == value


@given(
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False),
    st.lists(st.integers(min_value=0, max_value=1000).map(Decimal), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_prop_allocation_parts_sum_to_the_total(total: Decimal, weights: list[Decimal]) -> None:
    parts = prm.money.allocate(total=total, weights=weights, currency="EUR").parts
    assert len(parts) == len(weights)
    assert sum(parts) == total


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), st.integers(min_value=-240, max_value=240))
def test_prop_add_months_lands_in_the_right_month(date: dt.date, months: int) -> None:
    got = prm.calendar.add_months(date=date, months=months).date
    index = date.year * 12 + date.month - 1 + months
    assert (got.year, got.month) == (index // 12, index % 12 + 1)
    assert got.day == date.day or got.day < date.day  # clamped to the month's end, never later


@given(st.lists(st.tuples(decimals, st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 1, 1))), min_size=1, max_size=30))
def test_prop_tables_cross_both_ways_exactly(rows: list[tuple[Decimal, dt.date]]) -> None:
    scale = max(-int(r[0].as_tuple().exponent) for r in rows)
    if scale + max(r[0].adjusted() for r in rows) >= 27:
        return  # beyond what decimal128(38, scale) or prm's 28 digits hold
    table = pa.table(
        {
            "amount": pa.array([r[0] for r in rows], pa.decimal128(38, max(scale, 0))),
            "day": pa.array([r[1] for r in rows], pa.date32()),
        }
    )
    native, _ = prm._prm._echo_frame({}, table, rows="rows", result="rows", columns=[("amount", "decimal"), ("day", "date")])
    out = pa.table(native)
    assert out.column("amount").to_pylist() == [r[0] for r in rows]
    assert out.column("day").to_pylist() == [r[1] for r in rows]


@given(decimals, st.sampled_from(sorted(PLACES)))
def test_prop_results_pickle(amount: Decimal, currency: str) -> None:
    result = prm.money.round(amount=amount, currency=currency)
    assert pickle.loads(pickle.dumps(result)) == result
