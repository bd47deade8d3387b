"""The `prm` package: version, the generic `call`, and how error answers raise."""

from __future__ import annotations

import json
from typing import Any

import pytest

import prm

VALID_PROGRAM: dict[str, Any] = {
    "schema_version": 1,
    "name": "Northwind Partner Network",
    "currency": "EUR",
    "rounding": "half_even",
    "fiscal_calendar": {"first_month": 7},
}


@pytest.fixture(params=["python", "json"])
def as_input(request: pytest.FixtureRequest) -> Any:
    """Runs a test twice: once with a dict, once with the same request as JSON text."""
    if request.param == "python":
        return lambda data: data
    return json.dumps


def test_version_matches_the_package() -> None:
    assert prm.version() == prm.__version__
    parts = prm.version().split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_public_names() -> None:
    assert set(prm.__all__) >= {"call", "run", "Program", "Result", "version", "PrmError", "ValidationError"}
    assert all(hasattr(prm, name) for name in prm.__all__)
    assert prm.call.__module__ == "prm._prm"


def test_operations_match_the_version_answer() -> None:
    assert list(prm.operations()) == prm.call("version", {})["operations"]


def test_call_version(as_input: Any) -> None:
    answer = prm.call("version", as_input({}))
    assert answer["version"] == prm.version()
    assert answer["schema_version"] == 1
    assert "program.validate" in answer["operations"]


def test_program_validate_valid(as_input: Any) -> None:
    result = prm.call("program.validate", as_input({"program": VALID_PROGRAM}))
    assert result["valid"] is True
    assert result["name"] == "Northwind Partner Network"
    assert result["currency"] == "EUR"
    assert result["rounding"] == "half_even"


def test_invalid_program_raises_validation_error_with_paths(as_input: Any) -> None:
    bad = {"schema_version": 1, "currency": "EUX", "rounding": "half_evn"}
    with pytest.raises(prm.ValidationError) as info:
        prm.call("program.validate", as_input({"program": bad}))
    err = info.value
    assert isinstance(err, prm.PrmError)
    assert isinstance(err, ValueError)
    assert err.code == "invalid"
    assert str(err).splitlines()[0] == err.message
    assert str(err).splitlines()[1:] == [f"  {p}" for p in err.problems]
    found = [(p["code"], p["path"]) for p in err.problems]
    assert found == [
        ("unknown_currency", "$.program.currency"),
        ("unknown_variant", "$.program.rounding"),
    ]
    assert err.error_count() == 2
    assert all(set(p) >= {"code", "path", "message"} for p in err.errors())
    assert any("help" in p for p in err.problems)


def test_unknown_operation_raises_prm_error(as_input: Any) -> None:
    with pytest.raises(prm.PrmError) as info:
        prm.call("program.validat", as_input({}))
    err = info.value
    assert not isinstance(err, prm.ValidationError)
    assert not isinstance(err, ValueError)
    assert err.code == "unknown_operation"
    assert err.problems[0]["help"] == "did you mean `program.validate`?"


def test_malformed_json_text_is_an_error_answer() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.call("version", '{"a":')
    assert info.value.problems[0]["code"] == "malformed_json"


def test_docstring_examples() -> None:
    import doctest

    failures, attempted = doctest.testmod(prm)
    assert attempted > 0
    assert failures == 0
