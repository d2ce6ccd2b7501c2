"""Importers of the trading module: each turns one source layout into typed rows plus a quarantine.

`parse(kind, path, fmt, ...)` is the one entry point; `proctor.trading.store` stores the result.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from proctor.core.errors import InputError
from proctor.trading.importers import clock, evidence, quotes, refprices, trades
from proctor.trading.importers._intake import Parsed

KINDS = ("quotes", "trades", "evidence", "clock", "refprices")


def parse(
    kind: str,
    path: Path,
    fmt: str | None = None,
    *,
    day: date | None = None,
    lots: bool = False,
    now: datetime | None = None,
) -> tuple[Parsed, bytes, str]:
    """Parse one file of `kind`; returns the parsed rows, the file's bytes and the format used.

    `now` is the import's own time: rows dated after it are quarantined as future, not stored.
    """
    if kind == "quotes":
        return quotes.parse(path, fmt, day=day, lots=lots, now=now)
    if kind == "trades":
        return trades.parse(path, fmt, day=day, now=now)
    if kind == "evidence":
        return evidence.parse(path, fmt, day=day, now=now)
    if kind == "clock":
        return clock.parse(path, fmt, day=day, now=now)
    if kind == "refprices":
        return refprices.parse(path, fmt, now=now)
    raise InputError(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}", field="kind")
