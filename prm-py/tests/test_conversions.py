"""Python values in, Python values out: Decimal, date, datetime, and what is refused."""

from __future__ import annotations

import collections
import datetime as dt
import enum
import types
from decimal import Decimal
from typing import Any

import pytest

import prm


def round_(amount: Any, currency: str = "EUR", mode: str = "half_even") -> Decimal:
    result = prm.money.round(amount=amount, currency=currency, mode=mode)
    assert isinstance(result.amount, Decimal)
    return result.amount  # type: ignore[no-any-return]


# --- decimals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "mode", "want"),
    [
        (Decimal("2.345"), "half_even", "2.34"),
        (Decimal("2.355"), "half_even", "2.36"),
        (Decimal("-2.345"), "half_up", "-2.35"),
        (Decimal("2.341"), "up", "2.35"),
        (Decimal("2.349"), "down", "2.34"),
        ("2.345", "half_up", "2.35"),  # strings are decimals too
        (12, "half_even", "12.00"),  # and integers
    ],
)
def test_decimals_in_and_out(amount: Any, mode: str, want: str) -> None:
    got = round_(amount, mode=mode)
    assert str(got) == want  # the exact text, trailing zeros included


def test_decimal_with_28_digits_after_the_point() -> None:
    rate = Decimal("0.1234567890123456789012345678")
    assert prm.rate.normalize(rate=rate).rate == rate
    assert str(prm.rate.normalize(rate=rate).rate) == "0.1234567890123456789012345678"


def test_decimal_with_29_digits_is_refused_not_rounded() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.rate.normalize(rate=Decimal("0.12345678901234567890123456789"))
    assert info.value.problems[0].code == "invalid_rate"


def test_negative_zero() -> None:
    assert round_(Decimal("-0")) == 0
    assert round_(Decimal("-0.001")) == 0
    assert not round_(Decimal("-0.001")).is_signed()  # prm answers 0.00, not -0.00


def test_decimal_in_exponent_form_is_written_out() -> None:
    assert round_(Decimal("1E+3")) == Decimal("1000.00")
    assert str(round_(Decimal("125E-2"))) == "1.25"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN")])
def test_non_finite_decimals_are_refused(value: Decimal) -> None:
    with pytest.raises(prm.ValidationError) as info:
        round_(value)
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("invalid_decimal", "$.amount")


def test_floats_are_refused_with_python_advice() -> None:
    with pytest.raises(prm.ValidationError) as info:
        round_(12.5)
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("decimal_must_be_string", "$.amount")
    assert problem.help is not None and 'Decimal("12.5")' in problem.help
    assert 'Decimal("12.5")' in str(info.value)


def test_floats_are_refused_inside_lists_with_their_path() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.money.allocate(total=Decimal("100"), weights=[Decimal("1"), 0.5], currency="EUR")
    assert [(p.code, p.path) for p in info.value.problems] == [("decimal_must_be_string", "$.weights[1]")]


def test_allocation_is_exact() -> None:
    allocation = prm.money.allocate(total=Decimal("1000.01"), weights=[Decimal("0.7"), Decimal("0.3")], currency="EUR")
    assert allocation.parts == [Decimal("700.01"), Decimal("300.00")]
    assert sum(allocation.parts) == Decimal("1000.01")


def test_big_integers_travel_as_digits() -> None:
    assert round_(10**25) == Decimal(10**25)


def test_numpy_style_integers() -> None:
    class Index:
        def __index__(self) -> int:
            return 3

    window = prm.calendar.trailing_window(as_of=dt.date(2026, 3, 31), months=Index())
    assert window.start == dt.date(2026, 1, 1)


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "months", "want"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year clamps to the 29th
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 12, 31), 1, dt.date(2026, 1, 31)),  # across the year boundary
        (dt.date(2026, 1, 1), -1, dt.date(2025, 12, 1)),
        (dt.date(2024, 12, 31), 2, dt.date(2025, 2, 28)),
        (dt.date(2025, 11, 30), 14, dt.date(2027, 1, 30)),
    ],
)
def test_dates_across_boundaries(date: dt.date, months: int, want: dt.date) -> None:
    answer = prm.calendar.add_months(date=date, months=months)
    assert answer.date == want
    assert type(answer.date) is dt.date


