"""One business calendar for every deadline: holidays are data, the counting is written once.

Deadlines in supervision are counted in business days, but whose business depends on the rule:
a 15c3-3 reserve deposit is due on the second *banking* day (the Federal Reserve's holidays, where
a Saturday holiday is not moved and a Sunday one moves to Monday), a review SLA counts the days
the *market* is open (NYSE holidays, with Good Friday, observed on the nearest weekday), and a
trading surveillance window does the same. So the holiday rules are rows of a table
(:data:`HOLIDAYS`), each calendar is a name, a set of those rows and an observance rule
(:data:`FEDERAL_RESERVE`, :data:`NYSE`), and a firm adds its own closures as dates. There is no
list of dates to fall out of date.

Usage::

    from proctor.platform.calendar import FEDERAL_RESERVE, NYSE

    NYSE.is_business_day(date(2026, 4, 3))             # False: Good Friday
    NYSE.add_business_days(date(2026, 1, 15), 3)       # 2026-01-21, over Martin Luther King Jr. Day
    NYSE.business_days_between(start, end)             # days after start, up to and including end
    NYSE.deadline(sent_at, 5, "America/New_York")      # end of the 5th business day, as UTC
    bank = FEDERAL_RESERVE.with_closures({date(2025, 11, 24)})
    bank.deposit_deadline(date(2026, 1, 2))            # one hour after opening, 2nd banking day
    bank.holidays_of(2027)                             # frozenset of dates
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import polars as pl

NEW_YORK = ZoneInfo("America/New_York")
Observance = Literal["sunday_to_monday", "nearest_weekday"]


@dataclass(frozen=True)
class Holiday:
    """One holiday rule: a fixed date, the n-th (or last, n=-1) weekday of a month, or Easter-relative."""

    key: str
    name: str
    month: int = 0
    day: int = 0
    weekday: int = -1
    nth: int = 0
    easter_offset: int | None = None
    since: int = 0  # first year the holiday is kept
    saturday_observed: bool = True  # under nearest_weekday: moved to Friday (New Year's Day is not)

    def date_in(self, year: int) -> date:
        if self.easter_offset is not None:
            return _easter(year) + timedelta(days=self.easter_offset)
        if self.day:
            return date(year, self.month, self.day)
        if self.nth == -1:
            last = date(year + self.month // 12, self.month % 12 + 1, 1) - timedelta(days=1)
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        first = date(year, self.month, 1)
        return first + timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.nth - 1))


MON, THU = 0, 3

#: Every holiday rule a calendar may use (names as the Federal Reserve and NYSE publish them).
HOLIDAYS: dict[str, Holiday] = {
    h.key: h
    for h in (
        Holiday("new_year", "New Year's Day", 1, 1, saturday_observed=False),
        Holiday("mlk", "Martin Luther King Jr. Day", 1, weekday=MON, nth=3),
        Holiday("washington", "Washington's Birthday", 2, weekday=MON, nth=3),
        Holiday("good_friday", "Good Friday", easter_offset=-2),
        Holiday("memorial", "Memorial Day", 5, weekday=MON, nth=-1),
        Holiday("juneteenth_fed", "Juneteenth National Independence Day", 6, 19, since=2021),
        Holiday("juneteenth_nyse", "Juneteenth National Independence Day", 6, 19, since=2022),
        Holiday("independence", "Independence Day", 7, 4),
        Holiday("labor", "Labor Day", 9, weekday=MON, nth=1),
        Holiday("columbus", "Columbus Day", 10, weekday=MON, nth=2),
        Holiday("veterans", "Veterans Day", 11, 11),
        Holiday("thanksgiving", "Thanksgiving Day", 11, weekday=THU, nth=4),
        Holiday("christmas", "Christmas Day", 12, 25),
    )
}


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


@lru_cache(maxsize=256)
def _observed_holidays(keys: tuple[str, ...], observance: Observance, year: int) -> frozenset[date]:
    out: set[date] = set()
    for key in keys:
        rule = HOLIDAYS[key]
        if year < rule.since:
            continue
        day = rule.date_in(year)
        if day.weekday() == 6:
            day += timedelta(days=1)
        elif day.weekday() == 5:
            if observance == "sunday_to_monday" or not rule.saturday_observed:
                continue
            day -= timedelta(days=1)
        out.add(day)
    return frozenset(out)


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekdays that are neither holidays (by rule) nor the firm's own closures."""

    name: str
    holiday_keys: tuple[str, ...]
    observance: Observance
    closures: frozenset[date] = field(default_factory=frozenset)
    opening: time = time(9, 0)
    tz: ZoneInfo = NEW_YORK

    def with_closures(self, closures: Iterable[date]) -> BusinessCalendar:
        return replace(self, closures=frozenset(closures) | self.closures)

    def holidays_of(self, year: int) -> frozenset[date]:
        return _observed_holidays(self.holiday_keys, self.observance, year)

    def holidays(self, years: Iterable[int]) -> set[date]:
        out = set(self.closures)
        for year in years:
            out |= self.holidays_of(year)
        return out

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closures and day not in self.holidays_of(day.year)

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day`; n == 0 is `day` itself if open, else the next open day."""
        current = day
        if n == 0:
            while not self.is_business_day(current):
                current += timedelta(days=1)
            return current
        while n > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                n -= 1
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (0 when end <= start)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_business_day(current):
                count += 1
        return count

    def last_business_day_of_week(self, day: date) -> date:
        current = day + timedelta(days=4 - day.weekday()) if day.weekday() <= 4 else day
        while not self.is_business_day(current):
            current -= timedelta(days=1)
        return current

    def deadline(self, start: datetime, business_days: int, zone: str | None = None) -> datetime:
        """End of the `business_days`-th business day after `start`'s local date, as a UTC instant."""
        tz = ZoneInfo(zone) if zone else self.tz
        last = self.add_business_days(start.astimezone(tz).date(), business_days)
        return datetime.combine(last, time(23, 59, 59), tzinfo=tz).astimezone(UTC)

    def deposit_deadline(self, as_of: date, business_days_after: int = 2, hours: int = 1) -> datetime:
        """`hours` after opening on the `business_days_after`-th business day (aware, local time)."""
        due_day = self.add_business_days(as_of, business_days_after) if business_days_after else as_of
        return datetime.combine(due_day, self.opening, tzinfo=self.tz) + timedelta(hours=hours)

    def business_days_since(self, start: pl.Expr, end: date) -> pl.Expr:
        """Vectorised count of business days in [start, end) (Polars), for ageing in business days."""
        import polars as pl

        years = range(end.year - 2, end.year + 1)
        return pl.business_day_count(start, pl.lit(end), holidays=sorted(self.holidays(years)))


#: Federal Reserve Banks' holidays: banking days, for 15c3-3 deposits.
FEDERAL_RESERVE = BusinessCalendar(
    "federal_reserve",
    (
        "new_year",
        "mlk",
        "washington",
        "memorial",
        "juneteenth_fed",
        "independence",
        "labor",
        "columbus",
        "veterans",
        "thanksgiving",
        "christmas",
    ),
    "sunday_to_monday",
)

#: NYSE full-day holidays: market days, for review SLAs and trading windows.
NYSE = BusinessCalendar(
    "nyse",
    (
        "new_year",
        "mlk",
        "washington",
        "good_friday",
        "memorial",
        "juneteenth_nyse",
        "independence",
        "labor",
        "thanksgiving",
        "christmas",
    ),
    "nearest_weekday",
)

CALENDARS = {c.name: c for c in (FEDERAL_RESERVE, NYSE)}
