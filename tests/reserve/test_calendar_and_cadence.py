"""Deposit deadlines across bank holidays, and the daily and monthly cadence rules."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.platform.calendar import FEDERAL_RESERVE
from proctor.reserve.cadence import MonthEnd, daily_required
from proctor.reserve.ruletable import RuleTable

CAL = FEDERAL_RESERVE


@pytest.mark.parametrize(
    ("as_of", "due"),
    [
        # Friday 21 Nov 2025: Mon 24, Tue 25 -> Tuesday 10:00 New York
        (date(2025, 11, 21), "2025-11-25T10:00:00-05:00"),
        # Wednesday 26 Nov 2025: Thanksgiving (27) is skipped -> Fri 28, Mon 1 Dec
        (date(2025, 11, 26), "2025-12-01T10:00:00-05:00"),
        # Friday 26 Dec 2025: Mon 29, Tue 30
        (date(2025, 12, 26), "2025-12-30T10:00:00-05:00"),
        # Wednesday 31 Dec 2025: New Year's Day skipped -> Fri 2, Mon 5 Jan
        (date(2025, 12, 31), "2026-01-05T10:00:00-05:00"),
        # Friday 16 Jan 2026: Martin Luther King Jr. Day (19) skipped -> Tue 20, Wed 21
        (date(2026, 1, 16), "2026-01-21T10:00:00-05:00"),
        # Thursday 8 Oct 2026: Columbus Day (12) is a bank holiday though markets are open
        (date(2026, 10, 8), "2026-10-13T10:00:00-04:00"),
    ],
)
def test_deposit_deadline_second_following_business_day(as_of: date, due: str) -> None:
    assert CAL.deposit_deadline(as_of).isoformat() == due


def test_sunday_holiday_moves_to_monday_saturday_holiday_is_not_moved() -> None:
    assert date(2027, 7, 5) in FEDERAL_RESERVE.holidays_of(2027)  # 4 July 2027 is a Sunday
    assert date(2026, 7, 3) not in FEDERAL_RESERVE.holidays_of(2026)  # 4 July 2026 is a Saturday


def test_firm_closures_extend_the_deadline() -> None:
    closed = FEDERAL_RESERVE.with_closures({date(2025, 11, 24)})
    assert closed.deposit_deadline(date(2025, 11, 21)).isoformat() == "2025-11-26T10:00:00-05:00"


def _history(average_cents: int) -> list[MonthEnd]:
    return [MonthEnd(date(2025, m, 28), average_cents - 1_000_00, 1_000_00) for m in range(1, 13)]


def test_exactly_500_million_average_is_daily() -> None:
    rules = RuleTable.baseline()
    decision = daily_required(_history(500_000_000_00), date(2026, 7, 1), rules)
    assert decision.cadence == "daily"
    just_under = daily_required(_history(500_000_000_00 - 1), date(2026, 7, 1), rules)
    assert just_under.cadence == "weekly"


def test_daily_required_only_from_the_compliance_date_and_with_12_months() -> None:
    rules = RuleTable.baseline()
    before = daily_required(_history(600_000_000_00), date(2026, 6, 29), rules)
    assert before.cadence == "weekly" and "2026-06-30" in before.reason
    assert daily_required(_history(600_000_000_00)[1:], date(2026, 7, 1), rules).cadence == "weekly"
