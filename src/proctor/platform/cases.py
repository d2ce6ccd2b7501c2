"""Case service: investigations that group alerts, with notes, assignment, escalation and closing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import require_rationale
from proctor.core.cases import CaseStatus, check_case_transition
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import (
    ALERT_ASSIGN,
    ALERT_VIEW_ALL,
    CASE_WORK,
    READ,
    can,
    require,
    require_not_subject,
)
from proctor.platform.alerts import subject_ids
from proctor.store.schema import alerts, cases, notes

if TYPE_CHECKING:
    from proctor.platform.case_investigation import CaseInvestigation
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace


class CaseService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def investigation(self) -> CaseInvestigation:
        """Summary, subject, outcome, due date, Rule 4530 fields, linked messages and attachments."""
        from proctor.platform.case_investigation import CaseInvestigation

        return CaseInvestigation(self.ws)

    def open_case(
        self, title: str, *, actor: str, alert_ids: list[str] | None = None, rationale: str = ""
    ) -> str:
        """Open a case; alerts named are escalated into it (closed as escalated, linked to the case)."""
        user = self.ws.users.get(actor)
        require(user, CASE_WORK)
        if not title.strip():
            raise InputError("a case needs a title", field="title")
        case_id = self.ws.ids("CAS")
        now = self.ws.clock.now()
        with self.ws.transaction(actor) as tx:
            tx.insert(
                cases,
                {
                    "id": case_id,
                    "title": title.strip()[:400],
                    "status": CaseStatus.OPEN.value,
                    "assignee": actor,
                    "created_by": actor,
                    "rationale": None,
                    "created_at": now,
                    "updated_at": now,
                    "closed_at": None,
                },
                "case.opened",
            )
            for alert_id in alert_ids or []:
                self._escalate_into(
                    tx, case_id, alert_id, rationale or f"Escalated to case {case_id}: {title}"
                )
        return case_id

    def _escalate_into(self, tx: Transaction, case_id: str, alert_id: str, rationale: str) -> None:
        user = self.ws.users.get(tx.actor)
        self.ws.alerts.mark_escalated(tx, alert_id, case_id, user, require_rationale(rationale))

    def add_alert(self, case_id: str, alert_id: str, *, actor: str, rationale: str) -> None:
        user = self.ws.users.get(actor)
        require(user, CASE_WORK)
        with self.ws.transaction(actor) as tx:
            case = self._load(tx, case_id, "add_alert")
            self._check_subjects(tx, case["id"], user)
            self._escalate_into(tx, case_id, alert_id, rationale)
            tx.update(cases, case_id, {"updated_at": self.ws.clock.now()}, "case.alert_added")

    def _load(self, tx: Transaction, case_id: str, action: str) -> dict[str, Any]:
        case = tx.get(cases, case_id)
        if case is None:
            raise NotFound(f"no case {case_id!r}")
        user = self.ws.users.get(tx.actor)
        if not can(user, ALERT_VIEW_ALL) and tx.actor not in (case["assignee"], case["created_by"]):
            raise NotFound(f"no case {case_id!r}")  # the same answer as for reading it
        check_case_transition(action, CaseStatus(case["status"]))
        return case

    def _check_subjects(self, tx: Transaction, case_id: str, user: Any) -> None:
        for row in tx.conn.execute(
            sa.select(alerts.c.id, alerts.c.subjects).where(alerts.c.case_id == case_id)
        ):
            require_not_subject(user, subject_ids(dict(row._mapping)), f"case {case_id}")

    def _transition(
        self,
        case_id: str,
        action: str,
        values: dict[str, Any],
        event: str,
        actor: str,
        permission: str = CASE_WORK,
    ) -> dict[str, Any]:
        user = self.ws.users.get(actor)
        require(user, permission)
        with self.ws.transaction(actor) as tx:
            self._load(tx, case_id, action)
            self._check_subjects(tx, case_id, user)
            return tx.update(cases, case_id, {**values, "updated_at": self.ws.clock.now()}, event)

    def assign(self, case_id: str, assignee: str, *, actor: str) -> dict[str, Any]:
        require(self.ws.users.get(assignee), CASE_WORK)
        permission = CASE_WORK if assignee == actor else ALERT_ASSIGN
        return self._transition(case_id, "assign", {"assignee": assignee}, "case.assigned", actor, permission)

    def investigate(self, case_id: str, *, actor: str) -> dict[str, Any]:
        return self._transition(
            case_id, "investigate", {"status": CaseStatus.INVESTIGATING.value}, "case.investigating", actor
        )

    def escalate(self, case_id: str, reason: str, *, actor: str) -> dict[str, Any]:
        text = require_rationale(reason)
        self.note(case_id, f"Escalated: {text}", actor=actor)
        return self._transition(
            case_id, "escalate", {"status": CaseStatus.ESCALATED.value}, "case.escalated", actor
        )

    def close(self, case_id: str, rationale: str, *, actor: str) -> dict[str, Any]:
        text = require_rationale(rationale)
        return self._transition(
            case_id,
            "close",
            {"status": CaseStatus.CLOSED.value, "rationale": text, "closed_at": self.ws.clock.now()},
            "case.closed",
            actor,
            ALERT_ASSIGN,
        )

    def reopen(self, case_id: str, reason: str, *, actor: str) -> dict[str, Any]:
        text = require_rationale(reason)
        self.note(case_id, f"Reopened: {text}", actor=actor)
        return self._transition(
            case_id,
            "reopen",
            {"status": CaseStatus.INVESTIGATING.value, "closed_at": None},
            "case.reopened",
            actor,
            ALERT_ASSIGN,
        )

    def note(self, case_id: str, text: str, *, actor: str) -> dict[str, Any]:
        user = self.ws.users.get(actor)
        require(user, CASE_WORK)
        if not text.strip():
            raise InputError("a note cannot be empty", field="text")
        with self.ws.transaction(actor) as tx:
            self._load(tx, case_id, "note")
            self._check_subjects(tx, case_id, user)
            return tx.insert(
                notes,
                {
                    "id": self.ws.ids("NOT"),
                    "subject_kind": "case",
                    "subject_id": case_id,
                    "author": actor,
                    "text": text.strip(),
                    "created_at": self.ws.clock.now(),
                },
                "note.added",
            )

    def _visible(self, viewer: str) -> Any:
        """Reviewers see the cases they own or opened; principals, admins and auditors see all."""
        user = self.ws.users.get(viewer)
        require(user, READ)
        if can(user, ALERT_VIEW_ALL):
            return sa.true()
        return sa.or_(cases.c.assignee == viewer, cases.c.created_by == viewer)

    def get(self, case_id: str, *, viewer: str | None = None) -> dict[str, Any]:
        visible = self._visible(viewer) if viewer is not None else sa.true()
        with self.ws.read() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.id == case_id, visible)).one_or_none()
            if row is None:
                raise NotFound(f"no case {case_id!r}")
            case = dict(row._mapping)
            case["alerts"] = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(
                        alerts.c.id,
                        alerts.c.title,
                        alerts.c.severity,
                        alerts.c.status,
                        alerts.c.control,
                        alerts.c.disposition,
                    )
                    .where(alerts.c.case_id == case_id)
                    .order_by(alerts.c.created_at)
                )
            ]
            case["notes"] = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(notes)
                    .where(notes.c.subject_kind == "case", notes.c.subject_id == case_id)
                    .order_by(notes.c.created_at)
                )
            ]
        return case

    def list(self, *, viewer: str, status: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(cases).where(self._visible(viewer)).order_by(cases.c.created_at.desc())
        if status:
            query = query.where(cases.c.status == status)
        with self.ws.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
