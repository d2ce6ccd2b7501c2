"""The FOCUS Part II presentation of a computation: whole dollars as filed, beside the exact cents.

FOCUS reports are filed in whole dollars while Proctor computes to the cent; a FINOP tying a filed
report back to the computation needs both figures and the rounding between them on every line, or
the eight wrong FOCUS reports of the enforcement case cannot be told from honest rounding. The
rounding never understates the reserve: credits, the requirement and the deposit needed round up
to the dollar, debits and the amount on deposit round down. Lines 26 (new amount on deposit) and
27 (date of deposit) are always present; a deposit not yet made shows its deadline, not a date.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

UP = ("credit", "result", "requirement", "deposit")
TOTAL_SIDE = {
    "total_credits": "credit",
    "aggregate_debits": "debit",
    "debit_reduction": "credit",  # a reduction of debits: rounding it up lowers debits, never the reserve
    "total_debits": "debit",
    "excess_debits": "debit",
    "excess_credits": "result",
    "monthly_105": "requirement",
    "on_deposit": "debit",
    "deposit_or_withdrawal": "deposit",
}


def whole_dollars(amount: str, side: str) -> dict[str, Any]:
    exact = Decimal(amount)
    rounding = ROUND_CEILING if side in UP else ROUND_FLOOR
    dollars = exact.quantize(Decimal(1), rounding=rounding)
    return {
        "exact": str(exact),
        "whole_dollars": int(dollars),
        "rounding_cents": int((dollars - exact) * 100),
        "rounded": "up" if rounding == ROUND_CEILING else "down",
    }


def presentation(doc: dict[str, Any], rules_focus_totals: dict[str, Any]) -> list[dict[str, Any]]:
    """Every FOCUS line of the computation, in line order, with whole dollars and the rounding."""
    out: list[dict[str, Any]] = []
    for line in doc["lines"]:
        if not line["focus_line"]:
            continue
        out.append(
            {"focus_line": line["focus_line"], "focus_box": line["focus_box"], "name": f"item {line['item']}"}
            | whole_dollars(line["focus_amount"], line["side"])
        )
    for total in doc["totals"]:
        if not total.get("focus_line") or any(r["focus_line"] == total["focus_line"] for r in out):
            continue  # line 22 is Item 16 itself
        out.append(
            {"focus_line": total["focus_line"], "focus_box": total["focus_box"], "name": total["name"]}
            | whole_dollars(total["amount"], TOTAL_SIDE.get(total["name"], "credit"))
        )
    requirement, on_deposit = Decimal(doc["requirement"]), Decimal(doc["on_deposit"])
    deposit = max(requirement - on_deposit, Decimal(0))
    pab = doc["book"] == "pab"
    for key, value, side in (("new_amount_on_deposit", on_deposit + deposit, "requirement"),):
        spec = rules_focus_totals.get(key, {})
        out.append(
            {
                "focus_line": str(spec.get("line", "26")),
                "focus_box": None if pab else spec.get("box"),
                "name": key,
            }
            | whole_dollars(str(value), side)
        )
    spec = rules_focus_totals.get("date_of_deposit", {})
    out.append(
        {
            "focus_line": str(spec.get("line", "27")),
            "focus_box": None if pab else spec.get("box"),
            "name": "date_of_deposit",
            "date": None,
            "deadline": doc["deposit_deadline"] if deposit > 0 else None,
            "status": "deposit due by the deadline; record the date it is made"
            if deposit > 0
            else "no deposit required",
        }
    )
    return sorted(out, key=lambda r: _line_order(r["focus_line"]))


def _line_order(line: str) -> tuple[int, str]:
    digits = "".join(ch for ch in line if ch.isdigit())
    return (int(digits) if digits else 999, line)
