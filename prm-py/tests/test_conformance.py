"""The shared conformance corpus (``tests/conformance/**/*.json``) through ``prm.call``.

Every case runs twice: with the request as JSON text (as the Rust runner
sends it) and as Python data from ``json.loads`` (so the binding's own
conversion of dicts, lists, ints, floats and strings is on the path). The
matching is the Rust runner's: a subset match, arrays element by element.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import prm
from conftest import CORPUS, mismatch

CASES = sorted(CORPUS.rglob("*.json"))


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS).with_suffix(""))


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 50, f"corpus looks empty: {len(CASES)} cases in {CORPUS}"


def _answer(op: str, request: Any) -> tuple[str, Any]:
    try:
        return "ok", prm.call(op, request)
    except prm.PrmError as error:
        return "error", {
            "code": error.code,
            "message": error.message,
            "problems": [p.to_dict() for p in error.problems],
        }


@pytest.mark.parametrize("mode", ["text", "data"])
@pytest.mark.parametrize("path", CASES, ids=_id)
def test_case(path: Path, mode: str) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    op = case["op"]
    if "input_text" in case:
        if mode == "data":
            pytest.skip("raw input text has no Python form")
        request: Any = case["input_text"]
    else:
        request = json.dumps(case["input"]) if mode == "text" else case["input"]
    kind, answer = _answer(op, request)
    if "expect" in case:
        assert kind == "ok", f"expected ok, got {answer}"
        found = mismatch(case["expect"], answer)
    else:
        assert kind == "error", f"expected an error, got {answer}"
        found = mismatch(case["expect_error"], answer)
    assert found is None, f"{found}\n  answer: {answer}"


def test_matcher_is_a_subset_match_with_exact_arrays() -> None:
    answer = {"a": {"b": 1, "c": [1, 2]}, "d": "x"}
    assert mismatch({"a": {"b": 1}}, answer) is None
    assert mismatch({"a": {"c": [1]}}, answer) is not None
    assert mismatch({"e": 1}, answer) is not None
    assert mismatch({"d": "y"}, answer) is not None
    assert mismatch({"a": {"b": 1.0}}, answer) is not None
    assert mismatch({"a": {"b": True}}, answer) is not None
