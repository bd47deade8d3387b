"""prm from Python: every engine on one page.   Run: python examples/python/quickstart.py"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import prm

AS_OF = dt.date(2026, 3, 31)
TIER_BENEFITS = {"lead_weight": "1", "deal_protection_days": 90, "mdf_accrual_rate": "1%", "mdf_activity_types": ["digital"]}
# One program document; each engine reads its own section. (Sections of engines
# this build of prm does not have yet are left out, and their steps skipped.)
SECTIONS: dict[str, tuple[str, Any]] = {
    "certifications": ("certifications.status", {"certifications": [
        {"id": "SALES-PRO", "name": "Sales Professional", "track": "sales", "level": 2, "validity_months": 24}]}),
    "tiers": ("tiers.evaluate", {
        "metrics": {"revenue": {"measure": {"kind": "revenue"}, "window": {"kind": "trailing_months", "months": 12}}},
        "tiers": [{"id": "registered", "name": "Registered", "rank": 0, "benefits": TIER_BENEFITS},
                  {"id": "gold", "name": "Gold", "rank": 2, "benefits": dict(TIER_BENEFITS, lead_weight="3", mdf_accrual_rate="2%"),
                   "requirements": [{"kind": "metric", "metric": "revenue", "at_least": "50000"}]}]}),
    "routing": ("routing.route", {"rules": [{"id": "draw", "strategy": {"kind": "weighted_random", "seed": "north"}}]}),
    "commissions": ("commission.statements", {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "5%"}]}]}),
    "mdf": ("mdf.allocate", {"funds": [{"id": "coop", "allocation": {"kind": "accrual"}, "claim_window_days": 60,
        "periods": [{"id": "2026-Q1", "start": "2026-01-01", "end": "2026-04-01", "pool": "10000.00"}],
        "activity_types": [{"id": "digital", "vendor_share": "50%"}]}]}),
}


def have(op: str) -> bool:
    if op not in prm.operations():
        print(f"{op}: not in this build of prm yet")
    return op in prm.operations()


document: dict[str, Any] = {"schema_version": 1, "name": "Quickstart Partners", "currency": "EUR"}
document.update({name: section for name, (op, section) in SECTIONS.items() if op in prm.operations()})
program = prm.Program.from_dict(document)  # invalid documents raise prm.ValidationError with every problem
print(program, "->", program.validate().sections)

print(prm.money.round(amount=Decimal("2.345"), currency="EUR", mode="half_up"))  # Decimal in, Decimal out
print(prm.calendar.fiscal_quarter(date=AS_OF, fiscal_calendar={"first_month": 7}).quarter_start)

if have("certifications.status"):
    awards = [{"person_id": "anna", "cert_id": "SALES-PRO", "earned_on": dt.date(2024, 4, 2)}]
    print("certification:", program.certifications.status(awards=awards, as_of=AS_OF).awards[0].status)
if have("tiers.evaluate"):
    facts = {"partner_id": "P1", "metrics": {"revenue": Decimal("61250.00")}}
    decision = program.tiers.evaluate(partner=facts, as_of=AS_OF).decision
    assert decision is not None  # one `partner` in, one `decision` out (a batch gets `decisions`)
    print("tier:", decision.tier)
if have("routing.route"):
    partner = {"partner": {"id": "P1", "name": "Alpine IT", "kind": "reseller", "status": "active", "country": "DE"}, "lead_weight": "3"}
    lead = {"id": "L-1", "created_at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc), "country": "DE"}
    print("lead:", program.routing.route(partners=[partner], lead=lead).decision.outcome)
if have("deal_registration.check"):
    deal = {"id": "D-1", "partner_id": "P1", "customer": {"name": "Acme GmbH", "domain": "acme.de"},
            "products": ["CLOUD-SUITE"], "submitted_on": AS_OF, "status": "submitted"}
    check = program.deal_registration.check(registration=deal, existing=[], as_of=AS_OF)
    print("deal:", check.outcome, check.expires_on)
if have("commission.statements"):
    sales = [{"id": "T1", "partner_id": "P1", "date": dt.date(2026, 2, 10), "amount": Decimal("12000.00")}]
    statement = program.commission.statements(transactions=sales, as_of=AS_OF).statements[0]
    print("commission:", statement.partner_id, statement.totals.net)
if have("mdf.allocate"):
    accounts = [{"partner_id": "P1", "tier": "gold", "previous_revenue": Decimal("61250.00")}]
    print("mdf:", program.mdf.allocate(fund="coop", period="2026-Q1", partners=accounts).lines[0].amount)
try:
    prm.money.round(amount=12.5, currency="EUR")  # type: ignore[call-overload]  # floats are refused, by mypy too
except prm.ValidationError as error:
    print("refused:", error.problems[0].path, error.problems[0].code)
