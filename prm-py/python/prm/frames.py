"""DataFrames in, DataFrames out.

A table (a pandas or polars DataFrame, a pyarrow Table, or anything with
``__arrow_c_stream__``) crosses into prm through the Arrow PyCapsule
interface: its columns are read in Rust, with the GIL released, and never
become Python objects. Each row becomes one object of the operation's
request (a transaction, a partner, a lead); the rows of the answer come back
as a table, with money as Arrow ``decimal128`` and dates as ``date32``.

* :func:`commission_statements`, :func:`evaluate_tiers` and :func:`route_leads`
  are the engines' batch calls;
* :func:`call_frame` runs any batch operation (``program.tiers.evaluate.frame(...)``
  is the same thing);
* :func:`map_frame` runs an operation once per row (``prm.money.round.map(...)``).

Column names may be dotted to nest (``metrics.revenue_12m`` fills
``{"metrics": {"revenue_12m": ...}}``), and nested answer objects come back as
dotted columns (``totals.net``). Decimal columns must be decimals: a float
column where the schema wants money is refused, as a float is everywhere in
prm, and so is a timestamp column where it wants dates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from . import _api, _prm, _schema
from ._errors import ValidationError

if TYPE_CHECKING:
    from ._api import Program

__all__ = [
    "call_frame",
    "map_frame",
    "commission_statements",
    "evaluate_tiers",
    "route_leads",
    "OUTPUTS",
]

#: The values ``output=`` accepts.
OUTPUTS = ("pandas", "arrow", "polars")


def _is_pandas(table: Any) -> bool:
    return type(table).__module__.split(".", 1)[0] == "pandas" and hasattr(table, "columns")


def _stream(table: Any) -> Any:
    """An object with ``__arrow_c_stream__`` for ``table``."""
    if _is_pandas(table):
        # pandas' own export keeps a non-default index as an extra column,
        # which prm would refuse as an unknown field: leave the index out.
        import pyarrow as pa

        return pa.Table.from_pandas(table, preserve_index=False)
    if hasattr(table, "__arrow_c_stream__"):
        return table
    if hasattr(table, "__arrow_c_array__"):
        import pyarrow as pa

        return pa.table(table)
    if isinstance(table, list) and all(isinstance(row, Mapping) for row in table):
        return _from_records(table)
    raise TypeError(
        f"expected a pandas or polars DataFrame, a pyarrow Table or an object with "
        f"__arrow_c_stream__, found {type(table).__name__}"
    )


def _from_records(records: List[Mapping[str, Any]]) -> Any:
    """A ``pyarrow.Table`` with a column for every key of any record.

    ``pyarrow.Table.from_pylist`` takes its columns from the first record
    only, which would silently drop a field that first appears later.
    """
    import pyarrow as pa

    keys: Dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    return pa.Table.from_pydict({key: [record.get(key) for record in records] for key in keys})


def _output(native: Any, output: str) -> Any:
    if output == "arrow":
        import pyarrow as pa

        return pa.table(native)
    if output == "pandas":
        import pyarrow as pa

        return pa.table(native).to_pandas()
    if output == "polars":
        import polars as pl

        return pl.DataFrame(native)
    raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")


def _records(table: Any) -> Any:
    """A small side table (partners next to leads) as a list of dicts; other values as they are."""
    if _is_pandas(table) or hasattr(table, "__arrow_c_stream__"):
        import pyarrow as pa

        return pa.table(_stream(table)).to_pylist()
    return table


def _choose(kind: str, op: str, given: Optional[str], candidates: List[str]) -> str:
    if given is not None:
        return given
    if len(candidates) == 1:
        return candidates[0]
    listed = ", ".join(repr(c) for c in candidates) or "none"
    raise TypeError(f"{op}: say which {kind} with {kind}=...; candidates: {listed}")


def _request(info: Any, program: Any, fields: Mapping[str, Any]) -> Dict[str, Any]:
    """The request's other fields; ``program`` is a ``Program`` or a program document."""
    request = {k: _records(v) for k, v in fields.items()}
    if isinstance(program, _api.Program):
        if info.takes_program:  # a program-bound operation that reads no program ignores it
            request["program"] = program._native
    elif program is not None:
        request["program"] = program
    return request


