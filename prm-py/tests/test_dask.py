"""Scaling out: a real ``dask.distributed.LocalCluster`` with two worker processes.

The sample's sales are split into partitions by partner (every partner's
transactions in one partition), each worker computes its partitions with
prm, and the gathered result must equal the single-process result exactly:
same rows, same ``Decimal``s. The program travels to the workers pickled.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from typing import Any, Callable

import cloudpickle
import pandas as pd
import pytest

import prm
from conftest import requires

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

# The partition functions below travel to the workers by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def client() -> Any:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    # Refunds keep ``original_id``: a refund must name the sale it reverses.
    return prm.sample.sales_table().to_pandas().astype({"customer_id": object})


def statements(frame: pd.DataFrame, program: prm.Program) -> pd.DataFrame:
    """Each partner's statement over the sample's twelve months (operation ``commission.statements``).

    One period from the first sale (2025-04-01) to the quarter's end, so every
    refund finds the sale it claws back in the same request (a quarter alone
    would need the earlier statements' lines in ``prior_lines``). No
    ``partners`` are passed, so no distributor overrides cross partitions.
    """
    _, end = prm.sample.period()
    out = prm.frames.commission_statements(
        program, frame, as_of=prm.sample.as_of(), period={"start": date(2025, 4, 1), "end": end}
    )
    # The engine's answer has no typed schema yet, so amounts come back as
    # decimal strings: compare the totals as exact ``Decimal``s.
    for column in [c for c in out.columns if c.startswith("totals.")]:
        out[column] = out[column].map(Decimal)
    return out.sort_values("partner_id").reset_index(drop=True)


def quarters(frame: pd.DataFrame, program: prm.Program) -> pd.DataFrame:
    """The fiscal quarter of each transaction and its amount rounded by the program's mode.

    A per-row stand-in that runs on the operations of this build: it takes the
    same path as :func:`statements` (a pickled program, a table through Arrow,
    Decimals back) until ``commission.statements`` is in prm.
    """
    calendar = program.to_dict()["fiscal_calendar"]
    positions = program.calendar.fiscal_quarter.map(frame[["date"]], fiscal_calendar=calendar)
    rounded = program.money.round.map(frame[["amount"]], currency=program.currency, mode=program.rounding)
    out = pd.DataFrame(
        {
            "id": frame["id"].to_numpy(),
            "partner_id": frame["partner_id"].to_numpy(),
            "fiscal_year": positions["fiscal_year"].to_numpy(),
            "quarter": positions["quarter"].to_numpy(),
            "amount": rounded["amount"].to_numpy(),
        }
    )
    return out.sort_values("id").reset_index(drop=True)


def _distributed(
    client: Any, sales: pd.DataFrame, compute: Callable[..., pd.DataFrame], program: prm.Program, sort: str, meta: pd.DataFrame
) -> pd.DataFrame:
    by_partner = dd.from_pandas(sales, npartitions=4).shuffle(on="partner_id", npartitions=4)
    parts = by_partner.map_partitions(compute, program, meta=meta)
    gathered = client.compute(parts).result()
    return gathered.sort_values(sort).reset_index(drop=True)


@pytest.mark.parametrize(
    ("compute", "sort"),
    [
        pytest.param(statements, "partner_id", marks=requires("commission.statements"), id="statements"),
        pytest.param(quarters, "id", id="per-row-stand-in"),
    ],
)
def test_distributed_result_equals_single_process(
    client: Any, sales: pd.DataFrame, sample_program: prm.Program, compute: Callable[..., pd.DataFrame], sort: str
) -> None:
    assert len(client.scheduler_info()["workers"]) == 2
    single = compute(sales, sample_program).sort_values(sort).reset_index(drop=True)
    # The answer's columns, from the single-process result: an untyped answer
    # (no JSON Schema yet) to an empty table has no columns to copy.
    spread = _distributed(client, sales, compute, sample_program, sort, meta=single.head(0))
    pd.testing.assert_frame_equal(spread, single, check_dtype=True, check_exact=True)
    assert len(single) > 0
    money = [c for c in single.columns if single[c].map(lambda v: hasattr(v, "as_tuple")).all()]
    assert money, "expected Decimal columns"


def test_partitions_hold_whole_partners(sales: pd.DataFrame) -> None:
    by_partner = dd.from_pandas(sales, npartitions=4).shuffle(on="partner_id", npartitions=4)
    seen: dict[str, int] = {}
    for index in range(by_partner.npartitions):
        part = by_partner.get_partition(index).compute()
        for partner in part["partner_id"].unique():
            assert seen.setdefault(partner, index) == index
    assert len(seen) == sales["partner_id"].nunique()
