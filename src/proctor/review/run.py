"""Selection on the workspace: every active policy version over every captured message, once.

Each active version keeps a bookmark in the archive's capture order; a run reads the messages
after it, evaluates each one not yet evaluated under that version, and records the outcome
(selected or not, in scope or not, the terms hit and the reasons) as a journaled evaluation. A
version approved today therefore starts from the first message ever captured: a changed lexicon
is applied to historical messages in its scope too. A selected message becomes a core alert,
raised in the same transaction as its evaluation, but never twice for the same message and
policy, whichever version selected it first.

A run *as of* an earlier instant is a catch-up run: it evaluates only messages sent by then, and
review deadlines count from that instant. Journaling copies of a message (the same e-mail
delivered to several mailboxes) are reviewed once, through the first record of the group, whose
participants the archive already merges.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.api import iter_messages
from proctor.comms.tables import search_rows
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs
from proctor.core.errors import NotFound
from proctor.review.bizdays import DEFAULT_ZONE, deadline
from proctor.review.directory import list_entries, person_directory
from proctor.review.engine import Hit, compile_lexicon
from proctor.review.errors import ReviewError
from proctor.review.routing import route_items
from proctor.review.selection import ReviewMessage, Selection, evaluate_many, in_scope
from proctor.review.store import ActiveVersion, active_versions
from proctor.review.tables import cursors, evaluations, items

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CONTROL = "review.selection"
EVIDENCE_TYPE = "review.message"
CHUNK = 1000
MAX_TEXT = 200_000
KIND_TITLES = {
    "must_review": "Must review",
    "evasion": "Evasion",
    "heightened": "Heightened supervision",
    "lexicon": "Lexicon",
    "sample": "Random sample",
}


@dataclass
class VersionRun:
    version_id: str
    policy_id: str
    evaluated: int = 0
    in_scope: int = 0
    selected: int = 0
    alerts_raised: int = 0
    already_selected: int = 0
    copies_skipped: int = 0
    sent_after_as_of: int = 0


@dataclass
class SelectionRun:
    as_of: datetime
    messages: int
    versions: list[VersionRun] = field(default_factory=list)
    drafts: list[AlertDraft] = field(default_factory=list)
    alert_ids: list[str] = field(default_factory=list)
    routing: dict[str, Any] = field(default_factory=dict)
    directory: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "messages_in_archive": self.messages,
            "directory": self.directory,
            "policies": [asdict(v) for v in self.versions],
            "selected": sum(v.selected for v in self.versions),
            "alerts_raised": len(self.alert_ids),
            "routing": self.routing,
        }


def zone_of(ws: Workspace) -> str:
    return str(ws.config.section("review").get("timezone", DEFAULT_ZONE))


def direction_of(row: dict[str, Any], firm_domains: Sequence[str]) -> str:
    """The archive says internal/external; review needs to know which way an external one went."""
    if row["direction"] == "internal":
        return "internal"
    if row["direction"] != "external":
        return "unknown"
    domain = row["sender"].rsplit("@", 1)[-1].lower() if "@" in row["sender"] else ""
    ours = any(domain == d or domain.endswith("." + d) for d in firm_domains)
    return "outbound" if ours else "inbound"


def scanned_text(row: dict[str, Any]) -> str:
    """Subject and body (with attachment text), the text hits' offsets point into."""
    return f"{row['subject']}\n\n{row['text']}" if row["subject"] else str(row["text"])


def review_message(row: dict[str, Any], firm_domains: Sequence[str]) -> ReviewMessage:
    sender = row["sender"].strip().lower()
    return ReviewMessage(
        id=row["id"],
        content_hash=row["id"],
        sender=sender,
        recipients=tuple(a for a in row["addresses"] if a != sender),
        source=row["source"],
        direction=direction_of(row, firm_domains),
        sent_at=row["sent_at"],
        text=scanned_text(row),
    )


def _headers(row: dict[str, Any]) -> dict[str, str]:
    by_role: dict[str, list[str]] = {}
    for p in row["participants"]:
        label = f"{p['name']} <{p['address']}>" if p.get("name") else p["address"]
        by_role.setdefault(p["role"], []).append(label)
    headers = {"From": ", ".join(by_role.get("from", [row["sender"]]))}
    for role, label in (("to", "To"), ("cc", "Cc"), ("bcc", "Bcc"), ("member", "Members")):
        if by_role.get(role):
            headers[label] = ", ".join(by_role[role])
    headers["Date"] = row["sent_at_original"]
    headers["Subject"] = row["subject"] or "(no subject)"
    headers["Source"] = f"{row['source']} ({row['source_kind']})"
    if row.get("channel"):
        headers["Channel"] = str(row["channel"])
    return headers


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "rule_id": hit.rule_id,
        "term": hit.term,
        "category": hit.category,
        "severity": hit.severity.value,
        "start": hit.start,
        "end": hit.end,
    }


