"""prm: partner relationship management rules, embedded.

Tiers, certifications, lead routing, deal registration, commissions and
market development funds, computed exactly by prm's Rust core.

* :class:`Program` reads and validates a program document; its namespaces
  reach every engine: ``program.tiers.evaluate(partner=..., as_of=date(2026, 3, 31))``.
* Namespaces that need no program hang off the module:
  ``prm.money.round(amount=Decimal("2.345"), currency="EUR")``.
* :func:`run` calls any operation by name with keywords; :func:`call` is the
  raw JSON facade that every language shares.
* :mod:`prm.frames` runs the engines over pandas, polars and Arrow tables.

Money and rates are ``decimal.Decimal`` (a ``float`` is refused), dates
``datetime.date``, instants aware ``datetime.datetime``. Errors are
:class:`PrmError`, and :class:`ValidationError` for invalid input, each with
the problems and their JSON paths.

    >>> import prm
    >>> from decimal import Decimal
    >>> prm.money.round(amount=Decimal("2.345"), currency="EUR", mode="half_up")
    Money(amount=Decimal('2.35'), currency='EUR')
    >>> prm.call("version", {})["version"] == prm.__version__
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import frames, sample
from ._api import Namespace, Operation, Program, describe, operations, run
from ._errors import PrmError, Problem, ValidationError
from ._prm import call, version
from ._result import Result

if TYPE_CHECKING:
    # The namespaces of this build's operations, typed (a generated stub);
    # at runtime they come from `__getattr__` below.
    from ._generated import *  # noqa: F403

__version__: str = version()

__all__ = [
    "__version__",
    "Namespace",
    "Operation",
    "PrmError",
    "Problem",
    "Program",
    "Result",
    "ValidationError",
    "call",
    "describe",
    "frames",
    "operations",
    "run",
    "sample",
    "version",
]


def __getattr__(name: str) -> Any:
    """``prm.money``, ``prm.calendar``, ``prm.tiers``, ...: a namespace per operation prefix."""
    if name.startswith("__"):
        raise AttributeError(name)
    from ._api import _lookup

    return _lookup("", name, None)


def __dir__() -> list[str]:
    from ._api import _children

    return sorted(set(globals()) | set(_children("")))
