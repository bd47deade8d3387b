"""Shared fixtures: the corpus location, the sample program, and a subset matcher."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import prm

#: The repository root: tests run from the source tree against the installed wheel.
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "conformance"
EXAMPLES = ROOT / "examples" / "python"

HEADER: dict[str, Any] = {
    "schema_version": 1,
    "name": "Northwind Partner Network",
    "currency": "EUR",
    "rounding": "half_even",
    "fiscal_calendar": {"first_month": 7},
}


def mismatch(expected: Any, actual: Any, at: str = "$") -> Optional[str]:
    """Where ``actual`` departs from ``expected`` with the corpus' subset semantics.

    Objects: every key ``expected`` names must match; arrays: same length,
    element by element; scalars: equal and of the same JSON type (``1`` is
    not ``1.0``, ``True`` is not ``1``), as serde_json compares them.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{at}: expected an object, found {actual!r}"
        for key, want in expected.items():
            if key not in actual:
                return f"{at}.{key}: missing in answer"
            found = mismatch(want, actual[key], f"{at}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{at}: expected an array, found {actual!r}"
        if len(expected) != len(actual):
            return f"{at}: expected {len(expected)} elements, found {len(actual)}"
        for i, (want, got) in enumerate(zip(expected, actual)):
            found = mismatch(want, got, f"{at}[{i}]")
            if found:
                return found
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{at}: expected {expected!r}, found {actual!r}"
    return None


@pytest.fixture
def header() -> dict[str, Any]:
    """A minimal valid program document (a fresh copy per test)."""
    return json.loads(json.dumps(HEADER))


@pytest.fixture
def program() -> prm.Program:
    return prm.Program.from_dict(HEADER)


@pytest.fixture(scope="session")
def sample_program() -> prm.Program:
    return prm.sample.program()


@pytest.fixture(params=["python", "json"])
def as_input(request: pytest.FixtureRequest) -> Callable[[Any], Any]:
    """Runs a test twice: once with Python data, once with the same request as JSON text."""
    if request.param == "python":
        return lambda data: data
    return json.dumps


def requires(op: str) -> pytest.MarkDecorator:
    """Skips a test until the engine behind ``op`` is in this build of prm."""
    return pytest.mark.skipif(op not in prm.operations(), reason=f"`{op}` is not in this build of prm yet")
