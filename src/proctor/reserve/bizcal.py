"""Business days, bank holidays and the 15c3-3(e)(3) deposit deadline.

A deposit is due "no later than one hour after the opening of banking business on the second
following business day" (17 CFR 240.15c3-3(e)(3)(i)). A day counts only if the firm is open and the
reserve bank is open for business, so the calendar is the US Federal Reserve holiday schedule
(Saturday holidays are not moved; Sunday holidays move to Monday) plus any firm closures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import polars as pl

NEW_YORK = ZoneInfo("America/New_York")


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@lru_cache(maxsize=64)
def federal_reserve_holidays(year: int) -> frozenset[date]:
    """Days the Federal Reserve Banks are closed; a Saturday holiday is not observed on Friday."""
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25)]
    if year >= 2021:
        fixed.append(date(year, 6, 19))
    observed = {d + timedelta(days=1) if d.weekday() == 6 else d for d in fixed}
    observed |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _last_weekday(year, 5, 0),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
    }
    return frozenset(d for d in observed if d.weekday() < 5)


@dataclass(frozen=True)
class BankCalendar:
    """Business days for reserve deposits: weekdays that are neither bank holidays nor closures."""

    closures: frozenset[date] = field(default_factory=frozenset)
    bank_opening: time = time(9, 0)
    tz: ZoneInfo = NEW_YORK

    def holidays(self, years: Iterable[int]) -> set[date]:
        out = set(self.closures)
        for year in years:
            out |= federal_reserve_holidays(year)
        return out

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays([day.year])

    def add_business_days(self, day: date, n: int) -> date:
        current = day
        while n > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                n -= 1
        return current

    def last_business_day_of_week(self, day: date) -> date:
        friday = day + timedelta(days=4 - day.weekday()) if day.weekday() <= 4 else day
        current = friday
        while not self.is_business_day(current):
            current -= timedelta(days=1)
        return current

    def deposit_deadline(self, as_of: date, business_days_after: int = 2, hours: int = 1) -> datetime:
        """Deadline for a deposit computed as of `as_of` (aware, in the bank's time zone)."""
        due_day = self.add_business_days(as_of, business_days_after)
        opening = datetime.combine(due_day, self.bank_opening, tzinfo=self.tz)
        return opening + timedelta(hours=hours)

    def business_days_since(self, start: pl.Expr, end: date) -> pl.Expr:
        """Vectorised count of business days in [start, end), for ageing in business days."""
        years = range(end.year - 2, end.year + 1)
        return pl.business_day_count(start, pl.lit(end), holidays=sorted(self.holidays(years)))
