"""Business days for review deadlines: weekdays that are not US market holidays.

A policy that says "reviewed within 5 business days" means days the firm is open, so weekends and
the holidays on which US equity markets close do not count. The holidays are computed by their
rules (observed on the nearest weekday when they fall on a weekend), so there is no table to fall
out of date. Deadlines fall at the end of the last business day in the firm's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "America/New_York"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def market_holidays(year: int) -> frozenset[date]:
    """NYSE full-day holidays of `year`."""
    days = {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _easter(year) - timedelta(days=2),  # Good Friday
        _last_weekday(year, 5, 0),  # Memorial Day
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),
    }
    new_year = date(year, 1, 1)
    if new_year.weekday() != 5:  # a Saturday New Year's Day is not observed on the Friday before
        days.add(_observed(new_year))
    if year >= 2022:
        days.add(_observed(date(year, 6, 19)))  # Juneteenth
    return frozenset(days)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in market_holidays(day.year)


def add_business_days(day: date, n: int) -> date:
    """The n-th business day after `day` (n >= 0; 0 is `day` itself, or the next business day)."""
    current = day
    if n == 0:
        while not is_business_day(current):
            current += timedelta(days=1)
        return current
    count = 0
    while count < n:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


def deadline(start: datetime, business_days: int, zone: str = DEFAULT_ZONE) -> datetime:
    """End of the `business_days`-th business day after `start`'s local date, as a UTC instant."""
    tz = ZoneInfo(zone)
    local_day = start.astimezone(tz).date()
    last = add_business_days(local_day, business_days)
    end = datetime.combine(last, time(23, 59, 59), tzinfo=tz)
    return end.astimezone(UTC)
