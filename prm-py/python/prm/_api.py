"""The idiomatic layer: programs, engine namespaces and operations, all driven by the schemas.

Nothing here knows an engine. ``program.tiers.evaluate(...)`` resolves to the
operation named ``tiers.evaluate``; its request schema says which keyword
arguments it takes and whether it reads the program, and its answer schema
says which strings are decimals and dates. A new core operation is therefore
reachable (and correctly typed at runtime) without a change here.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _prm, _schema
from ._errors import PrmError, Problem, ValidationError
from ._result import Result

if TYPE_CHECKING:
    # Typed namespaces for the operations of this build (a generated stub).
    from ._generated import BoundNamespaces as _Namespaces
else:
    _Namespaces = object

__all__ = ["Program", "Namespace", "Operation", "run", "describe", "operations"]

_FLOAT_HELP = (
    "pass a decimal.Decimal (Decimal(\"{value}\")) or the string \"{value}\"; "
    "floats are refused because they have already lost digits"
)


@functools.lru_cache(maxsize=None)
def operations() -> Tuple[str, ...]:
    """The name of every operation this prm offers, sorted."""
    return tuple(_prm.operations())


class _OpInfo:
    """What the schemas say about one operation, computed once."""

    def __init__(self, op: str) -> None:
        description = _prm.call("describe", {"op": op})
        self.op = op
        self.summary: str = str(description.get("summary", ""))
        self.request_schema: Mapping[str, Any] = description.get("request") or {}
        self.response_schema: Mapping[str, Any] = description.get("response") or {}
        self.fields = _schema.request_fields(self.request_schema)
        self.takes_program = any(f.name == "program" for f in self.fields)
        self._answer: Optional[_schema.Converter] = None

    @property
    def answer(self) -> _schema.Converter:
        if self._answer is None:
            self._answer = _schema.compile_answer(self.response_schema)
        return self._answer

    def doc(self, bound: bool) -> str:
        lines = [f"{self.summary[:1].upper()}{self.summary[1:]}." if self.summary else self.op, ""]
        lines.append(f"Runs the prm operation ``{self.op}``.")
        shown = [f for f in self.fields if not (bound and f.name == "program")]
        if shown:
            lines += ["", "Arguments:"]
            for f in shown:
                need = "" if f.required else ", optional"
                text = f" {f.description}" if f.description else ""
                lines.append(f"    {f.name} ({f.annotation}{need}):{text}")
        lines += [
            "",
            "Raises:",
            "    ValidationError: the request breaks one or more rules; ``problems`` lists each with its path.",
            "    PrmError: any other error answer (``overflow``, ``conflict``, ``not_found``, ...).",
            "",
            "Returns:",
            "    A ``prm.Result`` with attribute access; decimals are ``Decimal`` and dates ``date``.",
        ]
        return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def _info(op: str) -> _OpInfo:
    return _OpInfo(op)


def describe(op: str) -> Result:
    """An operation's summary and the JSON Schemas of its request and answer.

    Raises:
        PrmError: ``unknown_operation`` for a name :func:`operations` does not list.
    """
    answer = _prm.call("describe", {"op": op})
    return Result._make("Description", dict(answer))


def _pythonic_help(error: ValidationError) -> ValidationError:
    """Rewrites the core's advice for floats in Python terms."""
    for problem in error.problems:
        if problem.code == "decimal_must_be_string":
            value = problem.message.rsplit(" ", 1)[-1]
            advice = _FLOAT_HELP.format(value=value)
            if problem.help:
                error.message = error.message.replace(f"(help: {problem.help})", f"(help: {advice})")
            problem.help = advice
    error.args = (error.message,)
    return error


