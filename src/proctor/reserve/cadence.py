"""How often a firm must compute: daily above the $500 million threshold, monthly at 105% if small.

Daily: 15c3-3(e)(3)(i)(B)(1) — average total credits (customer plus PAB) over the 12 most recently
filed month-end computations of at least $500,000,000; exactly $500,000,000 is daily. Compliance
date 30 June 2026 (Release 34-103320). Monthly (aggregate indebtedness not over
800% of net capital, customer funds not over $1,000,000, depositing 105%) is judged by
`permitted_cadence`, against this computation's figures and the last required computation's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from proctor.reserve.money import fmt
from proctor.reserve.ruletable import RuleTable


@dataclass(frozen=True)
class MonthEnd:
    """Total credits reported for one filed month-end computation (customer and PAB)."""

    month_end: date
    customer_total_credits: int
    pab_total_credits: int

    @property
    def total(self) -> int:
        return self.customer_total_credits + self.pab_total_credits


@dataclass(frozen=True)
class CadenceDecision:
    cadence: str
    average_total_credits: Decimal | None
    reason: str


def daily_required(history: Sequence[MonthEnd], as_of: date, rules: RuleTable) -> CadenceDecision:
    months = rules.integer("daily_threshold_months")
    threshold = int(rules.decimal("daily_threshold_average_total_credits") * 100)
    recent = sorted((m for m in history if m.month_end < as_of), key=lambda m: m.month_end)[-months:]
    if len(recent) < months:
        return CadenceDecision(
            "weekly", None, f"only {len(recent)} of {months} month-end computations on file"
        )
    average = Decimal(sum(m.total for m in recent)) / months
    compliance = rules.day("daily_compliance_date")
    above = average >= threshold
    if above and as_of >= compliance:
        return CadenceDecision(
            "daily", average, f"average total credits {fmt(int(average))} >= {fmt(threshold)}"
        )
    if above:
        return CadenceDecision(
            "weekly",
            average,
            f"average {fmt(int(average))} is over the threshold; daily required from {compliance}",
        )
    return CadenceDecision("weekly", average, f"average total credits {fmt(int(average))} < {fmt(threshold)}")
