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


def in_stream_order(table: pa.Table) -> pa.Table:
    """The rows by date, sales before refunds, then id: the order a run takes them in."""
    rows = sorted(
        range(table.num_rows),
        key=lambda i: (
            table.column("date")[i].as_py(),
            table.column("kind")[i].as_py() != "sale",
            table.column("id")[i].as_py(),
        ),
    )
    return table.take(rows)


def test_a_table_in_stream_order_answers_as_the_json_road() -> None:
    """A table in stream order is fed to the run a chunk at a time (the
    sample's own order is not, and is built whole); both as the JSON road."""
    sales = prm.sample.sales_table()
    ordered = in_stream_order(sales)
    assert not ordered.equals(sales)
    typed, typed_rest = statements(ordered, with_answer=True)
    plain, plain_rest = statements(json_road(ordered), with_answer=True)
    assert typed.equals(plain)
    assert typed_rest == plain_rest
    assert typed.equals(statements(sales))


def test_chunks_of_a_large_ordered_table_answer_as_the_json_road() -> None:
    """More rows than one chunk (16,384), with refunds reaching back across
    chunks; then a refund dated before its sale and a duplicate id near the
    end: the same answer, or the same problems at the same paths."""
    n = 40_000
    rows: list[dict[str, Any]] = []
    for i in range(n):
        date = dt.date(2026, 1, 1) + dt.timedelta(days=i * 89 // n)
        if i % 50 == 49:
            sale = i - 20_001 if i >= 20_001 else i - 1  # an earlier sale (its number ends in 48)
            rows.append({"id": f"T{i:06d}", "partner_id": f"P{sale % 37}", "date": date, "kind": "refund",
                         "amount": Decimal("10.00"), "original_id": f"T{sale:06d}"})
        else:
            rows.append({"id": f"T{i:06d}", "partner_id": f"P{i % 37}", "date": date, "kind": "sale",
                         "amount": Decimal("100.00"), "original_id": None})
    schema = pa.schema([("id", pa.string()), ("partner_id", pa.string()), ("date", pa.date32()),
                        ("kind", pa.string()), ("amount", pa.decimal128(12, 2)), ("original_id", pa.string())])
    table = in_stream_order(pa.Table.from_pylist(rows, schema=schema))
    program = prm.Program.from_dict(
        {
            "schema_version": 1,
            "currency": "EUR",
            "commissions": {"plans": [{"id": "std", "clawback_window_days": 365,
                                       "rates": [{"kind": "percent", "id": "base", "rate": "10%"}]}]},
        }
    )

    def run(t: pa.Table) -> Any:
        return prm.frames.commission_statements(program, t, output="arrow", as_of=dt.date(2026, 3, 31), with_answer=True)

    typed, typed_rest = run(table)
    plain, plain_rest = run(json_road(table))
    assert typed.num_rows == 37
    assert typed.equals(plain)
    assert typed_rest == plain_rest

    # The first refund now names the last sale (booked weeks later), and the
    # last row comes twice: both need the whole table to be diagnosed.
    faulty = table.to_pylist()
    first_refund = next(i for i, r in enumerate(faulty) if r["kind"] == "refund")
    last_sale = next(r for r in reversed(faulty) if r["kind"] == "sale")
    faulty[first_refund] = {**faulty[first_refund], "original_id": last_sale["id"], "partner_id": last_sale["partner_id"]}
    faulty.append(dict(faulty[-1]))
    faulty_table = pa.Table.from_pylist(faulty, schema=schema)

    def problems(t: pa.Table) -> list[tuple[str, str]]:
        with pytest.raises(prm.ValidationError) as info:
            run(t)
        return [(p.code, p.path) for p in info.value.problems]

    found = problems(faulty_table)
    assert ("duplicate_id", f"$.transactions[{n}].id") in found
    assert ("commission_refund_before_original", f"$.transactions[{first_refund}].date") in found
    assert found == problems(json_road(faulty_table))


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


@pytest.mark.parametrize("ordered", [True, False])
def test_a_bad_request_and_a_bad_cell_are_reported_as_on_the_json_road(ordered: bool) -> None:
    """An unknown plan and a null amount: the typed road must not report the
    plan alone (it fails before reading every cell); the JSON road's problems."""
    ids = ["T1", "T2"] if ordered else ["T2", "T1"]
    table = pa.table(
        {
            "id": ids,
            "partner_id": ["P1", "P1"],
            "date": pa.array([dt.date(2026, 1, 5), dt.date(2026, 1, 6)], pa.date32()),
            "kind": ["sale", "sale"],
            "amount": pa.array([Decimal("10.00"), None], pa.decimal128(12, 2)),
        }
    )
    program = prm.sample.program()

    def problems(t: pa.Table) -> list[tuple[str, str]]:
        with pytest.raises(prm.ValidationError) as info:
            prm.frames.commission_statements(program, t, as_of=prm.sample.as_of(), period=YEAR, plan="nope")
        return [(p.code, p.path) for p in info.value.problems]

    typed = problems(table)
    assert any(path.startswith("$.transactions[1]") for _, path in typed), typed
    assert typed == problems(json_road(table))


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
