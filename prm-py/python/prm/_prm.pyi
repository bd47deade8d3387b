"""The native module; import :mod:`prm` instead."""

from typing import Any, Mapping, Union

def version() -> str:
    """prm's version, e.g. ``0.1.0``."""

def call(op: str, data: Union[Mapping[str, Any], str], /) -> Any:
    """Runs operation ``op`` on a request and returns its result.

    Arguments:
        op: the operation's stable name, e.g. ``"program.validate"``.
        data: the request, as a mapping ``json.dumps`` accepts or as JSON text.

    Raises:
        ValidationError: the request breaks one or more rules (code ``invalid``).
        PrmError: any other error answer (``unknown_operation``, ``overflow``, ...).

    Returns:
        The operation's result, parsed from JSON.
    """
