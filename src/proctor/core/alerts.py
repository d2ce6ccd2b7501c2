"""The one alert model every module raises, and its workflow.

Status (where the item is in the workflow) is kept apart from disposition (what was concluded),
because an examiner asks both "was it worked?" and "what did you decide and why?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from proctor.core.canonical import digest
from proctor.core.errors import InvalidTransition


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ["low", "medium", "high", "critical"].index(self.value)


class AlertStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_REVIEW = "in_review"
    PENDING_APPROVAL = "pending_approval"
    CLOSED = "closed"


class Disposition(StrEnum):
    NO_ACTION = "no_action"
    FALSE_POSITIVE = "false_positive"
    ESCALATED = "escalated"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Subject:
    """Who or what an alert is about: a person, a source, a symbol, an account, a computation."""

    kind: str
    id: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id}


DEFAULT_DUE = {
    Severity.CRITICAL: timedelta(hours=24),
    Severity.HIGH: timedelta(days=3),
    Severity.MEDIUM: timedelta(days=5),
    Severity.LOW: timedelta(days=10),
}


@dataclass(frozen=True)
class AlertDraft:
    """What a control (or a reviewer's escalation) wants raised; the platform stores it as an alert."""

    control: str
    rule_id: str
    rule_version: str
    title: str
    severity: Severity
    subjects: tuple[Subject, ...]
    evidence: dict[str, Any]
    evidence_type: str = "table"
    params: dict[str, Any] = field(default_factory=dict)
    due_in: timedelta | None = None
    dedupe_key: str | None = None

    @property
    def params_hash(self) -> str:
        return digest(self.params)

    def key(self) -> str:
        """Identity of the finding: the same breach seen again does not open a second alert."""
        if self.dedupe_key:
            return self.dedupe_key
        return digest(
            {
                "control": self.control,
                "rule": self.rule_id,
                "subjects": [s.as_dict() for s in self.subjects],
                "params": self.params_hash,
            }
        )

    def due(self) -> timedelta:
        return self.due_in if self.due_in is not None else DEFAULT_DUE[self.severity]


_ALLOWED: dict[str, set[AlertStatus]] = {
    "assign": {AlertStatus.NEW, AlertStatus.ASSIGNED, AlertStatus.IN_REVIEW},
    "start": {AlertStatus.NEW, AlertStatus.ASSIGNED},
    "close": {AlertStatus.NEW, AlertStatus.ASSIGNED, AlertStatus.IN_REVIEW},
    "approve": {AlertStatus.PENDING_APPROVAL},
    "reject": {AlertStatus.PENDING_APPROVAL},
    "reopen": {AlertStatus.CLOSED},
    "escalate": {AlertStatus.NEW, AlertStatus.ASSIGNED, AlertStatus.IN_REVIEW},
    "note": set(AlertStatus),
}


def check_transition(action: str, status: AlertStatus) -> None:
    if status not in _ALLOWED[action]:
        raise InvalidTransition(f"cannot {action} an alert that is {status.value}")


def require_rationale(rationale: str | None) -> str:
    text = (rationale or "").strip()
    if len(text) < 10:
        raise InvalidTransition("closing needs a rationale of at least 10 characters saying why")
    return text


@dataclass(frozen=True)
class FourEyesPolicy:
    """Which closings need a second person's approval: by severity, and for named controls."""

    min_severity: Severity = Severity.HIGH
    controls: frozenset[str] = frozenset()
    always_for_dispositions: frozenset[Disposition] = frozenset({Disposition.FALSE_POSITIVE})

    def applies(self, severity: Severity, control: str, disposition: Disposition) -> bool:
        if disposition is Disposition.ESCALATED:
            return False
        if control in self.controls:
            return True
        if severity.rank >= self.min_severity.rank:
            return True
        return disposition in self.always_for_dispositions and severity.rank >= Severity.MEDIUM.rank
