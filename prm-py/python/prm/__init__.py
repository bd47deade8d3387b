"""prm: partner relationship management rules, embedded.

Every operation is reachable by name through :func:`call`::

    >>> import prm
    >>> prm.call("version", {})["version"] == prm.__version__
    True
"""

from __future__ import annotations

from ._errors import PrmError, Problem, ValidationError
from ._prm import call, version

__version__: str = version()

__all__ = [
    "__version__",
    "call",
    "version",
    "PrmError",
    "Problem",
    "ValidationError",
]
