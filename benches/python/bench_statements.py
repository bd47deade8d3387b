"""Commission statements from a pyarrow table against Rust, on the same 1,000,000 transactions.

    python benches/python/bench_statements.py [--repeat 3] [--data DIR]

The workload is the criterion bench's (``benches/benches/commission.rs``):
1,000,000 transactions over 10,000 partners under the sample program's
reseller plan, with tier histories and about one refund per thirty sales,
generated from a fixed seed by ``prm_benches::commission_workload``. The
example ``commission_workload`` (run here with ``cargo run --release``)
writes it as ``transactions.csv`` and ``request.json``; this script reads
the CSV into a pyarrow table (amounts ``decimal128(18, 2)``, dates
``date32``), which is not timed, and times

* Python: ``prm.frames.commission_statements(program, table, detail="totals", ...)``,
  everything a caller waits for: the Arrow columns read into the core's
  transactions, the computation, and the statements back as a pyarrow table;
* Rust, through the same example: the engine as the criterion bench
  ``commission_stream_1m_totals`` times it (a ``StatementRun`` fed the typed
  transactions), and the JSON facade (``prm_core::api::call_value``) on the
  same request as JSON values.

It prints each throughput (best of ``--repeat``), Python's share of the
engine's (the target is at least 0.5) and of the facade's, and checks that
Python's statements add up to the net Rust computed. With ``--json-road`` it
also times the same call on the table with ``kind`` dictionary-encoded, which
the binding does not read straight into transactions: the general road, a
JSON object per row, for comparison.

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
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv

import prm

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ["cargo", "run", "--quiet", "--release", "-p", "prm-benches", "--example", "commission_workload", "--"]

#: The column types of ``transactions.csv``: what a caller's table would hold.
COLUMNS = {
    "id": pa.string(),
    "partner_id": pa.string(),
    "date": pa.date32(),
    "kind": pa.string(),
    "amount": pa.decimal128(18, 2),
    "cost": pa.decimal128(18, 2),
    "quantity": pa.decimal128(18, 0),
    "product_id": pa.string(),
    "category": pa.string(),
    "original_id": pa.string(),
}


def example(*args: str) -> str:
    env = dict(os.environ, CARGO_TERM_COLOR="never")
    done = subprocess.run([*EXAMPLE, *args], cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"commission_workload {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def read_table(path: Path) -> pa.Table:
    """The transactions as a pyarrow table; an empty cell is a null."""
    options = csv.ConvertOptions(column_types=COLUMNS, strings_can_be_null=True, null_values=[""])
    return csv.read_csv(path, convert_options=options)


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    fastest, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, help="reuse (or keep) the written workload in this directory")
    parser.add_argument("--json-road", action="store_true", help="also time the general road (a JSON object per row)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        data = args.data or Path(scratch)
        if not (data / "transactions.csv").exists():
            example("write", str(data))
        table = read_table(data / "transactions.csv")
        request = json.loads((data / "request.json").read_text())

    program = prm.Program.from_dict(request["program"])
    fields = {
        "as_of": dt.date.fromisoformat(request["as_of"]),
        "plan": request["plan"],
        "detail": request["detail"],
        "tier_history": request["tier_history"],
    }
    seconds, statements = best_of(
        args.repeat,
        lambda: prm.frames.commission_statements(program, table, output="arrow", **fields),
    )
    road = None
    if args.json_road:
        kind = table.schema.get_field_index("kind")
        general = table.set_column(kind, "kind", table.column("kind").dictionary_encode())
        road = best_of(
            args.repeat,
            lambda: prm.frames.commission_statements(program, general, output="arrow", **fields),
        )
        if not road[1].equals(statements):
            raise SystemExit("the general road answered differently")
    rust = json.loads(example("time", str(args.repeat)).strip().splitlines()[-1])

    rows = table.num_rows
    python_rate = rows / seconds
    engine_rate = float(rust["engine"]["rows_per_second"])
    facade_rate = float(rust["facade"]["rows_per_second"])
    # str() first: the column holds decimals (or, in older builds, their text).
    net = sum((Decimal(str(v)) for v in statements.column("totals.net").to_pylist()), Decimal(0))
    agree = net == Decimal(rust["net"])

    print("operation        commission.statements (detail: totals), plan reseller, as of", fields["as_of"])
    print(f"transactions     {rows:,} over {len(set(pc.unique(table['partner_id']).to_pylist())):,} partners")
    print(f"python (arrow)   {seconds:8.3f} s  {python_rate:12,.0f} rows/s")
    if road is not None:
        print(f"python (json)    {road[0]:8.3f} s  {rows / road[0]:12,.0f} rows/s  (a JSON object per row)")
    print(f"rust (engine)    {rust['engine']['seconds']:8.3f} s  {engine_rate:12,.0f} rows/s")
    print(f"rust (facade)    {rust['facade']['seconds']:8.3f} s  {facade_rate:12,.0f} rows/s")
    print(f"ratio            {python_rate / engine_rate:.2f} of the engine (target >= 0.50), "
          f"{python_rate / facade_rate:.2f} of the facade")
    print(f"net              python {net}, rust {rust['net']}: {'the same' if agree else 'DIFFERENT'}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
