"""Reading the operations' JSON Schemas: answer conversion, signatures, table columns.

Every operation publishes the JSON Schema of its request and of its answer
(``prm.describe(op)``). prm marks decimals with ``"format": "decimal"`` (or
``"rate"``), dates with ``"date"`` and instants with ``"date-time"``, so the
binding learns from the schema, not from a list of field names, which strings
are ``Decimal``, ``date`` and ``datetime``. An operation added to the core is
converted correctly the day it appears.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import re
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ._result import Result

JsonSchema = Mapping[str, Any]

__all__ = ["Converter", "compile_answer", "request_fields", "column_plan", "input_formats"]

_INSTANT = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_instant(text: str) -> _dt.datetime:
    """Reads an RFC 3339 instant (``2026-01-05T09:30:00Z``) as an aware ``datetime``.

    ``datetime.fromisoformat`` only accepts ``Z`` from Python 3.11 on, and at
    most six fractional digits, so the text is normalised first.
    """
    match = _INSTANT.match(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 instant: {text!r}")
    day, time, fraction, offset = match.groups()
    fraction = (fraction or "")[:7]
    offset = "+00:00" if offset in ("Z", "z") else offset
    return _dt.datetime.fromisoformat(f"{day}T{time}{fraction}{offset}")


class _Defs:
    """Resolves ``$ref``s against one schema document's ``$defs``."""

    def __init__(self, root: JsonSchema) -> None:
        self.root = root
        self.defs: Mapping[str, Any] = root.get("$defs", {}) or {}

    def resolve(self, node: Any) -> Tuple[Optional[str], JsonSchema]:
        """The node behind any chain of ``$ref``s, and the name of the last definition."""
        name: Optional[str] = None
        seen = 0
        while isinstance(node, Mapping) and "$ref" in node and seen < 64:
            ref = str(node["$ref"])
            name = ref.rsplit("/", 1)[-1]
            node = self.defs.get(name, {}) if ref.startswith("#/$defs/") else {}
            seen += 1
        return name, node if isinstance(node, Mapping) else {}


def _types(node: JsonSchema) -> List[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    return []


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class Converter:
    """Turns one JSON value of a known schema into Python values."""

    def convert(self, value: Any) -> Any:  # pragma: no cover - overridden
        return value

    def accepts(self, value: Any) -> bool:
        return True


class _Identity(Converter):
    """For values whose schema says nothing: objects become ``Result``s, scalars stay JSON."""

    def convert(self, value: Any) -> Any:
        if isinstance(value, dict):
            return Result._make("Result", {k: self.convert(v) for k, v in value.items()})
        if isinstance(value, list):
            return [self.convert(v) for v in value]
        return value


_IDENTITY = _Identity()


class _Scalar(Converter):
    def __init__(self, types: Sequence[str], format: Optional[str], const: Any = None, enum: Any = None) -> None:
        self.types = list(types)
        self.format = format
        self.const = const
        self.enum = enum

    def accepts(self, value: Any) -> bool:
        if self.const is not None and value != self.const:
            return False
        if self.enum is not None and value not in self.enum:
            return False
        if not self.types:
            return True
        found = _json_type(value)
        return found in self.types or (found == "integer" and "number" in self.types)

    def convert(self, value: Any) -> Any:
        if self.format in ("decimal", "rate") and isinstance(value, (str, int)) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, str):
            try:
                if self.format == "date":
                    return _dt.date.fromisoformat(value)
                if self.format == "date-time":
                    return parse_instant(value)
            except ValueError:
                raise Unrepresentable(value, str(self.format)) from None
        return value


class Unrepresentable(Exception):
    """An answer value Python's types cannot hold (a date after 9999-12-31)."""

    def __init__(self, value: str, format: str) -> None:
        super().__init__(value)
        self.value = value
        self.format = format
        self.path: List[Any] = []

    def json_path(self) -> str:
        text = "$"
        for part in reversed(self.path):
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text


