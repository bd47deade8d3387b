"""``prm.Result``: an operation's answer, with attribute access."""

from __future__ import annotations

import datetime as _dt
import json
import reprlib
from decimal import Decimal
from typing import Any, Dict, Iterator, List, Tuple

__all__ = ["Result"]

_MAX_ITEMS = 6


def _plain(value: Any) -> Any:
    """``value`` with every ``Result`` inside turned into a ``dict``."""
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _instant_text(value: _dt.datetime) -> str:
    """An instant as prm writes it (RFC 3339): ``Z`` for UTC, milliseconds when they suffice."""
    micros = value.microsecond
    spec = "seconds" if micros == 0 else "milliseconds" if micros % 1000 == 0 else "microseconds"
    text = value.isoformat(timespec=spec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _DecimalText(format(value, "f"))
    if isinstance(value, _dt.datetime):
        return _instant_text(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Result):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} has no JSON form")


class _DecimalText(str):
    """A decimal already written as text."""


def _to_json_data(value: Any) -> Any:
    """JSON-ready data: decimals become strings, dates ISO text, results dicts."""
    if isinstance(value, Result):
        return {k: _to_json_data(v) for k, v in value._fields.items()}
    if isinstance(value, dict):
        return {k: _to_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json_data(v) for v in value]
    if isinstance(value, (Decimal, _dt.date)):
        return str(_json_default(value))
    return value


class _Repr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlist = _MAX_ITEMS
        self.maxdict = _MAX_ITEMS
        self.maxstring = 80
        self.maxother = 200
        self.maxlevel = 4

    def repr_Result(self, value: Result, level: int) -> str:
        if level <= 0:
            return f"{value._name}(...)"
        parts = [f"{k}={self.repr1(v, level - 1)}" for k, v in value._fields.items()]
        return f"{value._name}({', '.join(parts)})"

    def repr_Decimal(self, value: Decimal, level: int) -> str:
        return repr(value)

    def repr_date(self, value: _dt.date, level: int) -> str:
        return repr(value)

    def repr_datetime(self, value: _dt.datetime, level: int) -> str:
        return repr(value)


_REPR = _Repr()


class Result:
    """The answer of a prm operation, or an object inside one.

    Fields read as attributes (``decision.tier``) or items
    (``decision["tier"]``). Decimals are ``decimal.Decimal``, dates
    ``datetime.date`` and instants aware ``datetime.datetime``; nested objects
    are ``Result``s too, and maps (ids to values) are ``dict``s.

    A field whose name is also a method (``to_dict``) is read as an item.
    Results compare equal when their kind and fields are equal, and they
    pickle, so they travel to Dask or Spark workers and back.
    """

    __slots__ = ("_name", "_fields")

    _name: str
    _fields: Dict[str, Any]

    def __init__(self, name: str = "Result", /, **fields: Any) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_fields", dict(fields))

    @classmethod
    def _make(cls, name: str, fields: Dict[str, Any]) -> Result:
        result = cls.__new__(cls)
        object.__setattr__(result, "_name", name)
        object.__setattr__(result, "_fields", fields)
        return result

    @property
    def kind_name(self) -> str:
        """The name of the schema type this result follows (``Money``, ``Window``, ...)."""
        return self._name

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        try:
            return self._fields[key]
        except KeyError:
            known = ", ".join(self._fields) or "none"
            raise AttributeError(f"{self._name} has no field {key!r} (fields: {known})") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{self._name} is read-only")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"{self._name} is read-only")

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def get(self, key: str, default: Any = None) -> Any:
        """The field ``key``, or ``default`` when the answer does not have it."""
        return self._fields.get(key, default)

    def fields(self) -> List[str]:
        """The names of the fields, in the answer's order."""
        return list(self._fields)

    def items(self) -> Iterator[Tuple[str, Any]]:
        """``(name, value)`` pairs, in the answer's order."""
        return iter(self._fields.items())

    def __dir__(self) -> List[str]:
        return sorted(set(self._fields) | {"to_dict", "to_json", "fields", "items", "get", "kind_name"})

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a ``dict``, nested results as ``dict``s; values keep their Python types."""
        return {k: _plain(v) for k, v in self._fields.items()}

    def to_json(self, *, indent: int | None = None) -> str:
        """The result as prm's JSON: decimals as strings, dates as ``YYYY-MM-DD``."""
        return json.dumps(_to_json_data(self), indent=indent, ensure_ascii=False)

    def __prm_json__(self) -> Dict[str, Any]:
        # Lets a result (a routing state, last quarter's lines) go back into a request.
        return self.to_dict()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._name == other._name and self._fields == other._fields

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _REPR.repr(self)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_rebuild, (self._name, self._fields))


def _rebuild(name: str, fields: Dict[str, Any]) -> Result:
    return Result._make(name, fields)
