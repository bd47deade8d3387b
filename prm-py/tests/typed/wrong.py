"""Mistakes ``mypy --strict`` must catch (``tests/test_typing.py`` expects each error)."""

from __future__ import annotations

from decimal import Decimal

import prm

prm.money.round(amount=Decimal("1"), currency="EUR", mode="nearest")  # E: mode
prm.money.round(amount=1.5, currency="EUR")  # E: float
text: str = prm.money.round(amount="1", currency="EUR").amount  # E: Decimal is not str
prm.calendar.trailing_window(months=12)  # E: as_of missing
