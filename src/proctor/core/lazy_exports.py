"""A package's public names, imported from their home module only when first asked for.

Opening a workspace imports every module's package (for its spec), so a package that imported its
engine, parsers or report writer up front would make every command pay for libraries it never
uses (Hyperscan, Polars, fpdf). Each such package names where each public name lives and hands
this module-level ``__getattr__`` (PEP 562) the table, instead of writing the lookup again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, home: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for `package` that imports `home[name]` on first use of `name`."""

    def __getattr__(name: str) -> Any:
        if name in home:
            return getattr(importlib.import_module(home[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
