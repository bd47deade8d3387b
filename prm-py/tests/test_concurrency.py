"""One ``prm.Program`` shared by 8 threads: every answer is the sequential one.

The mix covers every engine operation (the conformance corpus through the
bound, idiomatic calls, each program built once and shared), the embedded
sample quarter (tiers, commission statements, routing), and the DataFrame
batch calls, which release the GIL while they compute, so threads really do
run inside the core at the same time. Each thread runs the whole mix in its
own order; results are compared as ``to_dict()``, Arrow tables with
``equals``, and errors as their code and problems.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, Callable, Dict, List, Tuple

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pytest

import prm
from conftest import CORPUS

THREADS = 8
#: The sample's twelve months of sales, settled as one period, so every refund finds its sale.
YEAR = {"start": dt.date(2025, 4, 1), "end": dt.date(2026, 4, 1)}

Call = Tuple[str, Callable[[], Any]]


def _plain(value: Any) -> Any:
    """A comparable form of an answer: Results as dicts, tables as Python rows."""
    if isinstance(value, prm.Result):
        return value.to_dict()
    if isinstance(value, pa.Table):
        return (value.schema, value.to_pylist())
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _outcome(run: Callable[[], Any]) -> Tuple[str, Any]:
    try:
        return "ok", _plain(run())
    except prm.PrmError as error:
        return "error", (error.code, error.message, [p.to_dict() for p in error.problems])


def _bound(program: prm.Program, op: str) -> Any:
    namespace, verb = op.split(".", 1)
    return getattr(getattr(program, namespace), verb)


def _corpus_calls() -> List[Call]:
    """Every engine case of the corpus, its program built once and shared by its calls."""
    engine_ops = {
        op
        for op in prm.operations()
        if "." in op and op.split(".")[0] not in {"money", "calendar", "rate", "program"}
    }
    programs: Dict[str, prm.Program] = {}
    calls: List[Call] = []
    for path in sorted(CORPUS.rglob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        data = case.get("input")
        if case["op"] not in engine_ops or not isinstance(data, dict) or "program" not in data:
            continue
        key = json.dumps(data["program"], sort_keys=True)
        if key not in programs:
            try:
                programs[key] = prm.Program.from_dict(data["program"])
            except prm.PrmError:
                continue  # a case about an invalid program: nothing to share
        request = {k: v for k, v in data.items() if k != "program"}
        operation = _bound(programs[key], case["op"])
        calls.append((f"{path.relative_to(CORPUS)}", lambda operation=operation, request=request: operation(request)))
    return calls


def _first_partners(count: int) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]], pa.Table]:
    """The sample's first ``count`` partners, their sales as records and as a table.

    A partner's refunds reverse its own sales, so the subset settles on its own.
    """
    partners = sorted(prm.sample.partners(), key=lambda p: p["id"])[:count]
    ids = {p["id"] for p in partners}
    records = [s for s in prm.sample.sales_records() if s["partner_id"] in ids]
    sales = prm.sample.sales_table()
    table = sales.filter(pa.compute.is_in(sales["partner_id"], value_set=pa.array(sorted(ids))))
    return partners, records, table


def _sample_calls() -> List[Call]:
    """The sample quarter through the idiomatic calls and the DataFrame batch calls, on one Program."""
    program = prm.sample.program()
    quarter = prm.sample.quarter()
    as_of = prm.sample.as_of()
    partners, records, sales = _first_partners(40)
    period = YEAR
    facts: Dict[str, Dict[str, Any]] = {
        p["id"]: {
            "partner_id": p["id"],
            "flags": {"agreement_signed": p["status"] in ("active", "suspended")},
            "sales": [],
            "observations": [],
            "people": [],
            "awards": [],
        }
        for p in partners
    }
    for sale in quarter["sales"]:
        if sale["partner_id"] not in facts:
            continue
        facts[sale["partner_id"]]["sales"].append(
            {k: sale[k] for k in ("id", "date", "kind", "amount", "customer_id") if k in sale}
        )
    employer = {}
    for person in quarter["people"]:
        if person["partner_id"] in facts:
            facts[person["partner_id"]]["people"].append(person)
            employer[person["id"]] = person["partner_id"]
    for award in quarter["awards"]:
        if award["person_id"] in employer:
            facts[employer[award["person_id"]]]["awards"].append(award)
    amounts = pa.table(
        {
            "amount": pa.array([Decimal(f"{i}.{i % 1000:03d}") for i in range(20_000)], pa.decimal128(18, 3)),
            "currency": ["EUR", "JPY", "BHD", "HUF"] * 5_000,
        }
    )
    return [
        ("sample: tiers.evaluate", lambda: program.tiers.evaluate(partners=list(facts.values()), as_of=as_of)),
        (
            "sample: commission.statements",
            lambda: program.commission.statements(transactions=records, as_of=as_of, period=period, partners=partners),
        ),
        (
            "sample: frames.commission_statements",
            lambda: prm.frames.commission_statements(
                program, sales, as_of=as_of, period=period, partners=partners, output="arrow"
            ),
        ),
        (
            "sample: frames.commission_statements lines",
            lambda: prm.frames.commission_statements(
                program, sales, lines=True, as_of=as_of, period=period, partners=partners, output="arrow"
            ),
        ),
        ("sample: money.round.map", lambda: prm.money.round.map(amounts, mode="half_up", output="arrow")),
    ]


@pytest.fixture(scope="module")
def calls() -> List[Call]:
    return _corpus_calls() + _sample_calls()


def test_the_mix_covers_every_engine_operation(calls: List[Call]) -> None:
    for name, run in calls:
        if name.startswith("sample: "):
            assert _outcome(run)[0] == "ok", name  # the sample calls compute, not fail
    names = {name for name, _ in calls}
    assert len(names) == len(calls)
    engines = {
        op for op in prm.operations() if "." in op and op.split(".")[0] not in {"money", "calendar", "rate", "program"}
    }
    covered = set()
    for path in CORPUS.rglob("*.json"):
        if str(path.relative_to(CORPUS)) in names:
            covered.add(json.loads(path.read_text(encoding="utf-8"))["op"])
    assert covered == engines
    assert len(calls) >= 200


def test_eight_threads_answer_as_sequential_calls(calls: List[Call]) -> None:
    expected = [_outcome(run) for _, run in calls]

    def worker(seed: int) -> Dict[int, Tuple[str, Any]]:
        order = list(range(len(calls)))
        random.Random(seed).shuffle(order)  # each thread its own order
        return {i: _outcome(calls[i][1]) for i in order}

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    assert len(results) == THREADS
    for thread, answers in enumerate(results):
        for i, (name, _) in enumerate(calls):
            assert answers[i] == expected[i], f"thread {thread}: {name}"


def test_the_dataframe_batch_calls_overlap_and_agree() -> None:
    """Many copies of the Arrow batch call at once: each thread computes with the GIL released."""
    program = prm.sample.program()
    sales = prm.sample.sales_table()
    fields = {"as_of": prm.sample.as_of(), "period": YEAR, "partners": prm.sample.partners()}
    expected = prm.frames.commission_statements(program, sales, lines=True, output="arrow", **fields)
    assert expected.num_rows > 1_000

    def statements(_: int) -> pa.Table:
        return prm.frames.commission_statements(program, sales, lines=True, output="arrow", **fields)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        tables = list(pool.map(statements, range(THREADS)))
    for table in tables:
        assert table.equals(expected)


def test_results_keep_their_types_across_threads() -> None:
    """Decimal and date answers (or their strings) are the same values from every thread."""
    program = prm.sample.program()
    as_of = prm.sample.as_of()
    _, records, _ = _first_partners(60)

    def net(_: int) -> List[Tuple[str, Decimal, str]]:
        answer = program.commission.statements(transactions=records, as_of=as_of, period=YEAR)
        # str() first: the answer may carry Decimal and date, or their strings.
        return [(s.partner_id, Decimal(str(s.totals.net)), str(s.period.start)) for s in answer.statements]

    sequential = net(0)
    assert len(sequential) > 30
    assert all(day == "2025-04-01" for _, _, day in sequential)
    assert sum(n for _, n, _ in sequential) > 0
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for result in pool.map(net, range(THREADS)):
            assert result == sequential