class _Array(Converter):
    def __init__(self) -> None:
        self.items: Converter = _IDENTITY

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list)

    def convert(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        items = self.items
        converted = []
        for i, v in enumerate(value):
            try:
                converted.append(items.convert(v))
            except Unrepresentable as error:
                error.path.append(i)
                raise
        return converted


class _Object(Converter):
    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: Dict[str, Converter] = {}
        self.extra: Optional[Converter] = None  # additionalProperties: a map
        self.required: List[str] = []
        self.tag: Optional[Tuple[str, List[Any]]] = None  # ("kind", ["graduated"])
        self.is_record = True

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        if self.tag is not None:
            key, allowed = self.tag
            if value.get(key) not in allowed:
                return False
        return all(key in value for key in self.required)

    def convert(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        converted: Dict[str, Any] = {}
        for key, item in value.items():
            field = self.fields.get(key)
            if field is None:
                field = self.extra if self.extra is not None else _IDENTITY
            try:
                converted[key] = None if item is None else field.convert(item)
            except Unrepresentable as error:
                error.path.append(key)
                raise
        if self.is_record:
            return Result._make(self.name, converted)
        return converted


class _Union(Converter):
    def __init__(self) -> None:
        self.branches: List[Converter] = []

    def accepts(self, value: Any) -> bool:
        return any(branch.accepts(value) for branch in self.branches)

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        for branch in self.branches:
            if branch.accepts(value):
                return branch.convert(value)
        return _IDENTITY.convert(value)


class _Compiler:
    def __init__(self, root: JsonSchema) -> None:
        self.defs = _Defs(root)
        self.cache: Dict[str, Converter] = {}

    def compile(self, node: Any, name: Optional[str] = None) -> Converter:
        if isinstance(node, Mapping) and "$ref" in node:
            ref_name, target = self.defs.resolve(node)
            if ref_name is not None and ref_name in self.cache:
                return self.cache[ref_name]
            return self._compile(target, ref_name or name, ref_name)
        return self._compile(node if isinstance(node, Mapping) else {}, name, None)

    def _compile(self, node: JsonSchema, name: Optional[str], cache_key: Optional[str]) -> Converter:
        title = str(node.get("title") or name or "Result")
        for key in ("oneOf", "anyOf"):
            branches = node.get(key)
            if isinstance(branches, list) and branches:
                union = _Union()
                if cache_key is not None:
                    self.cache[cache_key] = union
                union.branches = [self.compile(b, title) for b in branches]
                return union
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.compile(all_of[0], title)
        types = _types(node)
        if "properties" in node or "additionalProperties" in node or types == ["object"]:
            obj = _Object(title)
            if cache_key is not None:
                self.cache[cache_key] = obj
            properties = node.get("properties") or {}
            obj.is_record = bool(properties)
            obj.required = [str(r) for r in node.get("required", [])]
            for field, schema in properties.items():
                _, resolved = self.defs.resolve(schema)
                if isinstance(resolved, Mapping):
                    const = resolved.get("const")
                    enum = resolved.get("enum")
                    if field == "kind" and (const is not None or isinstance(enum, list)):
                        obj.tag = (field, [const] if const is not None else list(enum or []))
                obj.fields[field] = self.compile(schema, _title_case(field))
            extra = node.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                obj.extra = self.compile(extra, title)
            return obj
        if "array" in types or "items" in node:
            array = _Array()
            if cache_key is not None:
                self.cache[cache_key] = array
            items = node.get("items")
            if isinstance(items, Mapping):
                array.items = self.compile(items, title)
            return array
        fmt = node.get("format")
        if not types and fmt is None and "const" not in node and "enum" not in node:
            # A schema that says nothing (an answer not yet typed in the core):
            # objects still read as attributes; decimals and dates stay text.
            return _IDENTITY
        scalar = _Scalar(types, str(fmt) if isinstance(fmt, str) else None, node.get("const"), node.get("enum"))
        if cache_key is not None:
            self.cache[cache_key] = scalar
        return scalar


def _title_case(field: str) -> str:
    return "".join(part.capitalize() for part in field.split("_")) or "Result"


def compile_answer(schema: JsonSchema) -> Converter:
    """A converter for an operation's answer, from its JSON Schema."""
    return _Compiler(schema).compile(schema)


# ---------------------------------------------------------------------------
# Requests: keyword arguments, docs and the formats of table columns.


class Field:
    """One field of a request: its name, whether it is required, and what it is."""

    __slots__ = ("name", "required", "annotation", "description", "default")

    def __init__(self, name: str, required: bool, annotation: str, description: str, default: Any) -> None:
        self.name = name
        self.required = required
        self.annotation = annotation
        self.description = description
        self.default = default


def _describe_type(defs: _Defs, node: Any, depth: int = 0) -> str:
    name, resolved = defs.resolve(node)
    fmt = resolved.get("format")
    if fmt in ("decimal", "rate"):
        return "Decimal"
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime"
    if name == "Program" or resolved.get("title") == "Program":
        return "Program"
    for key in ("oneOf", "anyOf"):
        branches = resolved.get(key)
        if isinstance(branches, list) and depth < 4:
            consts = [defs.resolve(b)[1].get("const") for b in branches]
            if all(isinstance(c, str) for c in consts):
                return " | ".join(repr(c) for c in consts)
            parts = [_describe_type(defs, b, depth + 1) for b in branches]
            return " | ".join(dict.fromkeys(parts))
    types = [t for t in _types(resolved)]
    if "array" in types:
        return f"list[{_describe_type(defs, resolved.get('items', {}), depth + 1)}]"
    if "object" in types or "properties" in resolved:
        return name or str(resolved.get("title") or "dict")
    mapping = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
    if types:
        return " | ".join(mapping.get(t, t) for t in types)
    return name or "Any"


def request_fields(schema: JsonSchema) -> List[Field]:
    """The fields of a request schema, required ones first, each in schema order."""
    defs = _Defs(schema)
    _, root = defs.resolve(schema)
    properties = root.get("properties") or {}
    required = set(root.get("required") or [])
    fields = []
    for name, node in properties.items():
        _, resolved = defs.resolve(node)
        description = str(node.get("description") or resolved.get("description") or "").strip()
        fields.append(
            Field(
                name,
                name in required,
                _describe_type(defs, node),
                description.split("\n\n")[0].replace("\n", " "),
                node.get("default", resolved.get("default")),
            )
        )
    fields.sort(key=lambda f: not f.required)
    return fields


def signature(fields: Sequence[Field], skip: Sequence[str] = ()) -> inspect.Signature:
    """A keyword-only signature for a request's fields."""
    parameters = [
        inspect.Parameter(
            "request",
            inspect.Parameter.POSITIONAL_ONLY,
            default=None,
            annotation="Mapping[str, Any] | None",
        )
    ]
    for field in fields:
        if field.name in skip or not field.name.isidentifier():
            continue
        parameters.append(
            inspect.Parameter(
                field.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if field.required else None,
                annotation=field.annotation,
            )
        )
    return inspect.Signature(parameters, return_annotation="prm.Result")


def _node_at(defs: _Defs, node: Any, path: str) -> Tuple[JsonSchema, bool]:
    """The schema of the rows at ``path`` (``decisions``, ``statements[].lines``) and whether found."""
    _, current = defs.resolve(node)
    for segment in path.split("."):
        key = segment[:-2] if segment.endswith("[]") else segment
        current = _unwrap_optional(defs, current)
        properties = current.get("properties") or {}
        if key not in properties:
            return {}, False
        _, current = defs.resolve(properties[key])
        current = _unwrap_optional(defs, current)
        if "array" in _types(current) or "items" in current:
            _, current = defs.resolve(current.get("items", {}))
    return _unwrap_optional(defs, current), True


def _unwrap_optional(defs: _Defs, node: JsonSchema) -> JsonSchema:
    """``anyOf: [X, null]`` (how an ``Option`` is written) as ``X``."""
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            real = [b for b in branches if defs.resolve(b)[1].get("type") != "null"]
            if len(real) == 1:
                return defs.resolve(real[0])[1]
    return node


def _leaf_kind(defs: _Defs, node: Any) -> Optional[str]:
    """The column kind of a scalar schema, or ``None`` for an object to flatten."""
    _, resolved = defs.resolve(node)
    resolved = _unwrap_optional(defs, resolved)
    fmt = resolved.get("format")
    if fmt in ("decimal", "rate"):
        return "decimal"
    if fmt in ("date", "date-time"):
        return str(fmt)
    for key in ("oneOf", "anyOf"):
        branches = resolved.get(key)
        if isinstance(branches, list):
            kinds = {_leaf_kind(defs, b) for b in branches}
            kinds.discard("null")
            if len(kinds) == 1:
                only = kinds.pop()
                return only if only is not None else "json"
            return "json"
    raw = _types(resolved)
    if raw == ["null"]:
        return "null"
    types = [t for t in raw if t != "null"]
    if resolved.get("properties"):
        return None
    if "array" in types or "object" in types or "additionalProperties" in resolved:
        return "json"
    if types == ["string"]:
        return "string"
    if types == ["integer"]:
        return "integer"
    if types in (["number"], ["integer", "number"], ["number", "integer"]):
        return "number"
    if types == ["boolean"]:
        return "boolean"
    if "const" in resolved or "enum" in resolved:
        return "string"
    return "json"


def column_plan(answer_schema: JsonSchema, rows: Optional[str]) -> List[Tuple[str, str]]:
    """The typed columns of the rows at ``rows`` in an answer: ``[("totals.net", "decimal"), ...]``.

    With ``rows=None`` the answer itself is one row. Nested objects are
    flattened into dotted names; lists, maps and unions of objects are kept
    whole as JSON text.
    """
    defs = _Defs(answer_schema)
    if rows is None:
        _, node = defs.resolve(answer_schema)
    else:
        node, found = _node_at(defs, answer_schema, rows)
        if not found:
            return []
    plan: List[Tuple[str, str]] = []

    def walk(node: JsonSchema, prefix: str, depth: int) -> None:
        for name, child in (node.get("properties") or {}).items():
            full = f"{prefix}{name}"
            kind = _leaf_kind(defs, child)
            if kind is None and depth < 6:
                _, resolved = defs.resolve(child)
                walk(_unwrap_optional(defs, resolved), f"{full}.", depth + 1)
            else:
                plan.append((full, kind or "json"))

    walk(node, "", 0)
    return [(name, kind) for name, kind in plan if kind != "null"]


def row_fields(request_schema: JsonSchema) -> List[str]:
    """Request fields that hold a list of objects: candidates for a table's rows."""
    defs = _Defs(request_schema)
    _, root = defs.resolve(request_schema)
    found = []
    for name, node in (root.get("properties") or {}).items():
        if name == "program":
            continue
        _, resolved = defs.resolve(node)
        resolved = _unwrap_optional(defs, resolved)
        if "array" in _types(resolved) or "items" in resolved:
            _, item = defs.resolve(resolved.get("items", {}))
            if "properties" in item or "object" in _types(item):
                found.append(name)
    return found


def answer_row_lists(answer_schema: JsonSchema) -> List[str]:
    """Answer fields that hold a list of objects: candidates for a result table."""
    return row_fields(answer_schema)


def input_formats(request_schema: JsonSchema, rows: Optional[str]) -> Dict[str, str]:
    """The format of each field of a row (``{"amount": "decimal", "metrics.*": "decimal"}``).

    With ``rows=None`` the request's own fields are described (one request per row).
    """
    defs = _Defs(request_schema)
    _, root = defs.resolve(request_schema)
    if rows is None:
        item = root
    else:
        node = (root.get("properties") or {}).get(rows, {})
        _, resolved = defs.resolve(node)
        resolved = _unwrap_optional(defs, resolved)
        _, item = defs.resolve(resolved.get("items", {}))
    formats: Dict[str, str] = {}

    def walk(node: JsonSchema, prefix: str, depth: int) -> None:
        node = _unwrap_optional(defs, node)
        for name, child in (node.get("properties") or {}).items():
            _, resolved = defs.resolve(child)
            resolved = _unwrap_optional(defs, resolved)
            fmt = resolved.get("format")
            if isinstance(fmt, str) and fmt in ("decimal", "rate", "date", "date-time"):
                formats[f"{prefix}{name}"] = fmt
            elif resolved.get("properties") and depth < 6:
                walk(resolved, f"{prefix}{name}.", depth + 1)
            elif isinstance(resolved.get("additionalProperties"), Mapping):
                _, value = defs.resolve(resolved["additionalProperties"])
                value = _unwrap_optional(defs, value)
                fmt = value.get("format")
                if isinstance(fmt, str) and fmt in ("decimal", "rate", "date", "date-time"):
                    formats[f"{prefix}{name}.*"] = fmt

    walk(item, "", 0)
    return formats
