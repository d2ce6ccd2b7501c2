"""The 15c3-3(i) notice a firm must give immediately when a required deposit is not made.

Drafted the moment a deficiency (or a hindsight deficiency) is found, so the FINOP starts from a
complete, correct text instead of a blank page while the clock runs. Sending it stays a person's act.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from proctor.reserve.money import fmt


def draft_notice(
    *,
    firm: str,
    book: str,
    as_of: date,
    requirement: int,
    on_deposit: int,
    deficiency: int,
    deadline: datetime | None,
    hindsight: bool = False,
    computation_id: str | None = None,
) -> dict[str, Any]:
    account = (
        "Special Reserve Bank Account for the Exclusive Benefit of Customers"
        if book == "customer"
        else ("Special Reserve Bank Account for Brokers and Dealers (PAB)")
    )
    kind = "hindsight deficiency" if hindsight else "deficiency"
    body = (
        f"{firm} gives notice under SEA Rule 15c3-3(i) of a {kind} in its {account}.\n"
        f"Computation as of {as_of.isoformat()} ({book}).\n"
        f"Required deposit: ${fmt(requirement)}\n"
        f"Eligible amount on deposit under Rule 15c3-3(e)(5): ${fmt(on_deposit)}\n"
        f"Deficiency: ${fmt(deficiency)}\n"
        + (f"Deposit deadline: {deadline.isoformat()}\n" if deadline else "")
        + "The firm will confirm this notice in writing and describe the deposit made to cure it.\n"
    )
    return {
        "rule": "SEA Rule 15c3-3(i)",
        "to": ["U.S. Securities and Exchange Commission", "Designated examining authority"],
        "subject": f"Rule 15c3-3(i) notice: {book} reserve {kind} as of {as_of.isoformat()}",
        "body": body,
        "status": "draft",
        "computation_id": computation_id,
    }
