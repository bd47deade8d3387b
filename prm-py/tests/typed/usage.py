"""Typed use of prm, checked with ``mypy --strict`` by ``tests/test_typing.py`` (and run by it too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import prm

if TYPE_CHECKING:
    from prm._generated import Money, Window


def rounded(amount: Decimal) -> Decimal:
    money: Money = prm.money.round(amount=amount, currency="EUR", mode="half_up")
    return money.amount


def window_days(as_of: dt.date) -> int:
    window: Window = prm.calendar.trailing_window(as_of=as_of, months=12)
    return window.days


def program_summary(document: dict[str, object]) -> tuple[str, list[str]]:
    program = prm.Program.from_dict(document)
    summary = program.validate()
    bound = program.program.validate()
    assert summary == bound
    return summary.currency, summary.sections


def first_problem(document: dict[str, object]) -> str | None:
    try:
        prm.Program.from_dict(document)
    except prm.ValidationError as error:
        return f"{error.problems[0].path}: {error.problems[0].code}"
    return None


def allocate(total: Decimal) -> list[Decimal]:
    return prm.money.allocate(total=total, weights=["0.7", "0.3"], currency="EUR").parts


def generic(op: str) -> prm.Result:
    result = prm.run(op, amount="1", currency="EUR")
    assert isinstance(result, prm.Result)
    return result


def main() -> None:
    assert rounded(Decimal("2.345")) == Decimal("2.35")
    assert window_days(dt.date(2026, 3, 31)) == 365
    assert program_summary({"schema_version": 1, "currency": "EUR"}) == ("EUR", [])
    assert first_problem({"schema_version": 1, "currency": "EUX"}) == "$.currency: unknown_currency"
    assert allocate(Decimal("1000.01")) == [Decimal("700.01"), Decimal("300.00")]
    assert generic("money.round").amount == Decimal("1.00")


if __name__ == "__main__":
    main()
