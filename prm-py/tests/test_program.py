"""``prm.Program``: reading, validating, namespaces, equality and storage."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import prm


def test_from_dict_reads_and_fills_defaults() -> None:
    program = prm.Program.from_dict({"schema_version": 1, "currency": "EUR"})
    assert program.currency == "EUR"
    assert program.rounding == "half_even"
    assert program.name is None
    assert program.sections == []
    assert program.to_dict()["fiscal_calendar"] == {"first_month": 1}


def test_constructor_is_from_dict(header: dict[str, Any]) -> None:
    assert prm.Program(header) == prm.Program.from_dict(header)


def test_from_json_and_from_file(header: dict[str, Any], tmp_path: Path) -> None:
    text = json.dumps(header)
    path = tmp_path / "program.json"
    path.write_text(text, encoding="utf-8")
    assert prm.Program.from_json(text) == prm.Program.from_dict(header)
    assert prm.Program.from_json(text.encode()) == prm.Program.from_dict(header)
    assert prm.Program.from_file(path) == prm.Program.from_dict(header)
    assert prm.Program.from_file(str(path)).name == "Northwind Partner Network"


def test_from_file_missing_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        prm.Program.from_file(tmp_path / "missing.json")


def test_malformed_json_is_a_validation_error() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.Program.from_json('{"schema_version": 1,')
    assert info.value.problems[0].code == "malformed_json"


def test_invalid_document_lists_every_problem_with_its_path() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.Program.from_dict({"schema_version": 1, "currency": "EUX", "rounding": "half_evn"})
    found = [(p.code, p.path) for p in info.value.problems]
    assert found == [("unknown_currency", "$.currency"), ("unknown_variant", "$.rounding")]
    assert info.value.problems[1].help == "did you mean `half_even`?"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ({}, "empty_document"),
        ({"schema_version": 2, "currency": "EUR"}, "unsupported_schema_version"),
        ({"schema_version": 1, "currency": "EUR", "tierz": {}}, "unknown_field"),
        ({"schema_version": 1, "currency": "EUR", "fiscal_calendar": {"first_month": 13}}, "invalid_month"),
    ],
)
def test_refused_documents(document: dict[str, Any], code: str) -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.Program.from_dict(document)
    assert info.value.problems[0].code == code


def test_validate_summarises(program: prm.Program) -> None:
    summary = program.validate()
    assert summary.valid is True
    assert summary.currency == "EUR"
    assert summary.fiscal_calendar.first_month == 7
    assert summary.sections == []


def test_sample_program_has_tiers(sample_program: prm.Program) -> None:
    assert sample_program.name == "Northwind Partner Network"
    assert "tiers" in sample_program.sections
    assert sample_program.validate().sections == sample_program.sections


def test_round_trip_through_json_and_dict(sample_program: prm.Program) -> None:
    assert prm.Program.from_json(sample_program.to_json()) == sample_program
    assert prm.Program.from_json(sample_program.to_json(indent=True)) == sample_program
    assert prm.Program.from_dict(sample_program.to_dict()) == sample_program
    assert "\n" in sample_program.to_json(indent=True)


def test_equality_and_hash(header: dict[str, Any]) -> None:
    a = prm.Program.from_dict(header)
    b = prm.Program.from_dict(copy.deepcopy(header))
    other = dict(header, name="Other")
    assert a == b and hash(a) == hash(b)
    assert a != prm.Program.from_dict(other)
    assert a != header  # a document is not a program
    assert len({a, b}) == 1


def test_programs_are_immutable(program: prm.Program) -> None:
    with pytest.raises(AttributeError):
        program.currency = "USD"  # type: ignore[misc]
    document = program.to_dict()
    document["currency"] = "USD"
    assert program.currency == "EUR"


def test_repr(program: prm.Program) -> None:
    assert repr(program) == "Program(name='Northwind Partner Network', currency='EUR', sections=[])"


def test_namespaces_come_from_the_operations(program: prm.Program) -> None:
    assert isinstance(program.calendar, prm.Namespace)
    assert isinstance(program.program.validate, prm.Operation)
    assert "calendar" in dir(program)
    assert "trailing_window" in dir(program.calendar)
    with pytest.raises(AttributeError, match="did you mean 'calendar'"):
        program.calender  # noqa: B018
    with pytest.raises(AttributeError, match="did you mean 'trailing_window'"):
        program.calendar.trailing_windows  # noqa: B018


def test_bound_operation_passes_the_program(program: prm.Program) -> None:
    assert program.program.validate().name == "Northwind Partner Network"
    assert program.run("program.validate").currency == "EUR"
    with pytest.raises(TypeError, match="bound to a Program"):
        program.program.validate(program=program)


def test_unbound_operation_takes_the_program_as_an_argument(program: prm.Program, header: dict[str, Any]) -> None:
    assert prm.program.validate(program=program).valid is True
    assert prm.program.validate(program=header).valid is True  # a document works too


def test_operations_that_need_no_program_work_from_a_program(program: prm.Program) -> None:
    window = program.calendar.trailing_window(as_of=dt.date(2026, 3, 31), months=3)
    assert window.start == dt.date(2026, 1, 1)


def test_operation_signature_and_doc(program: prm.Program) -> None:
    unbound = inspect.signature(prm.money.round)
    assert list(unbound.parameters) == ["request", "amount", "currency", "mode"]
    assert unbound.parameters["amount"].kind is inspect.Parameter.KEYWORD_ONLY
    assert unbound.parameters["mode"].default is None
    assert unbound.parameters["amount"].default is inspect.Parameter.empty
    assert "program" in inspect.signature(prm.program.validate).parameters
    assert "program" not in inspect.signature(program.program.validate).parameters
    doc = prm.money.round.__doc__ or ""
    assert doc.startswith("Round an amount to its currency's minor units")
    assert "amount (Decimal)" in doc and "mode ('half_even' | 'half_up' | 'down' | 'up', optional)" in doc
    assert "money.round" in repr(prm.money.round)
    assert prm.Operation.__doc__ and prm.Operation.__doc__.startswith("One prm operation")


def test_request_mapping_and_keywords_combine() -> None:
    rounded = prm.money.round({"amount": Decimal("2.345")}, currency="EUR")
    assert rounded.amount == Decimal("2.34")
    with pytest.raises(TypeError, match="both"):
        prm.money.round({"amount": "1"}, amount="2", currency="EUR")


def test_run_by_name() -> None:
    assert prm.run("rate.normalize", rate="7%").rate == Decimal("0.07")
    with pytest.raises(prm.PrmError) as info:
        prm.run("rate.normalise", rate="7%")
    assert info.value.code == "unknown_operation"


def test_module_namespaces() -> None:
    assert "money" in dir(prm)
    assert prm.money.allocate.name == "money.allocate"
    with pytest.raises(AttributeError, match="did you mean 'money'"):
        prm.mony  # noqa: B018
    with pytest.raises(AttributeError):
        prm.__wrapped__  # noqa: B018


def test_describe() -> None:
    description = prm.describe("money.round")
    assert description.op == "money.round"
    assert description.request["properties"]["amount"]["$ref"] == "#/$defs/Decimal"
    assert prm.money.round.describe() == description
