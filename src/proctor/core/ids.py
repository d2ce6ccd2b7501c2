"""Identifiers that sort by creation time and say what they name (ALR-…, CAS-…)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

IdFactory = Callable[[str], str]


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A ULID-style id (48-bit millisecond time + 80 random bits) with a readable prefix."""
    stamp = _encode(int(time.time() * 1000), 10)
    rand = _encode(int.from_bytes(os.urandom(10), "big"), 16)
    return f"{prefix}-{stamp}{rand}"


class SequentialIds:
    """Deterministic ids for tests and reproducible demos."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def __call__(self, prefix: str) -> str:
        count = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = count
        return f"{prefix}-{count:06d}"
