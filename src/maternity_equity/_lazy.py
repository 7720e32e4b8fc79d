"""Package attributes imported on first use (PEP 562), so the command line starts quickly.

Importing ``maternity_equity.<stage>.commands`` runs the stage's ``__init__`` first; when that
imported the stage's whole machinery (scipy, alembic, pyarrow...), `maternity-equity --help`
took seconds. A package lists its public names and where they live; each is imported when
first asked for, and ``from package import name`` works as before.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving ``name`` from ``exports[name]`` (a module path)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
