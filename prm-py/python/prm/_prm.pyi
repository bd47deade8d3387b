"""The native module; import :mod:`prm` instead."""

from typing import Any, Mapping, Optional, Sequence, Union, final

__all__ = [
    "NativeProgram",
    "_echo_frame",
    "_guard_selftest",
    "_sample_quarter",
    "call",
    "call_frame",
    "map_frame",
    "operations",
    "version",
]

def version() -> str:
    """prm's version, e.g. ``0.1.0``."""

def operations() -> list[str]:
    """The name of every operation, sorted."""

def call(op: str, data: Union[Mapping[str, Any], str], /) -> Any:
    """Runs operation ``op`` on a request and returns its result as plain JSON data.

    Arguments:
        op: the operation's stable name, e.g. ``"program.validate"``.
        data: the request, as JSON text or as Python data (``Decimal``, ``date``
            and aware ``datetime`` are written as prm's JSON).

    Raises:
        ValidationError: the request breaks one or more rules (code ``invalid``).
        PrmError: any other error answer (``unknown_operation``, ``overflow``, ...).

    Returns:
        The operation's result, as ``json.loads`` would give it: decimals and dates are strings.
    """

def call_frame(
    op: str,
    request: Mapping[str, Any],
    table: Any,
    /,
    *,
    rows: str,
    result: str,
    rename: Optional[Mapping[str, str]] = None,
    formats: Optional[Mapping[str, str]] = None,
    columns: Optional[Sequence[tuple[str, str]]] = None,
) -> tuple[Any, Any]:
    """Runs a batch operation with one object of ``request[rows]`` per row of an Arrow table.

    Returns the answer's rows at ``result`` as an Arrow table (PyCapsule
    interface) and the rest of the answer as plain data. Use
    :func:`prm.frames.call_frame` instead.
    """

def map_frame(
    op: str,
    request: Mapping[str, Any],
    table: Any,
    /,
    *,
    rename: Optional[Mapping[str, str]] = None,
    formats: Optional[Mapping[str, str]] = None,
    columns: Optional[Sequence[tuple[str, str]]] = None,
) -> Any:
    """Runs ``op`` once per row of an Arrow table; use :func:`prm.frames.map_frame` instead."""

def _echo_frame(
    request: Mapping[str, Any],
    table: Any,
    /,
    *,
    rows: str,
    result: str,
    rename: Optional[Mapping[str, str]] = None,
    formats: Optional[Mapping[str, str]] = None,
    columns: Optional[Sequence[tuple[str, str]]] = None,
) -> tuple[Any, Any]:
    """:func:`call_frame` with an operation that answers its request unchanged (for tests)."""

def _sample_quarter() -> dict[str, Any]:
    """The embedded sample quarter as JSON data; use :mod:`prm.sample` instead."""

def _guard_selftest(*, detached: bool = False) -> None:
    """Panics inside the binding's guard, which must raise ``PrmError`` (code ``internal``)."""

@final
class NativeProgram:
    """A program document read and validated by prm-core; ``prm.Program`` wraps one."""

    @staticmethod
    def from_json(text: str) -> NativeProgram: ...
    @staticmethod
    def from_value(data: Any) -> NativeProgram: ...
    def to_json(self, *, indent: bool = False) -> str: ...
    def to_value(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
