"""Commission statements of a transaction table: the typed road and the JSON road agree.

A table whose columns the binding reads straight into the core's transactions
(strings, ``date32``, ``decimal128``, integers) skips the JSON object per row;
any other table (a dictionary-encoded column, ``splits``, a float) takes the
JSON road. Both must give the same answer, and the same problems at the same
paths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import prm

YEAR = {"start": dt.date(2025, 4, 1), "end": dt.date(2026, 4, 1)}


def json_road(table: pa.Table) -> pa.Table:
    """The same table with ``kind`` dictionary-encoded, which the typed reader leaves to the JSON road."""
    index = table.schema.get_field_index("kind")
    return table.set_column(index, "kind", table.column("kind").dictionary_encode())


def statements(table: Any, **kwargs: Any) -> pa.Table:
    program = prm.sample.program()
    fields = {"as_of": prm.sample.as_of(), "period": YEAR, "partners": prm.sample.partners()}
    fields.update(kwargs)
    return prm.frames.commission_statements(program, table, output="arrow", **fields)


@pytest.mark.parametrize("lines", [False, True])
def test_the_typed_road_answers_as_the_json_road(lines: bool) -> None:
    sales = prm.sample.sales_table()
    typed = statements(sales, lines=lines)
    assert typed.num_rows > 100
    assert typed.equals(statements(json_road(sales), lines=lines))


@pytest.mark.parametrize("detail", ["lines", "totals"])
@pytest.mark.parametrize("lines", [False, True])
def test_the_typed_road_writes_the_same_table_and_answer(detail: str, lines: bool) -> None:
    """The typed road writes each statement as a row itself (``lines`` and
    ``explanation`` straight to JSON text); the JSON road flattens the whole
    answer. Cells, column types and the rest of the answer must agree."""
    sales = prm.sample.sales_table()
    program = prm.sample.program()
    fields = {"as_of": prm.sample.as_of(), "period": YEAR, "partners": prm.sample.partners(), "detail": detail}
    typed, typed_rest = prm.frames.commission_statements(
        program, sales, lines=lines, output="arrow", with_answer=True, **fields
    )
    plain, plain_rest = prm.frames.commission_statements(
        program, json_road(sales), lines=lines, output="arrow", with_answer=True, **fields
    )
    assert typed.schema == plain.schema
    assert typed.equals(plain)
    assert typed_rest == plain_rest
    assert typed_rest.totals.net > 0
    if not lines:
        assert typed.column("explanation").type == pa.string()
        first = typed.column("explanation")[0].as_py()
        assert first.startswith('[{"rule":"plan.')
        if detail == "totals":
            assert set(typed.column("lines").to_pylist()) == {"[]"}


def test_the_table_answers_as_the_records() -> None:
    sales = prm.sample.sales_table()
    table = statements(sales)
    answer = prm.sample.program().commission.statements(
        transactions=prm.sample.sales_records(), as_of=prm.sample.as_of(), period=YEAR, partners=prm.sample.partners()
    )
    assert table.column("partner_id").to_pylist() == [s.partner_id for s in answer.statements]
    assert [Decimal(str(v)) for v in table.column("totals.net").to_pylist()] == [
        Decimal(str(s.totals.net)) for s in answer.statements
    ]


def test_every_typed_column_kind() -> None:
    """Large strings, string views, integers for contract years, and nulls in optional columns."""
    table = pa.table(
        {
            "id": pa.array(["T1", "T2", "T3"], pa.large_string()),
            "partner_id": pa.array(["P1", "P1", "P1"], pa.string_view()),
            "date": pa.array([dt.date(2026, 1, 5), dt.date(2026, 1, 6), dt.date(2026, 3, 1)], pa.date32()),
            "kind": ["sale", "sale", "refund"],
            "amount": pa.array([Decimal("1000.00"), Decimal("250.00"), Decimal("400.00")], pa.decimal128(12, 2)),
            "quantity": pa.array([Decimal("2"), None, None], pa.decimal128(6, 0)),
            "contract_year": pa.array([1, 2, None], pa.int16()),
            "original_id": [None, None, "T1"],
            "paid_on": pa.array([dt.date(2026, 1, 20), None, None], pa.date32()),
        }
    )
    program = prm.Program.from_dict(
        {
            "schema_version": 1,
            "currency": "EUR",
            "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "10%"}]}]},
        }
    )
    typed = prm.frames.commission_statements(program, table, lines=True, as_of=dt.date(2026, 3, 31), output="arrow")
    plain = prm.frames.commission_statements(
        program, json_road(table), lines=True, as_of=dt.date(2026, 3, 31), output="arrow"
    )
    assert typed.equals(plain)
    assert [Decimal(str(v)) for v in typed.column("amount").to_pylist()] == [
        Decimal("100.00"),
        Decimal("25.00"),
        Decimal("-40.00"),
    ]


def _problems(table: pa.Table) -> list[tuple[str, str]]:
    program = prm.sample.program()
    with pytest.raises(prm.ValidationError) as info:
        prm.frames.commission_statements(program, table, as_of=prm.sample.as_of(), period=YEAR)
    return [(p.code, p.path) for p in info.value.problems]


def test_problems_have_the_same_paths_on_both_roads() -> None:
    table = pa.table(
        {
            "id": ["T1", "T2"],
            "partner_id": ["P1", "P1"],
            "date": pa.array([dt.date(2026, 1, 5), dt.date(2026, 1, 6)], pa.date32()),
            "kind": ["sale", "sale"],
            "amount": pa.array([Decimal("1000.00"), Decimal("1.001")], pa.decimal128(12, 3)),
        }
    )
    typed = _problems(table)
    assert ("money_precision", "$.transactions[1].amount") in typed
    assert typed == _problems(json_road(table))


def test_a_table_the_typed_reader_does_not_cover_still_reports_every_problem() -> None:
    table = pa.table(
        {
            "id": ["T1", None],
            "partner_id": ["P1", "P1"],
            "date": pa.array([dt.date(2026, 1, 5), dt.date(2026, 1, 6)], pa.date32()),
            "kind": ["sale", "rebate"],
            "amount": pa.array([Decimal("10.00"), Decimal("20.00")], pa.decimal128(12, 2)),
        }
    )
    problems = _problems(table)
    assert ("missing_field", "$.transactions[1].id") in problems
    assert any(path == "$.transactions[1].kind" for _, path in problems)
