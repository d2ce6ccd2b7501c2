"""Display filters for the module pages: money as a FINOP reads it, deadlines in New York time.

Reserve amounts are integer cents (proctor.reserve.money); a deposit deadline is a legal instant
the firm's staff think of in Eastern time, while the record keeps UTC, so both are shown.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

EASTERN = ZoneInfo("America/New_York")


def money(cents: Any) -> str:
    """$1,234.56; negatives in parentheses as on a FOCUS report; missing is not zero."""
    if cents is None or cents == "":
        return "—"
    value = int(cents)
    text = f"${abs(value) // 100:,}.{abs(value) % 100:02d}"
    return f"({text})" if value < 0 else text


def eastern(value: Any) -> str:
    """'2026-12-02 11:00 ET (16:00 UTC)': the Eastern wall clock with the UTC instant beside it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    local = value.astimezone(EASTERN)
    utc = value.astimezone(ZoneInfo("UTC"))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({utc:%Y-%m-%d %H:%M} UTC)"


def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


def install(env: Environment) -> None:
    env.filters.update(money=money, eastern=eastern, percent=percent)
