"""The embedded sample: Northwind Partner Network's first quarter of 2026.

About two hundred partners in nine European countries, their people and
certifications, twelve months of sales and the quarter's leads, generated in
prm-core from a fixed seed, so every machine gets the same data. The
examples, the docs and the benchmarks use it.

    >>> from prm import sample
    >>> sample.program().name
    'Northwind Partner Network'
    >>> sample.as_of()
    datetime.date(2026, 3, 31)
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
from decimal import Decimal
from typing import Any, Dict, List, Tuple

from . import _prm
from ._api import Program

__all__ = ["quarter", "program", "as_of", "period", "sales_records", "sales_table", "partners"]


@functools.lru_cache(maxsize=1)
def _quarter() -> Dict[str, Any]:
    return _prm._sample_quarter()  # type: ignore[no-any-return]


def quarter() -> Dict[str, Any]:
    """The whole sample as JSON data: ``program``, ``partners``, ``people``,
    ``awards``, ``sales``, ``leads``, ``quarter`` (``start``, ``end``) and ``as_of``."""
    return copy.deepcopy(_quarter())


def program() -> Program:
    """The sample program document, validated."""
    return Program.from_dict(_quarter()["program"])


def as_of() -> _dt.date:
    """The day the sample quarter is evaluated: its last day, 2026-03-31."""
    return _dt.date.fromisoformat(_quarter()["as_of"])


def period() -> Tuple[_dt.date, _dt.date]:
    """The sample quarter as ``(start, end)``, half-open: 2026-01-01 to 2026-04-01."""
    q = _quarter()["quarter"]
    return _dt.date.fromisoformat(q["start"]), _dt.date.fromisoformat(q["end"])


def partners() -> List[Dict[str, Any]]:
    """The sample partners as JSON data."""
    return copy.deepcopy(_quarter()["partners"])


_DECIMALS = ("amount", "cost")
_DATES = ("date",)


def sales_records() -> List[Dict[str, Any]]:
    """Twelve months of sales and refunds, one dict per transaction, with
    ``Decimal`` amounts and ``date`` dates."""
    records = []
    for sale in _quarter()["sales"]:
        record = dict(sale)
        for key in _DECIMALS:
            if record.get(key) is not None:
                record[key] = Decimal(record[key])
        for key in _DATES:
            if record.get(key) is not None:
                record[key] = _dt.date.fromisoformat(record[key])
        records.append({k: v for k, v in record.items() if v is not None})
    return records


def sales_table() -> Any:
    """The sales as a ``pyarrow.Table``: amounts ``decimal128(18, 2)``, dates ``date32``."""
    import pyarrow as pa

    records = sales_records()
    fields = [
        pa.field("id", pa.string()),
        pa.field("partner_id", pa.string()),
        pa.field("date", pa.date32()),
        pa.field("kind", pa.string()),
        pa.field("amount", pa.decimal128(18, 2)),
        pa.field("cost", pa.decimal128(18, 2)),
        pa.field("product_id", pa.string()),
        pa.field("category", pa.string()),
        pa.field("customer_id", pa.string()),
        pa.field("original_id", pa.string()),
    ]
    known = {f.name for f in fields}
    extra = sorted({k for r in records for k in r} - known)
    schema = pa.schema(fields + [pa.field(name, pa.string()) for name in extra])
    return pa.Table.from_pylist(records, schema=schema)