def call_frame(
    op: str,
    table: Any,
    /,
    *,
    rows: Optional[str] = None,
    result: Optional[str] = None,
    output: str = "pandas",
    rename: Optional[Mapping[str, str]] = None,
    with_answer: bool = False,
    program: Optional[Program | Mapping[str, Any]] = None,
    **fields: Any,
) -> Any:
    """Runs batch operation ``op`` with one request object per row of ``table``.

    Arguments:
        op: the operation, e.g. ``"tiers.evaluate"``.
        table: a pandas or polars DataFrame, a pyarrow Table, or anything with ``__arrow_c_stream__``.
        rows: the request field the rows fill (``"partners"``); inferred when only one field takes a list of objects.
        result: the rows of the answer to return (``"decisions"``, ``"statements[].lines"``); inferred likewise.
        output: ``"pandas"`` (default), ``"arrow"`` (a ``pyarrow.Table``) or ``"polars"``.
        rename: column renames applied before the rows are read (``{"amt": "amount"}``).
        with_answer: also return the rest of the answer (a summary, a routing state) as a ``Result``.
        program: the program (a ``Program`` or a document), for operations that read one;
            operations bound to a program pass it.
        **fields: the request's other fields (``as_of=date(2026, 3, 31)``).

    Raises:
        ValidationError: the rows or fields break the operation's rules; row ``i``'s problems
            have paths like ``$.partners[i].partner_id``, a whole column's ``$.partners[*].revenue``.
        PrmError: any other error answer.

    Returns:
        The table, or ``(table, answer)`` with ``with_answer=True``.
    """
    info = _api._info(op)
    rows = _choose("rows", op, rows, _schema.row_fields(info.request_schema))
    result = _choose("result", op, result, _schema.answer_row_lists(info.response_schema))
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
    request = _request(info, program, fields)
    try:
        native, rest = _prm.call_frame(
            op,
            request,
            _stream(table),
            rows=rows,
            result=result,
            rename=dict(rename or {}),
            formats=_schema.input_formats(info.request_schema, rows),
            columns=_schema.column_plan(info.response_schema, result),
        )
    except ValidationError as error:
        raise _api._pythonic_help(error) from None
    frame = _output(native, output)
    if with_answer:
        return frame, _api._convert(info, rest)
    return frame


def map_frame(
    op: str,
    table: Any,
    /,
    *,
    output: str = "pandas",
    rename: Optional[Mapping[str, str]] = None,
    program: Optional[Program | Mapping[str, Any]] = None,
    **fields: Any,
) -> Any:
    """Runs ``op`` once per row of ``table``: each row's columns are request fields.

    ``prm.money.round.map(df, currency="EUR")`` rounds every ``amount`` of
    ``df``; each answer is a row of the returned table. Fields given as
    keywords are shared by every row.

    Raises:
        ValidationError: a row breaks the operation's rules; paths start with ``$[row]``.
        PrmError: any other error answer.
    """
    info = _api._info(op)
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
    request = _request(info, program, fields)
    try:
        native = _prm.map_frame(
            op,
            request,
            _stream(table),
            rename=dict(rename or {}),
            formats=_schema.input_formats(info.request_schema, None),
            columns=_schema.column_plan(info.response_schema, None),
        )
    except ValidationError as error:
        raise _api._pythonic_help(error) from None
    return _output(native, output)


def commission_statements(
    program: Program,
    transactions: Any,
    /,
    *,
    lines: bool = False,
    output: str = "pandas",
    with_answer: bool = False,
    **fields: Any,
) -> Any:
    """Commission statements for a table of transactions (operation ``commission.statements``).

    One row per transaction (``id``, ``partner_id``, ``date``, ``kind``,
    ``amount``, ...); pass the request's other fields (``as_of``, ``period``,
    ``partners``, ``prior_lines``) as keywords. Returns one row per statement
    (totals flattened as ``totals.net``, ...), or one row per line with
    ``lines=True``.
    """
    return call_frame(
        "commission.statements",
        transactions,
        rows="transactions",
        result="statements[].lines" if lines else "statements",
        output=output,
        with_answer=with_answer,
        program=program,
        **fields,
    )


def evaluate_tiers(program: Program, partners: Any, /, *, output: str = "pandas", with_answer: bool = False, **fields: Any) -> Any:
    """Tier decisions for a table of partners' facts (operation ``tiers.evaluate``).

    One row per partner: ``partner_id`` and the facts, metric columns dotted
    (``metrics.revenue_12m``); pass ``as_of`` as a keyword. Returns one row
    per decision.
    """
    return call_frame(
        "tiers.evaluate", partners, rows="partners", result="decisions",
        output=output, with_answer=with_answer, program=program, **fields,
    )


def route_leads(program: Program, leads: Any, /, *, output: str = "pandas", with_answer: bool = False, **fields: Any) -> Any:
    """Routing decisions for a table of leads (operation ``routing.route_batch``).

    One row per lead; pass ``partners`` (a list of dicts or a table) and the
    previous ``state`` as keywords. ``with_answer=True`` also returns the new
    state to store for the next batch.
    """
    return call_frame(
        "routing.route_batch", leads, rows="leads", result="decisions",
        output=output, with_answer=with_answer, program=program, **fields,
    )
