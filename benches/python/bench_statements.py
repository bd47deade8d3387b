"""Python batch path against Rust on the same data: throughput and their ratio.

    python benches/python/bench_statements.py [--rows 1000000] [--repeat 3]

Builds ``--rows`` transactions as a pyarrow table (the embedded sample's
sales, repeated with fresh ids across the first quarter of 2026), times the
Python batch call on it, writes the very same rows as JSON and times prm's
Rust facade (``prm_core::api::call_value``) on them with
``cargo run --release -p prm-benches --example time_call``, then prints both
throughputs and Python's share of Rust's (the target is at least 0.5).

The operation is ``commission.statements`` (one request holding every
transaction, answered with one statement per partner) when this build of prm
has it. Until the commission engine lands it falls back to ``money.round``
once per row, which measures the same table-to-JSON-and-back path.

Install a release wheel first: ``maturin build --release`` (with
``--manifest-path prm-py/Cargo.toml``) and ``pip install`` it; a debug build
measures the debug build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

import prm

ROOT = Path(__file__).resolve().parents[2]


def transactions(rows: int) -> pa.Table:
    """``rows`` transactions from the sample's sales, spread over Q1 2026, with unique ids."""
    sales = [s for s in prm.sample.sales_records() if s["kind"] == "sale"]
    start, end = prm.sample.period()
    days = (end - start).days
    ids, partners, dates, amounts, costs, products, categories = [], [], [], [], [], [], []
    for i in range(rows):
        sale = sales[i % len(sales)]
        ids.append(f"B{i:07d}")
        partners.append(sale["partner_id"])
        dates.append(start + dt.timedelta(days=(i * 7919) % days))
        amounts.append(sale["amount"])
        costs.append(sale["cost"])
        products.append(sale["product_id"])
        categories.append(sale["category"])
    return pa.table(
        {
            "id": ids,
            "partner_id": partners,
            "date": pa.array(dates, pa.date32()),
            "amount": pa.array(amounts, pa.decimal128(18, 2)),
            "cost": pa.array(costs, pa.decimal128(18, 2)),
            "product_id": products,
            "category": categories,
        }
    )


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def rust(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, CARGO_TERM_COLOR="never")
    done = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "prm-benches", "--example", "time_call", "--", *args],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"time_call failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def best_of(repeat: int, work: Any) -> float:
    fastest = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--op", choices=["auto", "commission.statements", "money.round"], default="auto")
    args = parser.parse_args()
    op = args.op
    if op == "auto":
        op = "commission.statements" if "commission.statements" in prm.operations() else "money.round"
    table = transactions(args.rows)
    program = prm.sample.program()
    as_of = prm.sample.as_of()
    start, end = prm.sample.period()
    with tempfile.TemporaryDirectory() as scratch:
        work_dir = Path(scratch)
        if op == "commission.statements":
            fields = {"as_of": as_of, "period": {"start": start, "end": end}}
            request = {"program": program.to_dict(), "as_of": as_of.isoformat(),
                       "period": {"start": start.isoformat(), "end": end.isoformat()},
                       "transactions": [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]}
            (work_dir / "request.json").write_text(json.dumps(request))
            del request
            seconds = best_of(args.repeat, lambda: prm.frames.commission_statements(program, table, output="arrow", **fields))
            measured = rust(["batch", op, str(work_dir / "request.json"), str(args.repeat)])
        else:
            rows = table.select(["amount"]).append_column("currency", pa.array(["EUR"] * table.num_rows))
            (work_dir / "base.json").write_text(json.dumps({"mode": program.rounding}))
            with open(work_dir / "rows.jsonl", "w") as out:
                for row in rows.to_pylist():
                    out.write(json.dumps({k: plain(v) for k, v in row.items()}) + "\n")
            seconds = best_of(args.repeat, lambda: prm.money.round.map(rows, mode=program.rounding, output="arrow"))
            measured = rust(["map", op, str(work_dir / "base.json"), str(work_dir / "rows.jsonl"), str(args.repeat)])
    python_rate = args.rows / seconds
    rust_rate = float(measured["rows_per_second"])
    ratio = python_rate / rust_rate if rust_rate else 0.0
    print(f"operation      {op} ({'one batch request' if op == 'commission.statements' else 'one request per row'})")
    print(f"rows           {args.rows:,}")
    print(f"python (arrow) {seconds:8.3f} s  {python_rate:12,.0f} rows/s")
    print(f"rust (facade)  {measured['seconds']:8.3f} s  {rust_rate:12,.0f} rows/s")
    print(f"ratio          {ratio:.2f} (target >= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
