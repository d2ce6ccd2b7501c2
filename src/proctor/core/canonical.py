"""Canonical JSON: the one byte form used for hashing records and journal leaves.

Two systems (Proctor and an examiner's verifier) must produce identical bytes for the same
record, so the encoding is fixed: keys sorted, no insignificant whitespace, UTF-8, and a small set
of value types with one textual form each.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from proctor.core.clock import iso_utc


def plain(value: Any) -> Any:
    """Reduce a value to JSON types with a single, stable representation."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso_utc(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=dumps) if isinstance(value, (set, frozenset)) else items
    raise TypeError(f"cannot canonicalise value of type {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode(value: Any) -> bytes:
    return dumps(value).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """SHA-256 of the canonical form: the hash that identifies a record's state."""
    return sha256_hex(encode(value))
