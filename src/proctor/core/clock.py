"""Injectable time, so controls can run "as of" any moment and tests never sleep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock UTC time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told to; used by tests and by replays."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 14, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta


def ensure_utc(moment: datetime) -> datetime:
    """Refuse naive datetimes: a time without a zone is ambiguous evidence."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """The one textual form of an instant used in records and the journal."""
    return ensure_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 instant; a date alone means the end of that day in UTC."""
    value = text.strip()
    if len(value) == 10:
        day = datetime.fromisoformat(value)
        return day.replace(hour=23, minute=59, second=59, tzinfo=UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