def test_trailing_window_across_new_year() -> None:
    window = prm.calendar.trailing_window(as_of=dt.date(2026, 1, 31), months=3)
    assert (window.start, window.end, window.last_day) == (dt.date(2025, 11, 1), dt.date(2026, 2, 1), dt.date(2026, 1, 31))
    assert window.days == 92


@pytest.mark.parametrize(
    ("date", "first_month", "year", "quarter"),
    [
        (dt.date(2025, 12, 31), 1, 2025, 4),
        (dt.date(2026, 1, 1), 1, 2026, 1),
        (dt.date(2025, 6, 30), 7, 2025, 4),
        (dt.date(2025, 7, 1), 7, 2026, 1),
        (dt.date(2025, 12, 31), 7, 2026, 2),
    ],
)
def test_fiscal_quarters_at_boundaries(date: dt.date, first_month: int, year: int, quarter: int) -> None:
    position = prm.calendar.fiscal_quarter(date=date, fiscal_calendar={"first_month": first_month})
    assert (position.fiscal_year, position.quarter) == (year, quarter)
    assert position.quarter_start <= date < position.quarter_end


def test_a_datetime_where_a_date_is_meant_is_refused() -> None:
    moment = dt.datetime(2026, 3, 31, 0, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(prm.ValidationError) as info:
        prm.calendar.trailing_window(as_of=moment, months=12)
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("invalid_date", "$.as_of")


def test_a_naive_datetime_is_refused_before_prm_sees_it() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.calendar.trailing_window(as_of=dt.datetime(2026, 3, 31), months=12)
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("invalid_instant", "$.as_of")
    assert problem.help and "tzinfo" in problem.help


def test_aware_datetimes_are_rfc3339() -> None:
    # No operation of the foundation takes an instant, so look at the JSON prm would receive.
    paris = dt.timezone(dt.timedelta(hours=1))
    with pytest.raises(prm.ValidationError) as info:
        prm.call("version", {"now": dt.datetime(2026, 1, 5, 9, 30, tzinfo=paris)})
    assert info.value.problems[0].code == "unknown_field"  # it was converted, then refused as unknown


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (dt.time(9, 30), "wrong_type"),
        (dt.timedelta(days=1), "wrong_type"),
        ({1, 2}, "wrong_type"),
        (b"EUR", "wrong_type"),
        (object(), "wrong_type"),
        (float("nan"), "wrong_type"),
    ],
)
def test_values_without_a_json_form_are_refused_with_their_path(value: Any, code: str) -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.money.allocate(total="1", weights=["1", value], currency="EUR")
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == (code, "$.weights[1]")


def test_object_keys_must_be_strings() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.call("version", {1: "one"})
    assert info.value.problems[0].code == "wrong_type"


def test_cycles_end_at_the_depth_limit() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(prm.PrmError) as info:
        prm.call("version", {"loop": loop})
    assert info.value.code == "limit_exceeded"


def test_other_mappings_sequences_and_enums() -> None:
    class Currency(str, enum.Enum):
        EUR = "EUR"

    request = types.MappingProxyType({"total": "10", "weights": ("1", "1"), "currency": Currency.EUR})
    assert prm.money.allocate(request).parts == [Decimal("5.00"), Decimal("5.00")]
    ordered = collections.OrderedDict(total="10", weights=collections.deque(["3", "1"]), currency="EUR")
    assert prm.money.allocate(ordered).parts == [Decimal("7.50"), Decimal("2.50")]


def test_results_go_back_into_requests() -> None:
    money = prm.money.round(amount=Decimal("2.345"), currency="EUR")
    again = prm.money.round(money)
    assert again == money


def test_call_returns_the_wire_json() -> None:
    answer = prm.call("money.round", {"amount": Decimal("2.345"), "currency": "EUR"})
    assert answer == {"amount": "2.34", "currency": "EUR"}
    assert prm.money.round(amount=Decimal("2.345"), currency="EUR").to_json() == '{"amount": "2.34", "currency": "EUR"}'
