"""A quarter's commission statements for the sample program, as a table and a chart.

    python examples/python/commission_report.py --out commission_report.png

Northwind Partner Network's first quarter of 2026 (prm's embedded sample):
each partner's tier is evaluated on 2026-03-31 from its sales, people and
certifications (the sample records no deployments: an empty list of
observations), every statement of the quarter is computed in one batch call
over a pyarrow table of transactions, with the lines of the nine months before
it as ``prior_lines`` so refunds of earlier sales claw back what was paid, and
the payouts are drawn by tier and for the top partners. Amounts stay exact
decimals until they are drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
SIGNED = ("active", "suspended")  # statuses that have signed the partner agreement


def fnv1a64(text: str) -> int:
    """The 64-bit FNV-1a hash prm's sample draws from."""
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) % 2**64
    return value


def partner_tiers(program: prm.Program) -> dict[str, str]:
    """Each partner's tier on the quarter's last day, evaluated from its facts."""
    quarter = prm.sample.quarter()
    facts: dict[str, dict[str, Any]] = {
        p["id"]: {
            "partner_id": p["id"],
            # as in prm's sample: about one partner in twenty has not signed yet
            "flags": {"agreement_signed": p["status"] in SIGNED and fnv1a64(p["id"]) % 20 != 0},
            "sales": [],
            "observations": [],
            "people": [],
            "awards": [],
        }
        for p in quarter["partners"]
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
    assert decisions is not None  # a batch of `partners` in, `decisions` out
    return {d.partner_id: d.tier or "none" for d in decisions}


def statements(program: prm.Program, tiers: dict[str, str]) -> pd.DataFrame:
    """One row per partner statement of the quarter (totals flattened: ``totals.net``, ...)."""
    start, end = prm.sample.period()
    sales = prm.sample.sales_table()
    in_quarter = sales.filter(pc.and_(pc.greater_equal(sales["date"], start), pc.less(sales["date"], end)))
    history = {partner: [{"tier": tier, "from": start}] for partner, tier in tiers.items() if tier != "none"}
    partners = prm.sample.partners()
    # The nine months before the quarter, settled as one period: their lines let
    # the quarter's refunds of earlier sales claw back what was paid for them.
    earlier = program.commission.statements(
        transactions=[s for s in prm.sample.sales_records() if s["date"] < start],
        as_of=start - dt.timedelta(days=1),
        period={"start": dt.date(2025, 4, 1), "end": start},
        partners=partners,
        tier_history=history,
    )
    frame: pd.DataFrame = prm.frames.commission_statements(
        program,
        in_quarter,
        as_of=prm.sample.as_of(),
        period={"start": start, "end": end},
        partners=partners,
        tier_history=history,
        prior_lines=[line.to_dict() for s in earlier.statements for line in s.lines],
        carry_forward={s.partner_id: s.carry_forward.to_dict() for s in earlier.statements},
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
