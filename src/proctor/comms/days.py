"""Which day a message belongs to: the calendar day in its source's time zone.

Sources report counts per day in their own zone (a New York mailbox's "Monday" ends at midnight
New York time, not UTC), so per-day counts, manifests and volume baselines all use this one rule.
A source without a registered zone counts in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=64)
def zone_of(name: str | None) -> tzinfo:
    return ZoneInfo(name) if name else UTC


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants at which `day` starts and ends in `zone` (23 or 25 hours at DST changes)."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def complete_days(as_of: datetime, zone: tzinfo, count: int) -> list[date]:
    """The `count` most recent days that had fully ended by `as_of`, oldest first."""
    today = local_day(as_of, zone)
    _, end = day_bounds(today, zone)
    last = today if end <= as_of else today - timedelta(days=1)
    return [last - timedelta(days=offset) for offset in range(count - 1, -1, -1)]
