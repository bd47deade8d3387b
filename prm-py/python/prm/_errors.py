"""prm's exceptions, raised from the core's error answers."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Sequence

__all__ = ["PrmError", "ValidationError", "Problem"]


class Problem:
    """One thing wrong with the input.

    Attributes:
        code: a stable, snake_case code (``unknown_currency``, ``decimal_must_be_string``, ...).
        path: the JSONPath of the value to fix (``$.program.currency``).
        message: what was expected and what was found.
        help: a suggestion, when prm has one.
    """

    __slots__ = ("code", "path", "message", "help")

    code: str
    path: str
    message: str
    help: Optional[str]

    def __init__(self, code: str, path: str, message: str, help: Optional[str] = None) -> None:
        self.code = code
        self.path = path
        self.message = message
        self.help = help

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any]) -> Problem:
        help = data.get("help")
        return cls(
            str(data.get("code", "internal")),
            str(data.get("path", "$")),
            str(data.get("message", "")),
            None if help is None else str(help),
        )

    def to_dict(self) -> dict[str, str]:
        """The problem as prm's JSON writes it (``help`` only when present)."""
        data = {"code": self.code, "path": self.path, "message": self.message}
        if self.help is not None:
            data["help"] = self.help
        return data

    # Dict-style access, so ``problem["code"]`` reads like the JSON answer.
    def __getitem__(self, key: str) -> str:
        value = self.to_dict().get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        extra = f", help={self.help!r}" if self.help is not None else ""
        return f"Problem(code={self.code!r}, path={self.path!r}, message={self.message!r}{extra})"

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        return f"{text} (help: {self.help})" if self.help else text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Problem, (self.code, self.path, self.message, self.help))


class PrmError(Exception):
    """An error answered by prm.

    Attributes:
        code: the stable code of the error's kind: ``invalid``, ``overflow``,
            ``conflict``, ``not_found``, ``unknown_operation``, ``limit_exceeded``
            or ``internal``.
        message: the whole error, for a person.
        problems: every problem found, each with ``code``, ``path``,
            ``message`` and maybe ``help``.
    """

    code: str
    message: str
    problems: list[Problem]

    def __init__(self, code: str, message: str, problems: Sequence[Problem | Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = [p if isinstance(p, Problem) else Problem._from_dict(p) for p in problems]

    def error_count(self) -> int:
        """The number of problems."""
        return len(self.problems)

    def errors(self) -> list[Problem]:
        """Every problem, in the order found."""
        return list(self.problems)

    def __str__(self) -> str:
        lines = [self.message]
        if len(self.problems) > 1:
            lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through ``args`` by default, which would lose the
        # code and problems; Dask and multiprocessing ship errors between processes.
        return (type(self), (self.code, self.message, self.problems))


class ValidationError(PrmError, ValueError):
    """The input breaks one or more rules (code ``invalid``)."""


def _from_answer(error: Mapping[str, Any]) -> PrmError:
    """Builds the exception for the ``error`` member of a core answer (used by ``prm._prm``)."""
    code = str(error.get("code", "internal"))
    cls = ValidationError if code == "invalid" else PrmError
    return cls(code, str(error.get("message", code)), list(error.get("problems", [])))
