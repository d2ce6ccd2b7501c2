"""One parser for the dates and instants people type on the command line (and in web forms).

Every option that takes a date or a time (`--as-of`, `--from`, `--until`, `--day`, ...) reads it
here, so the same text means the same moment everywhere, and a typo is one line naming the option
(exit 2) rather than a traceback or, worse, a silently different day. Instants are stored in UTC.

- ``2026-01-05T14:30:00-05:00``, ``2026-01-05T19:30:00Z``: that instant; without an offset, UTC.
- ``2026-01-05`` as an instant: the *end* of that day in UTC (an ``--as-of`` covers the whole day),
  or its *start* where the option opens a range (``bare_date="start"``).

Usage::

    from proctor.platform.dates import parse_day, parse_instant

    parse_day("2026-01-05", "--until")                          # date(2026, 1, 5)
    parse_instant("2026-01-05", "--as-of")                      # 2026-01-05 23:59:59 UTC
    parse_instant("2026-01-05", "--from", bare_date="start")    # 2026-01-05 00:00:00 UTC
    parse_instant(None, "--as-of")                              # None: the option was not given
    parse_instant("2026-13-01", "--as-of")                      # InputError naming --as-of
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal, overload

from proctor.core.clock import parse_iso
from proctor.core.errors import InputError

BareDate = Literal["start", "end"]


def parse_day(text: str, option: str) -> date:
    """A calendar date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}", field=option) from None


@overload
def parse_instant(text: str, option: str, *, bare_date: BareDate = "end") -> datetime: ...
@overload
def parse_instant(text: None, option: str, *, bare_date: BareDate = "end") -> None: ...
@overload
def parse_instant(text: str | None, option: str, *, bare_date: BareDate = "end") -> datetime | None: ...
def parse_instant(text: str | None, option: str, *, bare_date: BareDate = "end") -> datetime | None:
    """An ISO-8601 instant in UTC; a bare date is the end of that day, or its start for a range start."""
    if text is None:
        return None
    value = text.strip()
    try:
        if bare_date == "start" and len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return parse_iso(value)
    except ValueError:
        raise InputError(f"not an ISO-8601 date or time: {text!r}", field=option) from None
