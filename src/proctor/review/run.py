"""Selection on the workspace: every active policy version over every captured message, once.

Each active version keeps a bookmark in the archive's capture order; a run reads the messages
after it, evaluates each one not yet evaluated under that version, and records the outcome
(selected or not, in scope or not, the terms hit and the reasons) as a journaled evaluation. A
version approved today therefore starts from the first message ever captured: a changed lexicon
is applied to historical messages in its scope too. A selected message becomes a core alert,
raised in the same transaction as its evaluation, but never twice for the same message and
policy, whichever version selected it first.

Selection is a pure control: it reads the archive and returns the selected messages as findings
with its evaluations as rows; the control runner raises the alerts (each naming the run) and writes
the evaluations, review items and bookmarks in one transaction, then routes the new items.

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

from proctor.comms.api import iter_messages, message_count
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs
from proctor.core.errors import NotFound
from proctor.platform.calendar import NYSE
from proctor.platform.directory import list_entries, person_directory
from proctor.review import reselection
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
    run_id: str = ""

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
    return str(ws.config.section("review").get("timezone", NYSE.tz.key))


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
    """Applies one active version to the messages after its bookmark; reads only.

    What it decides is kept as pending rows (the review items of the messages it selects, the
    evaluations of every message it read, the new bookmark) that :meth:`write` stores in the
    control run's transaction, once the runner has raised the alerts and knows their ids.
    """

    def __init__(
        self,
        ws: Workspace,
        version: ActiveVersion,
        directory: dict[str, list[str]] | None,
        as_of: datetime,
        now: datetime,
    ) -> None:
        self.ws = ws
        self.version = version
        self.directory = directory
        self.as_of = as_of
        self.now = now
        self.engine = compile_lexicon(version.policy)
        self.domains = list(ws.config.firm_domains)
        self.stats = VersionRun(version.id, version.policy.id)
        self.drafts: list[AlertDraft] = []
        self.items: list[dict[str, Any]] = []  # one per draft, alert_id filled in by write()
        self.records: list[tuple[dict[str, Any], int | None]] = []  # evaluation, index of its draft
        self.updates: list[tuple[dict[str, Any], int | None]] = []  # history evaluated again
        self.bookmark: str | None = None
        self.moved = False
        sla = version.sla_business_days
        self.due_at = NYSE.deadline(as_of, sla, zone_of(ws)) if sla else None

    def run(self) -> None:
        with self.ws.read() as conn:
            reselection.reevaluate(self, conn)  # out of scope before a directory change
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
                bookmark, blocked = self._chunk(conn, chunk, bookmark, blocked)
        self.bookmark, self.moved = bookmark, True

    def _chunk(
        self, conn: sa.Connection, chunk: list[dict[str, Any]], bookmark: str | None, blocked: bool
    ) -> tuple[str | None, bool]:
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
        self._evaluate(conn, todo)
        return bookmark, blocked

    def _evaluate(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
        policy = self.version.policy
        messages = [review_message(r, self.domains) for r in rows]
        hits = self.engine.scan_many([m.text for m in messages]) if policy.rules else [[] for _ in messages]
        selections = evaluate_many(policy, messages, directory=self.directory, engine=self.engine)
        chosen = [s.message_id for s in selections if s is not None]
        earlier = dict(
            conn.execute(
                sa.select(items.c.message_id, items.c.alert_id).where(
                    items.c.policy_id == policy.id, items.c.message_id.in_(chosen)
                )
            ).all()
        )
        for row, message, found, selection in zip(rows, messages, hits, selections, strict=True):
            covered, _ = in_scope(policy, message, self.directory)
            index = None
            if selection is not None and selection.message_id not in earlier:
                index = self._select(row, message, selection)
            self.records.append((self._record(message, covered, found, selection, index, earlier), index))

    def _select(self, row: dict[str, Any], message: ReviewMessage, selection: Selection) -> int:
        due_in = self.due_at - self.now if self.due_at is not None else None
        self.drafts.append(build_draft(self.version, row, message, selection, due_in))
        self.items.append(
            {
                "message_id": message.id,
                "policy_id": self.version.policy.id,
                "version_id": self.version.id,
                "source": message.source,
                "kinds": list(selection.kinds),
                "terms": sorted({(h.rule_id, h.term) for h in selection.hits}),
                "covered": list(selection.covered),
                "participants": list(message.participants),
                "selected_at": self.now,
                "as_of": self.as_of,
                "principal": None,
                "routed_to": None,
                "routing": None,
            }
        )
        self.stats.alerts_raised += 1
        return len(self.drafts) - 1

    def _record(
        self,
        message: ReviewMessage,
        covered: Sequence[str],
        found: list[Hit],
        selection: Selection | None,
        index: int | None,
        earlier: dict[str, str],
    ) -> dict[str, Any]:
        self.stats.evaluated += 1
        self.stats.in_scope += bool(covered)
        if selection is not None:
            self.stats.selected += 1
            self.stats.already_selected += index is None
        return {
            "id": f"{self.version.id}/{message.id}",
            "version_id": self.version.id,
            "message_id": message.id,
            "source": message.source,
            "sent_at": message.sent_at,
            "as_of": self.as_of,
            "evaluated_at": self.now,
            "in_scope": bool(covered),
            "covered": list(covered),
            "terms": sorted({(h.rule_id, h.term) for h in found}) if covered else [],
            "selected": selection is not None,
            "reasons": [asdict(r) for r in selection.reasons] if selection else [],
            "alert_id": None,
            "earlier_alert_id": earlier.get(message.id) if selection is not None else None,
        }

    def write(self, tx: Any, alert_ids: Sequence[str]) -> None:
        """Store the items, evaluations and bookmark; `alert_ids` are this version's drafts' alerts."""
        for item, alert_id in zip(self.items, alert_ids, strict=True):
            tx.insert(items, {"alert_id": alert_id, **item}, "review.item.selected")
        records = [
            {**record, "alert_id": alert_ids[index] if index is not None else None}
            for record, index in self.records
        ]
        if records:
            tx.insert_many(evaluations, records, "review.evaluated")
        reselection.write_updates(self, tx, alert_ids)
        if self.moved:
            values = {"last_message_id": self.bookmark, "updated_at": self.now}
            updated = tx.conn.execute(
                cursors.update().where(cursors.c.version_id == self.version.id).values(**values)
            )
            if updated.rowcount == 0:
                tx.conn.execute(cursors.insert().values(version_id=self.version.id, **values))


def _prepend(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


@dataclass
class SelectionPlan:
    """What one selection run decided, before anything is written."""

    run: SelectionRun
    selectors: list[_VersionSelector]

    @property
    def drafts(self) -> list[AlertDraft]:
        return [d for s in self.selectors for d in s.drafts]

    def write(self, tx: Any, alert_ids: Sequence[str]) -> None:
        start = 0
        for selector in self.selectors:
            end = start + len(selector.drafts)
            selector.write(tx, alert_ids[start:end])
            start = end


def plan_selection(ws: Workspace, as_of: datetime | None = None) -> SelectionPlan:
    """Apply every active policy version to the messages it has not evaluated (reads only)."""
    now = ws.clock.now()
    moment = as_of or now
    if moment > now + timedelta(minutes=1):
        raise ReviewError(f"cannot select as of {moment.isoformat()}: that is in the future")
    with ws.read() as conn:
        versions = active_versions(conn)
        entries = list_entries(conn)
        total = message_count(conn)
    directory = person_directory(entries)
    run = SelectionRun(
        as_of=moment,
        messages=total,
        directory=f"{len(entries)} entries"
        if directory is not None
        else "empty: everyone covers every participant",
    )
    selectors = []
    for version in versions:
        selector = _VersionSelector(ws, version, directory, moment, now)
        selector.run()
        selectors.append(selector)
        run.versions.append(selector.stats)
        run.drafts.extend(selector.drafts)
    return SelectionPlan(run, selectors)


def selection_control(ctx: ControlContext) -> ControlOutcome:
    """The review.selection control: a run with no active policy or no messages is itself an alert.

    It returns the selected messages as findings and its evaluations as rows for the runner to
    write with them; routing the new items is the control's `after_raise` hook (:func:`route_new`).
    """
    plan = plan_selection(ctx.workspace, ctx.as_of)
    run = plan.run
    seen = run.messages if run.versions else 0
    summary = run.summary()
    summary.pop("routing")
    summary["alerts_raised"] = len(run.drafts)
    return ControlOutcome(
        input_count=seen,
        input_hash=hash_inputs([*(v.version_id for v in run.versions), run.messages]),
        findings=plan.drafts,
        summary=summary if run.versions else {**summary, "problem": "no active review policy"},
        write=plan.write,
    )


def route_new(ws: Workspace, run: dict[str, Any], actor: str) -> dict[str, Any]:
    """After a selection run: route the review items it created to their reviewers."""
    return route_items(ws, run["new_finding_ids"], actor)


def select(ws: Workspace, actor: str, as_of: datetime | None = None) -> SelectionRun:
    """Run the review.selection control (recorded, its alerts naming the run) and return its figures."""
    row = ws.controls.run(CONTROL, actor=actor, as_of=as_of)
    summary = row["summary"]
    run = SelectionRun(
        as_of=as_of or row["as_of"],
        messages=summary.get("messages_in_archive", 0),
        versions=[VersionRun(**v) for v in summary.get("policies", [])],
        directory=summary.get("directory", ""),
    )
    run.alert_ids = list(row["new_finding_ids"])
    run.routing = row.get("after_raise", {})
    run.run_id = row["id"]
    return run