def run(op: str, request: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Result:
    """Runs any operation by name with keyword arguments, and returns a typed :class:`Result`.

    ``prm.run("money.round", amount=Decimal("2.345"), currency="EUR")`` is
    ``prm.money.round(amount=..., currency="EUR")``; both give
    ``Money(amount=Decimal('2.34'), currency='EUR')``.

    Raises:
        ValidationError: the request breaks one or more rules.
        PrmError: any other error answer.
    """
    return _run(op, request, fields, None)


def _run(op: str, request: Optional[Mapping[str, Any]], fields: Mapping[str, Any], program: Optional[Program]) -> Any:
    if isinstance(request, Result):
        request = request.to_dict()
    data: Dict[str, Any] = dict(request or {})
    for key, value in fields.items():
        if key in data:
            raise TypeError(f"{op}() got {key!r} both in the request mapping and as a keyword")
        data[key] = value
    info = _info(op) if op in operations() else None
    if program is not None and info is not None and info.takes_program:
        if "program" in data:
            raise TypeError(f"{op}() is bound to a Program, so it takes no 'program' argument")
        data["program"] = program._native
    try:
        answer = _prm.call(op, data)
    except ValidationError as error:
        raise _pythonic_help(error) from None
    if info is None:
        return answer
    return _convert(info, answer)


def _convert(info: _OpInfo, answer: Any) -> Any:
    """The answer in Python types, by the operation's answer schema."""
    try:
        converted = info.answer.convert(answer)
    except _schema.Unrepresentable as error:
        path = error.json_path()
        kind = "date" if error.format == "date" else "instant"
        message = f"the {kind} {error.value} is outside the range of Python's datetime (years 1 to 9999)"
        problem = Problem("date_out_of_range", path, message, "use prm.call for the JSON answer, which keeps it as text")
        raise PrmError("overflow", f"overflow: {path}: {message}", [problem]) from None
    if isinstance(converted, dict):
        # An answer whose schema names no fields is still a result.
        converted = Result._make(_title(info.op), converted)
    elif isinstance(converted, Result) and converted.kind_name == "Result":
        converted = Result._make(_title(info.op), converted._fields)
    return converted


def _title(op: str) -> str:
    return "".join(part.capitalize() for part in op.replace(".", "_").split("_"))


class Operation:
    """One prm operation, called with keyword arguments: ``prm.money.round(amount=..., currency="EUR")``.

    Bound to a :class:`Program` (``program.tiers.evaluate``), it passes the
    program itself. ``.frame(table, ...)`` runs a batch operation over a
    DataFrame's rows and ``.map(table, ...)`` runs the operation once per row.
    """

    __slots__ = ("_op", "_program")

    def __init__(self, op: str, program: Optional[Program] = None) -> None:
        self._op = op
        self._program = program

    @property
    def name(self) -> str:
        """The operation's stable name, e.g. ``tiers.evaluate``."""
        return self._op

    def __call__(self, request: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Any:
        return _run(self._op, request, fields, self._program)

    def _signature(self) -> inspect.Signature:
        skip = ("program",) if self._program is not None else ()
        return _schema.signature(_info(self._op).fields, skip)

    def _doc(self) -> str:
        return _info(self._op).doc(self._program is not None)

    def describe(self) -> Result:
        """The operation's summary and JSON Schemas."""
        return describe(self._op)

    def frame(
        self,
        table: Any,
        /,
        *,
        rows: Optional[str] = None,
        result: Optional[str] = None,
        output: str = "pandas",
        rename: Optional[Mapping[str, str]] = None,
        with_answer: bool = False,
        **fields: Any,
    ) -> Any:
        """Runs this batch operation over a table's rows; see :func:`prm.frames.call_frame`."""
        from . import frames

        return frames.call_frame(
            self._op,
            table,
            rows=rows,
            result=result,
            output=output,
            rename=rename,
            with_answer=with_answer,
            program=self._program,
            **fields,
        )

    def map(
        self,
        table: Any,
        /,
        *,
        output: str = "pandas",
        rename: Optional[Mapping[str, str]] = None,
        **fields: Any,
    ) -> Any:
        """Runs this operation once per row of a table; see :func:`prm.frames.map_frame`."""
        from . import frames

        return frames.map_frame(self._op, table, output=output, rename=rename, program=self._program, **fields)

    def __repr__(self) -> str:
        bound = " (bound to a program)" if self._program is not None else ""
        return f"<prm operation {self._op}{bound}>"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Operation, (self._op, self._program))


class _PerInstance:
    """A class attribute that an instance computes for itself (its ``__doc__``, its ``__signature__``)."""

    def __init__(self, on_class: Any, compute: Any) -> None:
        self.on_class = on_class
        self.compute = compute

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return self.on_class if instance is None else self.compute(instance)


# `help(prm.money.round)` and `inspect.signature(...)` describe the operation
# from its schema; on the class itself they stay the class's own.
Operation.__doc__ = _PerInstance(Operation.__doc__, Operation._doc)  # type: ignore[assignment]
setattr(Operation, "__signature__", _PerInstance(None, Operation._signature))


def _children(prefix: str) -> List[str]:
    """The next name part of every operation under ``prefix``; at the top, only namespaces."""
    start = f"{prefix}." if prefix else ""
    names: List[str] = []
    for op in operations():
        if not op.startswith(start):
            continue
        rest = op[len(start) :]
        if not prefix and "." not in rest:
            continue  # `version`, `describe`: functions of the module, not namespaces
        part = rest.split(".", 1)[0]
        if part not in names:
            names.append(part)
    return names


def _lookup(prefix: str, name: str, program: Optional[Program]) -> Union[Operation, Namespace]:
    full = f"{prefix}.{name}" if prefix else name
    ops = operations()
    if prefix and full in ops:
        return Operation(full, program)
    if any(op.startswith(f"{full}.") for op in ops):
        return Namespace(full, program)
    known = _children(prefix)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known) or 'none'}"
    where = f"prm namespace {prefix!r}" if prefix else "prm"
    raise AttributeError(f"{where} has no operation or namespace {name!r}{hint}")


