"""prm's exceptions, raised by :func:`prm.call` from the core's error answers."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["PrmError", "ValidationError", "Problem"]


class _ProblemBase(TypedDict):
    code: str
    path: str
    message: str


class Problem(_ProblemBase, total=False):
    """One thing wrong with the input: ``code``, JSONPath ``path``, ``message`` and maybe ``help``."""

    help: str


class PrmError(Exception):
    """An error answered by prm.

    Attributes:
        code: the stable code of the error's kind (``invalid``, ``unknown_operation``, ...).
        message: the whole error, for a person.
        problems: every problem found, each with ``code``, ``path``, ``message`` and maybe ``help``.
    """

    code: str
    message: str
    problems: list[Problem]

    def __init__(self, code: str, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = problems

    def error_count(self) -> int:
        """The number of problems."""
        return len(self.problems)

    def errors(self) -> list[Problem]:
        """Every problem, in the order found."""
        return list(self.problems)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(PrmError, ValueError):
    """The input breaks one or more rules (code ``invalid``)."""


def _from_answer(error: dict[str, Any]) -> PrmError:
    """Builds the exception for the ``error`` member of a core answer (used by ``prm._prm``)."""
    code = str(error.get("code", "internal"))
    cls = ValidationError if code == "invalid" else PrmError
    return cls(code, str(error.get("message", code)), list(error.get("problems", [])))
