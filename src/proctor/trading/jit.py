"""numba's `njit`, typed: the compiled kernels keep their Python signatures for the type checker.

numba ships no annotations for its decorators, so `@njit` would turn every kernel into an untyped
value and every caller into unchecked code. A numba dispatcher is called exactly like the Python
function it compiles, so declaring the decorator as signature-preserving is true to what it does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from numba import njit

F = TypeVar("F", bound=Callable[..., Any])


def compiled(**options: Any) -> Callable[[F], F]:
    """`numba.njit(**options)` as a decorator that keeps the decorated function's type."""
    return cast("Callable[[F], F]", njit(**options))
