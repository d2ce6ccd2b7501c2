"""What an investigation records beyond its alerts: summary, subject, outcome, due date, FINRA Rule
4530 reportability, linked messages and attachments.

A case is event-sourced like every other record: each change is a journal leaf about the case
(`case.details_recorded`, `case.attachment_added`, `case.message_linked`), and the case's current
investigation is the fold of those leaves. No second table can drift from the journal, and the
history an examiner reads is the record itself. Attachments are bytes in the blob store, whose
hash is journaled once (`blob.stored`) like every other stored original.

Reportability is three-valued on purpose: "not yet determined" is not "not reportable". A case
marked reportable names the Rule 4530 paragraph it falls under; a filing date needs both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from proctor.core.alerts import Subject
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import CASE_WORK, require, require_not_subject
from proctor.journal.query import JournalEvent, subject_events

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace

DETAILS_EVENT = "case.details_recorded"
ATTACHMENT_EVENT = "case.attachment_added"
MESSAGE_EVENT = "case.message_linked"

OUTCOMES = (
    "no_violation",
    "violation_remediated",
    "disciplinary_action",
    "referred_to_regulator",
    "inconclusive",
)
# FINRA Rule 4530: (a)(1)(A)-(K) specified events, (a)(2) associated persons' matters, (b) the firm
# concluding a violation occurred, (d) quarterly statistics of customer complaints.
RULE_4530_PARAGRAPHS = (*(f"(a)(1)({c})" for c in "ABCDEFGHIJK"), "(a)(2)", "(b)", "(d)")
REPORTABLE = ("yes", "no")
FIELDS = (
    "summary",
    "subject_person",
    "outcome",
    "due_date",
    "reportable_4530",
    "rule_4530_paragraph",
    "filing_date",
)
MAX_ATTACHMENT_NAME = 200


def _date(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(f"{field}: not a date (YYYY-MM-DD): {value!r}", field=field) from None


def _choice(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if value.strip() not in allowed:
        raise InputError(f"{field}: must be one of {', '.join(allowed)}", field=field)
    return value.strip()


def clean_details(given: dict[str, str | None], current: dict[str, Any]) -> dict[str, Any]:
    """The investigation after the change, checked as a whole; unknown fields are refused."""
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown case fields: {', '.join(unknown)}", field=unknown[0])
    merged = {name: current.get(name) for name in FIELDS}
    for name, value in given.items():
        text = value.strip() if isinstance(value, str) else None
        merged[name] = text or None
    merged["outcome"] = _choice(merged["outcome"], OUTCOMES, "outcome")
    merged["reportable_4530"] = _choice(merged["reportable_4530"], REPORTABLE, "reportable_4530")
    merged["rule_4530_paragraph"] = _choice(
        merged["rule_4530_paragraph"], RULE_4530_PARAGRAPHS, "rule_4530_paragraph"
    )
    merged["due_date"] = _date(merged["due_date"], "due_date")
    merged["filing_date"] = _date(merged["filing_date"], "filing_date")
    if merged["summary"] and len(merged["summary"]) > 20_000:
        raise InputError("summary: at most 20,000 characters", field="summary")
    if merged["rule_4530_paragraph"] and merged["reportable_4530"] != "yes":
        raise InputError(
            "a Rule 4530 paragraph is named only for a reportable case", field="rule_4530_paragraph"
        )
    if merged["reportable_4530"] == "yes" and not merged["rule_4530_paragraph"]:
        raise InputError("a reportable case names its Rule 4530 paragraph", field="rule_4530_paragraph")
    if merged["filing_date"] and merged["reportable_4530"] != "yes":
        raise InputError("a filing date is recorded only for a reportable case", field="filing_date")
    return merged


def fold(events: list[JournalEvent]) -> dict[str, Any]:
    """The investigation as of the last event: fields, attachments and linked messages."""
    details: dict[str, Any] = dict.fromkeys(FIELDS)
    attachments: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for event in events:
        payload = event.payload
        when = {"at": event.ts, "by": event.actor, "seq": event.seq}
        if event.event_type == DETAILS_EVENT:
            details = {name: payload["after"].get(name) for name in FIELDS}
        elif event.event_type == ATTACHMENT_EVENT:
            attachments.append({**payload, **when})
        elif event.event_type == MESSAGE_EVENT and payload["message_id"] not in {
            m["message_id"] for m in messages
        }:
            messages.append({**payload, **when})
    return {"details": details, "attachments": attachments, "messages": messages}


class CaseInvestigation:
    """Writes and reads a case's investigation; the case service's own checks decide who may."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @contextmanager
    def _work(self, case_id: str, actor: str) -> Iterator[Transaction]:
        """A write by someone who may work the case, and not about himself (FINRA 3110(b)(6))."""
        user = self.ws.users.get(actor)
        require(user, CASE_WORK)
        with self.ws.transaction(actor) as tx:
            self.ws.cases._load(tx, case_id, "note")
            self.ws.cases._check_subjects(tx, case_id, user)
            yield tx

    def read(self, case_id: str, *, viewer: str) -> dict[str, Any]:
        self.ws.cases.get(case_id, viewer=viewer)  # NotFound for a case the viewer may not read
        with self.ws.read() as conn:
            return fold(subject_events(conn, case_id, "case"))

    def record(self, case_id: str, given: dict[str, str | None], *, actor: str) -> dict[str, Any]:
        """Change some fields; the whole investigation is checked and journaled as it stands after."""
        user = self.ws.users.get(actor)
        with self._work(case_id, actor) as tx:
            current = fold(subject_events(tx.conn, case_id, "case"))["details"]
            after = clean_details(given, current)
            if after["subject_person"]:
                require_not_subject(user, [after["subject_person"]], f"case {case_id}")
            changed = sorted(name for name in FIELDS if after[name] != current[name])
            if changed:
                tx.event(DETAILS_EVENT, Subject("case", case_id), {"after": after, "changed": changed})
        return {**after, "changed": changed}

    def attach(
        self, case_id: str, filename: str, data: bytes, content_type: str, *, actor: str
    ) -> dict[str, Any]:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:MAX_ATTACHMENT_NAME]
        if not name:
            raise InputError("an attachment needs a file name", field="file")
        if not data:
            raise InputError(f"{name}: the file is empty", field="file")
        with self._work(case_id, actor) as tx:
            sha = tx.put_blob(data)
            entry = {"sha256": sha, "filename": name, "size": len(data), "content_type": content_type or ""}
            tx.event(ATTACHMENT_EVENT, Subject("case", case_id), entry)
        return entry

    def attachment(self, case_id: str, sha256: str, *, viewer: str) -> tuple[dict[str, Any], bytes]:
        for entry in self.read(case_id, viewer=viewer)["attachments"]:
            if entry["sha256"] == sha256:
                return entry, self.ws.blobs.get(sha256)
        raise NotFound(f"no attachment {sha256[:16]} on case {case_id}")

    def link_message(self, case_id: str, message_id: str, note: str, *, actor: str) -> dict[str, Any]:
        """The caller has found the message in the archive; the case records its content hash."""
        entry = {"message_id": message_id, "note": note.strip()[:1000]}
        with self._work(case_id, actor) as tx:
            tx.event(MESSAGE_EVENT, Subject("case", case_id), entry)
        return entry
