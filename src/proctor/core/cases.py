"""Cases group alerts for an investigation; the same journaled workflow discipline as alerts."""

from __future__ import annotations

from enum import StrEnum

from proctor.core.errors import InvalidTransition


class CaseStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    CLOSED = "closed"


_ALLOWED: dict[str, set[CaseStatus]] = {
    "add_alert": {CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.ESCALATED},
    "assign": {CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.ESCALATED},
    "investigate": {CaseStatus.OPEN},
    "escalate": {CaseStatus.OPEN, CaseStatus.INVESTIGATING},
    "close": {CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.ESCALATED},
    "reopen": {CaseStatus.CLOSED},
    "note": set(CaseStatus),
}


def check_case_transition(action: str, status: CaseStatus) -> None:
    if status not in _ALLOWED[action]:
        raise InvalidTransition(f"cannot {action.replace('_', ' ')} a case that is {status.value}")
