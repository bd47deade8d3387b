"""``prm.Result``: attributes, items, dicts, JSON, repr, equality and pickling."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from decimal import Decimal
from typing import Any, Callable

import pytest

import prm
from conftest import CORPUS


def test_attributes_items_and_fields() -> None:
    window = prm.calendar.trailing_window(as_of=dt.date(2026, 3, 31), months=12)
    assert window.start == window["start"] == dt.date(2025, 4, 1)
    assert window.fields() == ["start", "end", "last_day", "days"]
    assert "days" in window and "nope" not in window
    assert window.get("nope", 0) == 0
    assert dict(window.items())["days"] == 365
    assert window.kind_name == "Window"
    with pytest.raises(AttributeError, match="Window has no field 'stat'"):
        window.stat  # noqa: B018
    with pytest.raises(KeyError):
        window["stat"]
    assert {"start", "to_dict"} <= set(dir(window))


def test_results_are_read_only() -> None:
    money = prm.money.round(amount="1", currency="EUR")
    with pytest.raises(AttributeError):
        money.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del money.amount


def test_nested_results_and_to_dict() -> None:
    summary = prm.Program.from_dict({"schema_version": 1, "currency": "JPY"}).validate()
    assert isinstance(summary.fiscal_calendar, prm.Result)
    assert summary.fiscal_calendar.first_month == 1
    plain = summary.to_dict()
    assert plain["fiscal_calendar"] == {"first_month": 1}
    assert not any(isinstance(v, prm.Result) for v in plain.values())


def test_to_json_is_the_wire_json() -> None:
    window = prm.calendar.trailing_window(as_of=dt.date(2026, 3, 31), months=3)
    wire = prm.call("calendar.trailing_window", {"as_of": "2026-03-31", "months": 3})
    assert json.loads(window.to_json()) == wire
    allocation = prm.money.allocate(total="1000.01", weights=["0.7", "0.3"], currency="EUR")
    assert json.loads(allocation.to_json(indent=2)) == {"parts": ["700.01", "300.00"], "currency": "EUR"}


def test_repr_is_readable_and_short() -> None:
    money = prm.money.round(amount="2.345", currency="EUR")
    assert repr(money) == "Money(amount=Decimal('2.34'), currency='EUR')"
    allocation = prm.money.allocate(total="100", weights=["1"] * 20, currency="EUR")
    text = repr(allocation)
    assert text.startswith("Allocation(parts=[Decimal('5.00'), ")
    assert "..." in text and len(text) < 200


def test_equality() -> None:
    a = prm.money.round(amount="2.345", currency="EUR")
    b = prm.money.round(amount=Decimal("2.345"), currency="EUR")
    assert a == b
    assert a != prm.money.round(amount="2.345", currency="USD")
    assert a != {"amount": Decimal("2.34"), "currency": "EUR"}
    assert prm.Result("Money", amount=Decimal("2.34"), currency="EUR") == a


RESULTS: list[Callable[[], Any]] = [
    lambda: prm.money.round(amount="2.345", currency="BHD"),
    lambda: prm.money.allocate(total="1000.01", weights=["0.7", "0.3"], currency="EUR"),
    lambda: prm.rate.normalize(rate="7%"),
    lambda: prm.calendar.add_months(date=dt.date(2024, 1, 31), months=1),
    lambda: prm.calendar.trailing_window(as_of=dt.date(2026, 3, 31), months=12),
    lambda: prm.calendar.fiscal_quarter(date=dt.date(2025, 8, 15), fiscal_calendar={"first_month": 7}),
    lambda: prm.Program.from_dict({"schema_version": 1, "currency": "EUR"}).validate(),
    lambda: prm.describe("money.round"),
]


@pytest.mark.parametrize("make", RESULTS)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_every_result_pickles_to_an_equal_value(make: Callable[[], Any], protocol: int) -> None:
    result = make()
    again = pickle.loads(pickle.dumps(result, protocol=protocol))
    assert again == result
    assert repr(again) == repr(result)
    assert again.to_json() == result.to_json()


SUCCESSES = [
    case
    for case in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.rglob("*.json")))
    if "expect" in case and "input" in case
]


@pytest.mark.parametrize("case", SUCCESSES, ids=lambda c: f"{c['op']}:{c['description'][:40]}")
def test_every_corpus_answer_converts_and_pickles(case: dict[str, Any]) -> None:
    """Each successful corpus case, through ``prm.run``: typed, equal to the wire JSON, and picklable.

    As engines add cases to the corpus, their results are covered here too.
    """
    result = prm.run(case["op"], case["input"])
    assert isinstance(result, prm.Result)
    assert json.loads(result.to_json()) == prm.call(case["op"], case["input"])
    assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_programs_operations_and_namespaces_pickle(sample_program: prm.Program, protocol: int) -> None:
    again = pickle.loads(pickle.dumps(sample_program, protocol=protocol))
    assert again == sample_program and hash(again) == hash(sample_program)
    bound = pickle.loads(pickle.dumps(sample_program.program.validate, protocol=protocol))
    assert bound().name == "Northwind Partner Network"
    namespace = pickle.loads(pickle.dumps(prm.money, protocol=protocol))
    assert namespace.round(amount="1", currency="EUR").amount == Decimal("1.00")
