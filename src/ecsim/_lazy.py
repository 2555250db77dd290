"""Lazy public names for a package (PEP 562): imported from their module on first use, then kept."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy(package: str, where: Mapping[str, str], namespace: dict[str, Any]) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package``: name -> the module that defines it (``where``).

    An unknown name raises AttributeError pointing at ``__all__``; ``from package import submodule``
    still finds submodules, because the import system falls back to them.
    """

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r} (its public names: {package}.__all__)")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value  # later look-ups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
