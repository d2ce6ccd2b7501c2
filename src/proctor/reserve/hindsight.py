"""Hindsight re-run: after a data correction, recompute past as-of dates and find the shortfalls.

A corrected feed (for example the short market value the old source dropped) changes what the
reserve *should* have been. Each past date is recomputed with the corrected inputs and the formula
version of record for that date; where the corrected requirement exceeds what was eligibly on
deposit then, that is a hindsight deficiency that must be notified under 15c3-3(i), and a month-end
date also sends the FOCUS report for that month to amendment review.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from proctor.platform.calendar import FEDERAL_RESERVE, BusinessCalendar
from proctor.reserve.components import Settings
from proctor.reserve.compute import Computation, compute_both
from proctor.reserve.loaders import Book
from proctor.reserve.ruletable import RuleTable


@dataclass(frozen=True)
class RerunTarget:
    as_of: date
    settings: Settings
    original_requirements: dict[str, int]  # book -> requirement computed at the time
    load_corrected: Callable[[], Book]
    rules: RuleTable


@dataclass(frozen=True)
class HindsightFinding:
    as_of: date
    book: str
    original_requirement: int
    corrected_requirement: int
    on_deposit: int
    hindsight_deficiency: int
    focus_amendment_review: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "book": self.book,
            "original_requirement": self.original_requirement,
            "corrected_requirement": self.corrected_requirement,
            "on_deposit": self.on_deposit,
            "hindsight_deficiency": self.hindsight_deficiency,
            "focus_amendment_review": self.focus_amendment_review,
        }


def is_month_end(day: date, calendar: BusinessCalendar) -> bool:
    """The last business day of its month: the computation a FOCUS report carries."""
    nxt = calendar.add_business_days(day, 1)
    return nxt.month != day.month


def findings_for(
    as_of: date, comps: Sequence[Computation], original: dict[str, int], calendar: BusinessCalendar
) -> list[HindsightFinding]:
    out = []
    for comp in comps:
        book = comp.settings.book
        before = original.get(book, 0)
        out.append(
            HindsightFinding(
                as_of=as_of,
                book=book,
                original_requirement=before,
                corrected_requirement=comp.requirement,
                on_deposit=comp.on_deposit,
                hindsight_deficiency=comp.deficiency,
                focus_amendment_review=comp.requirement != before and is_month_end(as_of, calendar),
            )
        )
    return out


def rerun(targets: Sequence[RerunTarget], calendar: BusinessCalendar | None = None) -> list[HindsightFinding]:
    calendar = calendar or FEDERAL_RESERVE
    out = []
    for t in targets:
        comps = compute_both(t.load_corrected(), t.rules, t.settings, calendar=calendar)
        out += findings_for(t.as_of, comps, t.original_requirements, calendar)
    return out