class Namespace:
    """The operations under one name: ``prm.money``, ``program.tiers``, ``program.commission``."""

    __slots__ = ("_prefix", "_program")

    def __init__(self, prefix: str, program: Optional[Program] = None) -> None:
        self._prefix = prefix
        self._program = program

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _lookup(self._prefix, name, self._program)

    def __dir__(self) -> List[str]:
        return _children(self._prefix)

    def __repr__(self) -> str:
        return f"<prm namespace {self._prefix}: {', '.join(_children(self._prefix))}>"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Namespace, (self._prefix, self._program))


_HEADER = ("schema_version", "name", "currency", "rounding", "fiscal_calendar")


class Program(_Namespaces):
    """A partner program's configuration, read and validated by prm.

    Build one with :meth:`from_dict`, :meth:`from_json` or :meth:`from_file`;
    an invalid document raises :class:`prm.ValidationError` listing every
    problem with its JSON path. A program reaches every engine through its
    namespaces (``program.tiers.evaluate(...)``,
    ``program.commission.statements(...)``), which pass the program for you.

    Programs are immutable, compare by content, hash, and pickle (as their
    JSON document), so Dask and Spark can ship them to workers.
    """

    __slots__ = ("_native", "_document")

    _native: Any
    _document: Dict[str, Any]

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Same as :meth:`Program.from_dict`."""
        self._set(_prm.NativeProgram.from_value(document))

    def _set(self, native: Any) -> None:
        object.__setattr__(self, "_native", native)
        object.__setattr__(self, "_document", native.to_value())

    @classmethod
    def _wrap(cls, native: Any) -> Program:
        program = cls.__new__(cls)
        program._set(native)
        return program

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Program:
        """Reads a program document given as Python data.

        Raises:
            ValidationError: the document breaks one or more rules; every problem is listed.
        """
        return cls._wrap(_prm.NativeProgram.from_value(document))

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> Program:
        """Reads a program document from JSON text.

        Raises:
            ValidationError: malformed JSON (``malformed_json``) or an invalid document.
        """
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8")
        return cls._wrap(_prm.NativeProgram.from_json(text))

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike[str]]) -> Program:
        """Reads a program document from a JSON file (UTF-8).

        Raises:
            OSError: the file cannot be read.
            ValidationError: the document is not valid.
        """
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(handle.read())

    def validate(self) -> Result:
        """Validates the program again and summarises it (operation ``program.validate``)."""
        return _run("program.validate", None, {}, self)  # type: ignore[no-any-return]

    def run(self, op: str, request: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Any:
        """Runs any operation by name with this program passed for you."""
        return _run(op, request, fields, self)

    def to_dict(self) -> Dict[str, Any]:
        """The document as JSON data (decimals stay strings), with defaults filled in."""
        return self._native.to_value()  # type: ignore[no-any-return]

    def to_json(self, *, indent: bool = False) -> str:
        """The document as JSON text, ready to store and read back with :meth:`from_json`."""
        return self._native.to_json(indent=indent)  # type: ignore[no-any-return]

    @property
    def name(self) -> Optional[str]:
        """The program's name, if it has one."""
        name = self._document.get("name")
        return None if name is None else str(name)

    @property
    def currency(self) -> str:
        """The currency of bare amounts, e.g. ``EUR``."""
        return str(self._document.get("currency"))

    @property
    def rounding(self) -> str:
        """The rounding mode of every line, e.g. ``half_even``."""
        return str(self._document.get("rounding"))

    @property
    def sections(self) -> List[str]:
        """The engine sections the document has, in document order."""
        return [key for key in self._document if key not in _HEADER]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _lookup("", name, self)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("a Program is immutable; build a new one from an edited to_dict()")

    def __dir__(self) -> List[str]:
        own = ["from_dict", "from_json", "from_file", "validate", "run", "to_dict", "to_json",
               "name", "currency", "rounding", "sections"]
        return sorted(set(own) | {n for n in _children("") if any(op.startswith(f"{n}.") for op in operations())})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Program):
            return NotImplemented
        return bool(self._native == other._native)

    def __hash__(self) -> int:
        return hash(self._native)

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}"] if self.name is not None else []
        parts += [f"currency={self.currency!r}", f"sections={self.sections!r}"]
        return f"Program({', '.join(parts)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Program.from_json, (self.to_json(),))

    def __prm_json__(self) -> Any:
        return self._native