def _title(selection: Selection, subject: str) -> str:
    top = selection.kinds[0]
    reason = next(r for r in selection.reasons if r.kind == top)
    what = f"{KIND_TITLES[top]} ({reason.category})" if reason.category else KIND_TITLES[top]
    return f"{what}: {subject or '(no subject)'}"


def build_draft(
    version: ActiveVersion,
    row: dict[str, Any],
    message: ReviewMessage,
    selection: Selection,
    due_in: timedelta | None,
) -> AlertDraft:
    """The alert a selected message becomes: its evidence is the message with the hits marked."""
    policy = version.policy
    text = message.text
    truncated = len(text) > MAX_TEXT
    hits = [hit_dict(h) for h in selection.hits if h.end <= MAX_TEXT]
    severity = selection.severity or (Severity.MEDIUM if "heightened" in selection.kinds else Severity.LOW)
    evidence = {
        "message_id": message.id,
        "source": message.source,
        "sent_at": message.sent_at.isoformat(),
        "direction": message.direction,
        "headers": _headers(row),
        "text": text[:MAX_TEXT],
        "truncated": truncated,
        "hits": hits,
        "reasons": [asdict(r) for r in selection.reasons],
        "covered": list(selection.covered),
        "populations": list(selection.populations),
        "policy": {
            "id": policy.id,
            "label": version.label,
            "version_id": version.id,
            "version_hash": version.version_hash,
            "title": version.title,
            "sla_business_days": version.sla_business_days,
        },
        "contains_npi": message.direction != "internal",
    }
    return AlertDraft(
        control=CONTROL,
        rule_id=f"review.{policy.id}.{selection.kinds[0]}",
        rule_version=version.version_hash[:40],
        title=_title(selection, row["subject"]),
        severity=severity,
        subjects=(
            *(Subject("person", p) for p in message.participants),
            Subject("comms.message", message.id),
        ),
        evidence=evidence,
        evidence_type=EVIDENCE_TYPE,
        params={"policy_id": policy.id, "policy_version": version.version_hash, "version_id": version.id},
        due_in=due_in,
        dedupe_key=digest({"review.item": policy.id, "message": message.id}),
    )


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class _VersionSelector:
    """Applies one active version to the messages after its bookmark."""

    def __init__(
        self,
        ws: Workspace,
        version: ActiveVersion,
        directory: dict[str, list[str]] | None,
        as_of: datetime,
        actor: str,
    ) -> None:
        self.ws = ws
        self.version = version
        self.directory = directory
        self.as_of = as_of
        self.actor = actor
        self.engine = compile_lexicon(version.policy)
        self.domains = list(ws.config.firm_domains)
        self.stats = VersionRun(version.id, version.policy.id)
        self.drafts: list[AlertDraft] = []
        self.alert_ids: list[str] = []
        sla = version.sla_business_days
        self.due_at = deadline(as_of, sla, zone_of(ws)) if sla else None

    def run(self) -> None:
        with self.ws.read() as conn:
            bookmark = conn.execute(
                sa.select(cursors.c.last_message_id).where(cursors.c.version_id == self.version.id)
            ).scalar()
            try:
                rows = iter_messages(conn, since_id=bookmark)
                first = next(rows, None)
            except NotFound:  # the bookmarked message was disposed of: start over, skipping the evaluated
                bookmark = None
                rows = iter_messages(conn)
                first = next(rows, None)
            if first is None:
                return
            blocked = False
            for chunk in _chunks(_prepend(first, rows), CHUNK):
                bookmark, blocked = self._chunk(chunk, bookmark, blocked)

    def _chunk(
        self, chunk: list[dict[str, Any]], bookmark: str | None, blocked: bool
    ) -> tuple[str | None, bool]:
        with self.ws.read() as conn:
            done = {
                m
                for (m,) in conn.execute(
                    sa.select(evaluations.c.message_id).where(
                        evaluations.c.version_id == self.version.id,
                        evaluations.c.message_id.in_([r["id"] for r in chunk]),
                    )
                )
            }
        todo = []
        for row in chunk:
            if row["canonical_id"] is not None:
                self.stats.copies_skipped += 1
            elif row["id"] not in done:
                if row["sent_at"] > self.as_of:
                    self.stats.sent_after_as_of += 1
                    blocked = True
                else:
                    todo.append(row)
            if not blocked:
                bookmark = row["id"]
        self._evaluate(todo, bookmark)
        return bookmark, blocked

    def _evaluate(self, rows: list[dict[str, Any]], bookmark: str | None) -> None:
        policy = self.version.policy
        messages = [review_message(r, self.domains) for r in rows]
        hits = self.engine.scan_many([m.text for m in messages]) if policy.rules else [[] for _ in messages]
        selections = evaluate_many(policy, messages, directory=self.directory, engine=self.engine)
        chosen = [s.message_id for s in selections if s is not None]
        now = self.ws.clock.now()
        with self.ws.transaction(self.actor) as tx:
            earlier = dict(
                tx.conn.execute(
                    sa.select(items.c.message_id, items.c.alert_id).where(
                        items.c.policy_id == policy.id, items.c.message_id.in_(chosen)
                    )
                ).all()
            )
            records = []
            for row, message, found, selection in zip(rows, messages, hits, selections, strict=True):
                covered, _ = in_scope(policy, message, self.directory)
                alert_id = None
                if selection is not None and selection.message_id not in earlier:
                    alert_id = self._raise(tx, row, message, selection, now)
                records.append(self._record(message, covered, found, selection, alert_id, earlier, now))
            tx.insert_many(evaluations, records, "review.evaluated")
            self._save_bookmark(tx.conn, bookmark, now)

    def _raise(
        self, tx: Any, row: dict[str, Any], message: ReviewMessage, selection: Selection, now: datetime
    ) -> str:
        due_in = self.due_at - now if self.due_at is not None else None
        draft = build_draft(self.version, row, message, selection, due_in)
        alert_id, _ = self.ws.alerts.raise_in(tx, draft)
        tx.insert(
            items,
            {
                "alert_id": alert_id,
                "message_id": message.id,
                "policy_id": self.version.policy.id,
                "version_id": self.version.id,
                "source": message.source,
                "kinds": list(selection.kinds),
                "terms": sorted({(h.rule_id, h.term) for h in selection.hits}),
                "covered": list(selection.covered),
                "participants": list(message.participants),
                "selected_at": now,
                "as_of": self.as_of,
                "principal": None,
                "routed_to": None,
                "routing": None,
            },
            "review.item.selected",
        )
        self.drafts.append(draft)
        self.alert_ids.append(alert_id)
        self.stats.alerts_raised += 1
        return alert_id

    def _record(
        self,
        message: ReviewMessage,
        covered: Sequence[str],
        found: list[Hit],
        selection: Selection | None,
        alert_id: str | None,
        earlier: dict[str, str],
        now: datetime,
    ) -> dict[str, Any]:
        self.stats.evaluated += 1
        self.stats.in_scope += bool(covered)
        if selection is not None:
            self.stats.selected += 1
            self.stats.already_selected += alert_id is None
        return {
            "id": f"{self.version.id}/{message.id}",
            "version_id": self.version.id,
            "message_id": message.id,
            "source": message.source,
            "sent_at": message.sent_at,
            "as_of": self.as_of,
            "evaluated_at": now,
            "in_scope": bool(covered),
            "covered": list(covered),
            "terms": sorted({(h.rule_id, h.term) for h in found}) if covered else [],
            "selected": selection is not None,
            "reasons": [asdict(r) for r in selection.reasons] if selection else [],
            "alert_id": alert_id,
            "earlier_alert_id": earlier.get(message.id) if selection is not None else None,
        }

    def _save_bookmark(self, conn: sa.Connection, bookmark: str | None, now: datetime) -> None:
        values = {"last_message_id": bookmark, "updated_at": now}
        updated = conn.execute(
            cursors.update().where(cursors.c.version_id == self.version.id).values(**values)
        )
        if updated.rowcount == 0:
            conn.execute(cursors.insert().values(version_id=self.version.id, **values))


