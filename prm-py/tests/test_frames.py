"""DataFrames in and out: pandas, polars and pyarrow through the Arrow PyCapsule interface."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from decimal import Decimal
from typing import Any, Optional

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import prm
from conftest import CORPUS

AMOUNTS = [Decimal("2.345"), Decimal("-2.345"), Decimal("10"), Decimal("0.005")]
CURRENCIES = ["EUR", "EUR", "JPY", "BHD"]
ROUNDED = [Decimal("2.35"), Decimal("-2.35"), Decimal("10"), Decimal("0.005")]


def amounts_in(library: str) -> Any:
    if library == "pandas":
        return pd.DataFrame({"amount": AMOUNTS, "currency": CURRENCIES})
    if library == "polars":
        return pl.DataFrame({"amount": AMOUNTS, "currency": CURRENCIES}, schema={"amount": pl.Decimal(20, 3), "currency": pl.String})
    return pa.table({"amount": pa.array(AMOUNTS, pa.decimal128(20, 3)), "currency": CURRENCIES})


# --- one request per row ------------------------------------------------------


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_map_reads_every_library(library: str) -> None:
    out = prm.money.round.map(amounts_in(library), mode="half_up", output="arrow")
    assert out.schema.field("amount").type == pa.decimal128(38, 3)  # the column's largest scale
    assert out.column("amount").to_pylist() == ROUNDED
    assert out.column("currency").to_pylist() == CURRENCIES


def test_map_to_pandas_gives_decimals_and_dates() -> None:
    table = pa.table({"date": pa.array([dt.date(2024, 1, 31), dt.date(2025, 12, 31)], pa.date32()), "months": [1, 2]})
    out = prm.calendar.add_months.map(table)
    assert isinstance(out, pd.DataFrame)
    assert list(out["date"]) == [dt.date(2024, 2, 29), dt.date(2026, 2, 28)]
    money = prm.money.round.map(amounts_in("pandas"))
    assert all(isinstance(v, Decimal) for v in money["amount"])


def test_map_to_polars_and_arrow_types() -> None:
    out = prm.calendar.trailing_window.map(
        pl.DataFrame({"as_of": [dt.date(2026, 3, 31)], "months": [12]}), output="polars"
    )
    assert out.schema["start"] == pl.Date
    assert out.schema["days"] == pl.Int64
    assert out.row(0, named=True)["start"] == dt.date(2025, 4, 1)


def test_map_shares_keyword_fields_and_refuses_duplicates() -> None:
    frame = pd.DataFrame({"amount": [Decimal("1.005")]})
    assert prm.money.round.map(frame, currency="EUR", output="arrow").column("amount").to_pylist() == [Decimal("1.00")]
    with pytest.raises(prm.ValidationError, match="both as a column and as an argument"):
        prm.money.round.map(amounts_in("pandas"), currency="EUR")


def test_map_reports_the_failing_row() -> None:
    frame = pd.DataFrame({"amount": [Decimal("1"), Decimal("2")], "currency": ["EUR", "EUX"]})
    with pytest.raises(prm.ValidationError) as info:
        prm.money.round.map(frame)
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("unknown_currency", "$[1].currency")


def test_a_float_column_is_refused_where_decimals_belong() -> None:
    frame = pd.DataFrame({"amount": [1.5, 2.25], "currency": ["EUR", "EUR"]})
    with pytest.raises(prm.ValidationError) as info:
        prm.money.round.map(frame)
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("wrong_type", "$[*].amount")
    assert "decimal" in (problem.help or "")


def test_a_timestamp_column_is_refused_where_dates_belong() -> None:
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-31"]), "months": [1]})
    with pytest.raises(prm.ValidationError) as info:
        prm.calendar.add_months.map(frame)
    assert info.value.problems[0].path == "$[*].date"
    # The fix the message suggests works.
    frame["date"] = frame["date"].dt.date
    assert list(prm.calendar.add_months.map(frame)["date"]) == [dt.date(2024, 2, 29)]


def test_pandas_index_is_not_a_column() -> None:
    frame = amounts_in("pandas").iloc[[2, 0]]  # a non-default index
    out = prm.money.round.map(frame, output="arrow")
    assert out.column_names == ["amount", "currency"]
    assert out.column("currency").to_pylist() == ["JPY", "EUR"]


def test_categoricals_and_nulls() -> None:
    frame = pd.DataFrame({"amount": ["1.005", "2.5"], "currency": pd.Categorical(["EUR", "USD"])})
    out = prm.money.round.map(frame, mode="up", output="arrow")
    assert out.column("amount").to_pylist() == [Decimal("1.01"), Decimal("2.50")]
    frame = pd.DataFrame({"amount": ["1.005", "2"], "currency": ["EUR", "EUR"], "mode": ["up", None]})
    out = prm.money.round.map(frame, output="arrow")  # a null is an absent field: the default mode
    assert out.column("amount").to_pylist() == [Decimal("1.01"), Decimal("2.00")]


def test_rename() -> None:
    frame = pd.DataFrame({"amt": [Decimal("2.345")], "ccy": ["EUR"]})
    out = prm.money.round.map(frame, rename={"amt": "amount", "ccy": "currency"}, output="arrow")
    assert out.column("amount").to_pylist() == [Decimal("2.34")]


def test_records_are_accepted_too() -> None:
    records = [{"amount": Decimal("2.345"), "currency": "EUR"}, {"amount": Decimal("2.345"), "currency": "EUR", "mode": "up"}]
    out = prm.money.round.map(records, output="arrow")  # `mode` first appears in the second record
    assert out.column("amount").to_pylist() == [Decimal("2.34"), Decimal("2.35")]


def test_unknown_output() -> None:
    with pytest.raises(ValueError, match="output must be one of"):
        prm.money.round.map(amounts_in("pandas"), output="excel")


def test_the_gil_is_released_while_computing() -> None:
    rows = 20_000
    table = pa.table({"amount": pa.array([Decimal("2.345")] * rows, pa.decimal128(10, 3)), "currency": ["EUR"] * rows})
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.05)
    before = ticks
    try:
        prm.money.round.map(table, output="arrow")
    finally:
        during = ticks - before
        stop.set()
        counter.join()
    # With the GIL held for the whole call the counter would barely move.
    assert during > 10_000, during


# --- many rows in one request (the engines' batch calls) -----------------------


def echo(table: Any, **kwargs: Any) -> pa.Table:
    """Table → JSON rows → the same rows back: the batch path without an engine."""
    kwargs.setdefault("rows", "rows")
    kwargs.setdefault("result", "rows")
    native, _rest = prm._prm._echo_frame({}, table, **kwargs)
    return pa.table(native)


def test_batch_rows_keep_every_type() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    table = pa.table(
        {
            "id": pa.array(["a", "b"], pa.large_string()),
            "amount": pa.array([Decimal("1234567.89"), Decimal("-0.01")], pa.decimal128(12, 2)),
            "rate": pa.array([Decimal("0.0000000000000000000000000001"), None], pa.decimal128(38, 28)),
            "day": pa.array([dt.date(2025, 12, 31), dt.date(2026, 1, 1)], pa.date32()),
            "at": pa.array([dt.datetime(2026, 1, 5, 9, 30, tzinfo=paris), None], pa.timestamp("ms", "Europe/Paris")),
            "count": pa.array([1, None], pa.int32()),
            "score": [0.5, 1.25],
            "ok": [True, False],
        }
    )
    plan = [("amount", "decimal"), ("rate", "decimal"), ("day", "date"), ("at", "date-time")]
    out = echo(table, columns=plan)
    assert out.schema.field("amount").type == pa.decimal128(38, 2)
    assert out.schema.field("rate").type == pa.decimal128(38, 28)
    assert out.schema.field("day").type == pa.date32()
    assert out.schema.field("at").type == pa.timestamp("us", "UTC")
    rows = out.to_pylist()
    assert rows[0]["amount"] == Decimal("1234567.89") and rows[1]["amount"] == Decimal("-0.01")
    assert rows[0]["rate"] == Decimal("1E-28") and rows[1]["rate"] is None
    assert [r["day"] for r in rows] == [dt.date(2025, 12, 31), dt.date(2026, 1, 1)]
    assert rows[0]["at"] == dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.timezone.utc)
    assert [r["count"] for r in rows] == [1, None]
    assert [r["score"] for r in rows] == [0.5, 1.25]
    assert [r["ok"] for r in rows] == [True, False]


def test_dotted_columns_nest_and_nested_answers_flatten() -> None:
    table = pa.table({"partner_id": ["P1"], "metrics.revenue": ["100.50"], "metrics.deals": [3], "tags": [["a", "b"]]})
    out = echo(table, columns=[("metrics.revenue", "decimal")])
    assert out.column_names == ["metrics.revenue", "partner_id", "metrics.deals", "tags"]
    row = out.to_pylist()[0]
    assert row["metrics.revenue"] == Decimal("100.50")
    assert json.loads(row["tags"]) == ["a", "b"]


def test_struct_and_list_columns_become_objects_and_arrays() -> None:
    table = pa.table({"id": ["L1"], "location": [{"lat": 48.1, "lon": 11.6}], "products": [["CLOUD", "EDGE"]]})
    native, _ = prm._prm._echo_frame({}, table, rows="rows", result="rows")
    assert pa.table(native).to_pylist() == [{"id": "L1", "location.lat": 48.1, "location.lon": 11.6, "products": '["CLOUD","EDGE"]'}]


def test_wide_decimals_fall_back_to_decimal256() -> None:
    table = pa.table({"x": ["79228162514264337593543950335", "0.0000000000000000000000000001"]})
    out = echo(table, columns=[("x", "decimal")])
    assert out.schema.field("x").type == pa.decimal256(76, 28)
    assert out.column("x").to_pylist()[0] == Decimal("79228162514264337593543950335")


def test_naive_timestamps_are_refused_where_instants_belong() -> None:
    table = pa.table({"at": pa.array([dt.datetime(2026, 1, 5, 9, 30)], pa.timestamp("us"))})
    with pytest.raises(prm.ValidationError) as info:
        echo(table, formats={"at": "date-time"})
    problem = info.value.problems[0]
    assert problem.path == "$.rows[*].at" and "tz_localize" in (problem.help or "")


def test_map_formats_apply_to_dotted_columns() -> None:
    table = pa.table({"metrics.revenue": [1.5]})
    with pytest.raises(prm.ValidationError) as info:
        echo(table, formats={"metrics.*": "decimal"})
    assert info.value.problems[0].path == "$.rows[*].metrics.revenue"


def test_polars_strings_and_pandas_input_through_the_batch_path() -> None:
    polars = pl.DataFrame({"id": ["x", "y"], "amount": [Decimal("1.10"), Decimal("2.20")]})
    assert echo(polars, columns=[("amount", "decimal")]).column("amount").to_pylist() == [Decimal("1.10"), Decimal("2.20")]
    pandas = pd.DataFrame({"id": ["x"], "day": [dt.date(2026, 2, 28)]}, index=[7])
    assert echo(prm.frames._stream(pandas), columns=[("day", "date")]).to_pylist() == [{"day": dt.date(2026, 2, 28), "id": "x"}]


def test_call_frame_needs_rows_it_can_find() -> None:
    with pytest.raises(TypeError, match="say which rows"):
        prm.frames.call_frame("money.round", amounts_in("pandas"))
    with pytest.raises(prm.PrmError) as info:
        prm.frames.call_frame("commission.statementz", amounts_in("pandas"), rows="transactions", result="statements")
    assert info.value.code == "unknown_operation"


# --- the engines' batch operations, driven by the corpus ------------------------


def _batch_cases() -> list[tuple[str, dict[str, Any], str, str]]:
    """Corpus cases whose request has a list of objects and whose answer has one too."""
    found = []
    for path in sorted(CORPUS.rglob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if "expect" not in case or "input" not in case or case["op"] not in prm.operations():
            continue
        description = prm.describe(case["op"])
        for rows in prm._schema.row_fields(description.request):
            items = case["input"].get(rows)
            if not isinstance(items, list) or not items:
                continue
            results = prm._schema.answer_row_lists(description.response)
            if not results:  # an answer schema without properties: look at the answer itself
                answer = prm.call(case["op"], case["input"])
                results = [k for k, v in answer.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
            for result in results:
                found.append((str(path.relative_to(CORPUS)), case, rows, result))
    return found


def _normal(value: Any, kind: Optional[str]) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "date-time":
        return prm._schema.parse_instant(value) if isinstance(value, str) else value
    if kind in ("json", None) and isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _lookup(row: Any, name: str) -> Any:
    for part in name.split("."):
        if not isinstance(row, dict):
            return None
        row = row.get(part)
    return row


@pytest.mark.parametrize(("where", "case", "rows", "result"), _batch_cases() or [pytest.param("", {}, "", "", marks=pytest.mark.skip(reason="no batch operation in this build of prm yet"))])
def test_corpus_batches_give_the_same_rows_through_a_table(where: str, case: dict[str, Any], rows: str, result: str) -> None:
    """A batch operation's rows through Arrow equal its JSON answer, column by column."""
    request = dict(case["input"])
    try:
        table = prm.frames._from_records(request.pop(rows))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        pytest.skip(f"{where}: the rows have no single Arrow type per column ({error})")
    answer = prm.call(case["op"], case["input"])
    out = prm.frames.call_frame(case["op"], table, rows=rows, result=result, output="arrow", **request)
    plan = dict(prm._schema.column_plan(prm.describe(case["op"]).response, result))
    want_rows = answer.get(result.split(".")[0].rstrip("[]"), [])
    got_rows = out.to_pylist()
    assert len(got_rows) == len(want_rows), where
    for got, want in zip(got_rows, want_rows):
        for column, value in got.items():
            kind = plan.get(column)
            assert _normal(value, kind) == _normal(_lookup(want, column), kind), f"{where}: {column}"


def test_the_engine_helpers_name_their_operations() -> None:
    for helper, op in [
        (prm.frames.commission_statements, "commission.statements"),
        (prm.frames.evaluate_tiers, "tiers.evaluate"),
        (prm.frames.route_leads, "routing.route_batch"),
    ]:
        assert op in (helper.__doc__ or "")
        if op not in prm.operations():
            with pytest.raises(prm.PrmError) as info:
                helper(prm.sample.program(), pa.table({"id": ["x"]}))
            assert info.value.code == "unknown_operation"


def test_sample_sales_table() -> None:
    sales = prm.sample.sales_table()
    assert sales.num_rows == len(prm.sample.quarter()["sales"])
    assert sales.schema.field("amount").type == pa.decimal128(18, 2)
    assert sales.schema.field("date").type == pa.date32()
