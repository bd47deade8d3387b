"""Errors: kinds, problems, Python base classes, pickling, and no panic escaping."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

import prm


def test_validation_error_is_a_value_error_with_problems() -> None:
    with pytest.raises(ValueError) as info:
        prm.money.round(amount="12,50", currency="EUR")
    error = info.value
    assert isinstance(error, prm.ValidationError) and isinstance(error, prm.PrmError)
    assert error.code == "invalid"
    assert error.error_count() == 1
    problem = error.errors()[0]
    assert (problem.code, problem.path) == ("invalid_decimal", "$.amount")
    assert problem.message and "12,50" in problem.message


def test_every_problem_at_once() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.money.round(amount="1.2.3", currency="eur", mode="half_evn")
    codes = sorted(p.code for p in info.value.problems)
    assert codes == ["invalid_decimal", "unknown_currency", "unknown_variant"]
    lines = str(info.value).splitlines()
    assert lines[0] == info.value.message
    assert len(lines) == 4


def test_unknown_field_suggests_the_right_one() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.money.round(amount="1", currency="EUR", mod="up")
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("unknown_field", "$.mod")
    assert problem.help == "did you mean `mode`?"


def test_other_kinds_are_prm_errors_but_not_value_errors() -> None:
    with pytest.raises(prm.PrmError) as info:
        prm.call("money.rounds", {})
    assert not isinstance(info.value, ValueError)
    assert info.value.code == "unknown_operation"
    assert info.value.problems[0].help == "did you mean `money.round`?"


def test_a_date_past_9999_is_refused_by_the_core_with_its_path() -> None:
    # prm-core keeps dates within years 1 to 9999, as `datetime.date` does.
    with pytest.raises(prm.ValidationError) as info:
        prm.calendar.add_months(date="9999-12-31", months=1)
    assert info.value.code == "invalid"
    problem = info.value.problems[0]
    assert (problem.code, problem.path) == ("date_out_of_range", "$.months")


def test_problem_reads_like_its_json() -> None:
    problem = prm.Problem("unknown_currency", "$.currency", "unknown currency `EUX`", "use `EUR`")
    assert problem["code"] == "unknown_currency"
    assert "help" in problem and set(problem) == {"code", "path", "message", "help"}
    assert problem.to_dict()["path"] == "$.currency"
    assert str(problem) == "$.currency: unknown currency `EUX` (help: use `EUR`)"
    assert "help=" in repr(problem)
    without_help = prm.Problem("missing_field", "$.id", "missing `id`")
    assert "help" not in without_help and without_help.help is None
    with pytest.raises(KeyError):
        without_help["help"]


@pytest.mark.parametrize("kind", [prm.PrmError, prm.ValidationError])
def test_errors_pickle_with_their_problems(kind: type[prm.PrmError]) -> None:
    error = kind("invalid", "invalid input: $.a: bad", [{"code": "invalid_value", "path": "$.a", "message": "bad"}])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is kind
    assert (again.code, again.message, again.problems) == (error.code, error.message, error.problems)


def test_a_raised_error_pickles() -> None:
    with pytest.raises(prm.ValidationError) as info:
        prm.money.round(amount=Decimal("NaN"), currency="EUR")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.problems == info.value.problems


@pytest.mark.parametrize("detached", [False, True])
def test_a_panic_surfaces_as_an_internal_prm_error(detached: bool) -> None:
    # PanicException derives from BaseException; prm must never let one out.
    with pytest.raises(prm.PrmError) as info:
        prm._prm._guard_selftest(detached=detached)
    assert info.value.code == "internal"
    assert "bug in prm" in info.value.problems[0].message


def test_arrow_input_that_is_not_a_table() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        prm.money.round.map(42)
