"""Reading answer schemas the way schemars writes them: options, enums, tagged unions, maps, recursion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import prm
from prm import _schema

DEFS: dict[str, Any] = {
    "Decimal": {"type": ["string", "integer"], "format": "decimal"},
    "Date": {"type": "string", "format": "date"},
    "Kind": {"oneOf": [{"type": "string", "const": "sale"}, {"type": "string", "const": "refund"}]},
    "Totals": {"type": "object", "properties": {"net": {"$ref": "#/$defs/Decimal"}, "lines": {"type": "integer"}}},
    "Component": {
        "oneOf": [
            {"type": "object", "properties": {"kind": {"type": "string", "const": "rate"}, "rate": {"$ref": "#/$defs/Decimal"}}, "required": ["kind"]},
            {"type": "object", "properties": {"kind": {"type": "string", "const": "spiff"}, "on": {"$ref": "#/$defs/Date"}}, "required": ["kind"]},
        ]
    },
    "Step": {"type": "object", "properties": {"rule": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Step"}}}},
}

STATEMENT: dict[str, Any] = {
    "type": "object",
    "title": "Statement",
    "properties": {
        "partner_id": {"type": "string"},
        "kind": {"$ref": "#/$defs/Kind"},
        "paid_on": {"anyOf": [{"$ref": "#/$defs/Date"}, {"type": "null"}]},
        "rate": {"anyOf": [{"$ref": "#/$defs/Decimal"}, {"type": "null"}]},
        "totals": {"$ref": "#/$defs/Totals"},
        "by_tier": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Decimal"}},
        "components": {"type": "array", "items": {"$ref": "#/$defs/Component"}},
        "explanation": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
        "score": {"type": "number"},
        "ok": {"type": "boolean"},
    },
}
ANSWER: dict[str, Any] = {
    "type": "object",
    "title": "Statements",
    "properties": {"statements": {"type": "array", "items": {"$ref": "#/$defs/Statement"}}, "total": {"$ref": "#/$defs/Decimal"}},
    "$defs": dict(DEFS, Statement=STATEMENT),
}


def test_answers_convert_by_their_schema() -> None:
    answer = {
        "statements": [
            {
                "partner_id": "P1",
                "kind": "sale",
                "paid_on": None,
                "rate": "0.07",
                "totals": {"net": "12.50", "lines": 2},
                "by_tier": {"gold": "10.00"},
                "components": [{"kind": "rate", "rate": "0.05"}, {"kind": "spiff", "on": "2026-02-01"}],
                "explanation": [{"rule": "a", "children": [{"rule": "b", "children": []}]}],
            }
        ],
        "total": "12.50",
    }
    result = _schema.compile_answer(ANSWER).convert(answer)
    assert isinstance(result, prm.Result) and result.kind_name == "Statements"
    statement = result.statements[0]
    assert statement.kind_name == "Statement"
    assert statement.paid_on is None and statement.rate == Decimal("0.07")
    assert statement.totals.net == Decimal("12.50") and statement.totals.kind_name == "Totals"
    assert statement.by_tier == {"gold": Decimal("10.00")}  # a map stays a dict
    assert statement.components[0].rate == Decimal("0.05")  # the tag picks the branch
    assert statement.components[1].on == dt.date(2026, 2, 1)
    assert statement.explanation[0].children[0].rule == "b"  # recursive definitions
    assert result.total == Decimal("12.50")


def test_column_plan_flattens_objects_and_keeps_the_rest_whole() -> None:
    plan = dict(_schema.column_plan(ANSWER, "statements"))
    assert plan == {
        "partner_id": "string",
        "kind": "string",
        "paid_on": "date",
        "rate": "decimal",
        "totals.net": "decimal",
        "totals.lines": "integer",
        "by_tier": "json",
        "components": "json",
        "explanation": "json",
        "score": "number",
        "ok": "boolean",
    }
    assert _schema.column_plan(ANSWER, "missing") == []


def test_rows_and_results_are_found_by_shape() -> None:
    request = {
        "type": "object",
        "properties": {
            "program": {"$ref": "#/$defs/Program"},
            "transactions": {"type": "array", "items": {"$ref": "#/$defs/Tx"}},
            "as_of": {"$ref": "#/$defs/Date"},
            "weights": {"type": "array", "items": {"$ref": "#/$defs/Decimal"}},
        },
        "$defs": dict(
            DEFS,
            Program={"type": "object", "properties": {"currency": {"type": "string"}}},
            Tx={"type": "object", "properties": {"amount": {"$ref": "#/$defs/Decimal"}, "date": {"$ref": "#/$defs/Date"},
                                                  "metrics": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Decimal"}}}},
        ),
    }
    assert _schema.row_fields(request) == ["transactions"]
    assert _schema.answer_row_lists(ANSWER) == ["statements"]
    assert _schema.input_formats(request, "transactions") == {"amount": "decimal", "date": "date", "metrics.*": "decimal"}
    assert _schema.input_formats(request, None) == {"as_of": "date"}


def test_instants_with_z_and_long_fractions() -> None:
    assert _schema.parse_instant("2026-01-05T09:30:00Z") == dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.timezone.utc)
    moment = _schema.parse_instant("2026-01-05T09:30:00.123456789+01:00")
    assert moment.microsecond == 123456 and moment.utcoffset() == dt.timedelta(hours=1)
