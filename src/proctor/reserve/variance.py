"""Variance review: every line and component against the previous computation.

The corrective action in the enforcement case was a weekly FINOP review of material changes, with
unexplained ones escalated to the president and CCO. Here a breach is a line moving by more than
10% *and* more than $250,000 (both defaults, in the rule table), a line falling to zero, or a
component appearing or vanishing; each needs a FINOP explanation before the computation is signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from proctor.reserve.money import fmt
from proctor.reserve.ruletable import RuleTable


@dataclass(frozen=True)
class Breach:
    key: str  # "line:1" or "component:accounts.short_market_value"
    kind: str  # moved | fell_to_zero | appeared | vanished
    previous: int
    current: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "previous": self.previous,
            "current": self.current,
            "message": self.message,
        }


def review(
    previous_lines: dict[str, int],
    current_lines: dict[str, int],
    previous_components: dict[str, int],
    current_components: dict[str, int],
    rules: RuleTable,
) -> list[Breach]:
    pct = rules.decimal("variance_pct")
    abs_limit = int(rules.decimal("variance_abs") * 100)
    out: list[Breach] = []
    for line in sorted(set(previous_lines) | set(current_lines), key=_order):
        before, now = previous_lines.get(line, 0), current_lines.get(line, 0)
        change = now - before
        label = f"Item {line}"
        if before != 0 and now == 0:
            out.append(
                Breach(
                    f"line:{line}", "fell_to_zero", before, now, f"{label} fell to zero from {fmt(before)}"
                )
            )
        elif before != 0 and abs(change) > abs_limit and Decimal(abs(change)) > Decimal(abs(before)) * pct:
            share = Decimal(change) / Decimal(abs(before)) * 100
            out.append(
                Breach(
                    f"line:{line}",
                    "moved",
                    before,
                    now,
                    f"{label} moved {fmt(change)} ({share:.1f}%) from {fmt(before)} to {fmt(now)}",
                )
            )
        elif before == 0 and abs(now) > abs_limit:
            out.append(Breach(f"line:{line}", "moved", before, now, f"{label} rose from zero to {fmt(now)}"))
    for comp in sorted(set(previous_components) | set(current_components)):
        before, now = previous_components.get(comp, 0), current_components.get(comp, 0)
        if before == 0 and now != 0:
            out.append(
                Breach(
                    f"component:{comp}", "appeared", before, now, f"component {comp} appeared ({fmt(now)})"
                )
            )
        elif before != 0 and now == 0:
            out.append(
                Breach(
                    f"component:{comp}",
                    "vanished",
                    before,
                    now,
                    f"component {comp} vanished (was {fmt(before)})",
                )
            )
    return out


def _order(line: str) -> tuple[int, str]:
    return (int(line), "") if line.isdigit() else (99, line)


def unexplained(breaches: list[Breach], explanations: dict[str, str]) -> list[Breach]:
    """Breaches without a substantive explanation (at least 20 characters saying why)."""
    return [b for b in breaches if len((explanations.get(b.key) or "").strip()) < 20]