def _prepend(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def select(ws: Workspace, actor: str, as_of: datetime | None = None, route: bool = True) -> SelectionRun:
    """Apply every active policy version to the messages it has not evaluated, then route new items."""
    now = ws.clock.now()
    moment = as_of or now
    if moment > now + timedelta(minutes=1):
        raise ReviewError(f"cannot select as of {moment.isoformat()}: that is in the future")
    with ws.read() as conn:
        versions = active_versions(conn)
        entries = list_entries(conn)
        total = int(conn.execute(sa.select(sa.func.count()).select_from(search_rows)).scalar_one())
    directory = person_directory(entries)
    run = SelectionRun(
        as_of=moment,
        messages=total,
        directory=f"{len(entries)} entries"
        if directory is not None
        else "empty: everyone covers every participant",
    )
    for version in versions:
        selector = _VersionSelector(ws, version, directory, moment, actor)
        selector.run()
        run.versions.append(selector.stats)
        run.drafts.extend(selector.drafts)
        run.alert_ids.extend(selector.alert_ids)
    run.routing = route_items(ws, run.alert_ids, actor) if route else {}
    return run


def selection_control(ctx: ControlContext) -> ControlOutcome:
    """The review.selection control: a run with no active policy or no messages is itself an alert."""
    ws = ctx.workspace
    run = select(ws, ctx.actor, ctx.as_of)
    seen = run.messages if run.versions else 0
    return ControlOutcome(
        input_count=seen,
        input_hash=hash_inputs([*(v.version_id for v in run.versions), run.messages]),
        findings=run.drafts,
        summary=run.summary() if run.versions else {**run.summary(), "problem": "no active review policy"},
    )
