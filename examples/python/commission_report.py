"""A quarter's commission statements for the sample program, as a table and a chart.

    python examples/python/commission_report.py --out commission_report.png

Northwind Partner Network's first quarter of 2026 (prm's embedded sample):
each partner's tier is evaluated on 2026-03-31 from its sales, people and
certifications, every statement of the quarter is computed in one batch call
over a pyarrow table of transactions, and the payouts are drawn by tier and
for the top partners. Amounts stay ``Decimal`` until they are drawn.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display needed

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

import prm  # noqa: E402

NEEDS = ("tiers.evaluate", "commission.statements")
SALE_FIELDS = ("id", "date", "kind", "amount", "customer_id")


def partner_tiers(program: prm.Program) -> dict[str, str]:
    """Each partner's tier on the quarter's last day, evaluated from its facts."""
    quarter = prm.sample.quarter()
    facts: dict[str, dict[str, Any]] = {
        p["id"]: {"partner_id": p["id"], "sales": [], "people": [], "awards": []} for p in quarter["partners"]
    }
    for sale in quarter["sales"]:
        facts[sale["partner_id"]]["sales"].append({k: sale[k] for k in SALE_FIELDS if k in sale})
    employer = {}
    for person in quarter["people"]:
        facts[person["partner_id"]]["people"].append(person)
        employer[person["id"]] = person["partner_id"]
    for award in quarter["awards"]:
        facts[employer[award["person_id"]]]["awards"].append(award)
    decisions = program.tiers.evaluate(partners=list(facts.values()), as_of=prm.sample.as_of()).decisions
    return {d.partner_id: d.tier or "none" for d in decisions}


def statements(program: prm.Program, tiers: dict[str, str]) -> pd.DataFrame:
    """One row per partner statement of the quarter (totals flattened: ``totals.net``, ...)."""
    start, end = prm.sample.period()
    sales = prm.sample.sales_table()
    in_quarter = sales.filter(pc.and_(pc.greater_equal(sales["date"], start), pc.less(sales["date"], end)))
    history = {partner: [{"tier": tier, "from": start}] for partner, tier in tiers.items() if tier != "none"}
    frame: pd.DataFrame = prm.frames.commission_statements(
        program,
        in_quarter,
        as_of=prm.sample.as_of(),
        period={"start": start, "end": end},
        partners=prm.sample.partners(),
        tier_history=history,
    )
    frame["tier"] = frame["partner_id"].map(tiers).fillna("none")
    return frame


def by_tier(frame: pd.DataFrame, ranks: list[str]) -> list[tuple[str, Decimal]]:
    """Net payouts per tier, in rank order; exact sums of ``Decimal``s."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for tier, net in zip(frame["tier"], frame["totals.net"]):
        totals[str(tier)] += Decimal(net)
    order = [t for t in ranks if t in totals] + sorted(set(totals) - set(ranks))
    return [(tier, totals[tier]) for tier in order]


def draw(frame: pd.DataFrame, ranks: list[str], out: Path, top: int = 10) -> Path:
    """Payouts by tier and the top partners, side by side, as a PNG."""
    tiers = by_tier(frame, ranks)
    leaders = sorted(zip(frame["partner_id"], frame["totals.net"]), key=lambda r: (-Decimal(r[1]), r[0]))[:top]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    left.bar([t for t, _ in tiers], [float(v) for _, v in tiers], color="#3b6ea5")
    left.set_title("Net commission by tier")
    left.set_ylabel("EUR")
    right.barh([str(p) for p, _ in reversed(leaders)], [float(v) for _, v in reversed(leaders)], color="#e08e45")
    right.set_title(f"Top {len(leaders)} partners")
    right.set_xlabel("EUR")
    figure.suptitle("Northwind Partner Network, Q1 2026")
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("commission_report.png"))
    args = parser.parse_args(argv)
    missing = [op for op in NEEDS if op not in prm.operations()]
    if missing:
        print(f"this build of prm does not have {', '.join(missing)} yet; no report")
        return 0
    program = prm.sample.program()
    frame = statements(program, partner_tiers(program))
    ranks = [t["id"] for t in sorted(program.to_dict()["tiers"]["tiers"], key=lambda t: t["rank"])]
    for tier, net in by_tier(frame, ranks):
        print(f"{tier:<12} {net:>14,.2f} EUR")
    total = sum((Decimal(v) for v in frame["totals.net"]), Decimal(0))
    print(f"{'total':<12} {total:>14,.2f} EUR over {len(frame)} statements")
    print(f"chart: {draw(frame, ranks, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
