"""A small trading desk for the review workflow tests: mailboxes, a directory, a hierarchy, a policy.

Messages are real RFC 5322 files ingested through the archive, exactly as production captures
them; the policy is a literal YAML document a compliance officer could have written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml

from proctor.comms.ingest import ingest
from proctor.comms.sources import SourceSpec, add_source
from proctor.platform import Workspace
from proctor.platform.directory import import_directory, import_hierarchy
from proctor.review.store import approve_policy, import_policy

POLICY: dict[str, Any] = {
    "id": "desk-correspondence",
    "version": "1",
    "title": "Desk correspondence review",
    "sla_business_days": 3,
    "populations": [{"name": "reps", "roles": ["registered_representative"]}],
    "categories": {
        "complaint": {"severity": "high", "must_review": True},
        "guarantee": {"severity": "medium"},
        "off-channel": {"severity": "high"},
    },
    "lexicon": [
        {"id": "complaints", "category": "complaint", "terms": ["complain*", "unauthorized trade"]},
        {"id": "guarantees", "category": "guarantee", "terms": ["guaranteed return", "risk free"]},
        {"id": "evasion", "category": "off-channel", "evasion": True, "terms": ["text me", "call my cell"]},
    ],
}

DIRECTORY = """\
id,kind,display_name,owner,roles,aliases,platform,active
dana@harborstreet.com,person,Dana Whitfield,,registered_representative,,,yes
lee@harborstreet.com,person,Lee Park,,registered_representative,,,yes
"""

HIERARCHY = """\
person,principal,delegates
dana@harborstreet.com,paula,ravi;rita
lee@harborstreet.com,paula,ravi;rita
"""

# (tag, sent, from, to, subject, body), in capture order: Friday 2 January 2026, New York time.
TRAFFIC: list[tuple[str, str, str, str, str, str]] = [
    (
        "to_ravi",
        "2026-01-02T13:00:00-05:00",
        "dana@harborstreet.com",
        "ravi@harborstreet.com",
        "Lunch",
        "Ravi, a client says the fund is risk free; can you call my cell after lunch?",
    ),
    (
        "guarantee",
        "2026-01-02T09:12:00-05:00",
        "dana@harborstreet.com",
        "jane.doe@gmail.example",
        "Your bond",
        "Hi Jane, this bond is risk free and pays a guaranteed return of 6%.",
    ),
    (
        "complaint",
        "2026-01-02T10:02:00-05:00",
        "rkim@outlook.example",
        "lee@harborstreet.com",
        "Complaint",
        "I want to complain: there was an unauthorized trade in my account.",
    ),
    (
        "evasion",
        "2026-01-02T11:30:00-05:00",
        "lee@harborstreet.com",
        "rkim@outlook.example",
        "Re: your account",
        "Robert, text me on my personal phone and we will sort it out.",
    ),
    (
        "routine",
        "2026-01-02T12:00:00-05:00",
        "dana@harborstreet.com",
        "ops@harborstreet.com",
        "Settlement check",
        "Can you confirm the 200 MSFT trade settles T+1?",
    ),
]


def mail(tag: str, sent: str, sender: str, to: str, subject: str, body: str) -> bytes:
    when = datetime.fromisoformat(sent)
    return (
        f"Message-ID: <{tag}@harborstreet.com>\r\nDate: {format_datetime(when)}\r\nFrom: {sender}\r\n"
        f"To: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@dataclass
class Desk:
    root: Path
    ids: dict[str, str] = field(default_factory=dict)
    versions: list[str] = field(default_factory=list)
    batches: int = 0

    def write_policy(self, doc: dict[str, Any], name: str) -> Path:
        path = self.root / name
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path


def register_desk_source(ws: Workspace) -> None:
    add_source(
        ws,
        SourceSpec(
            name="mbx.desk",
            kind="mailbox",
            owner="IT (Exchange journaling)",
            covered=("dana@harborstreet.com", "lee@harborstreet.com"),
            timezone="America/New_York",
            capture_state="connected",
        ),
        actor="ada",
    )


def ingest_traffic(ws: Workspace, desk: Desk, traffic: list[tuple[str, str, str, str, str, str]]) -> None:
    """Ingest more of the desk's mail as one import batch (a new folder each time)."""
    desk.batches += 1
    folder = desk.root / f"batch-{desk.batches}"
    folder.mkdir(parents=True)
    for n, fields in enumerate(traffic, start=1):
        data = mail(*fields)
        (folder / f"{n:05d}.eml").write_bytes(data)
        desk.ids[fields[0]] = hashlib.sha256(data).hexdigest()
    ingest(ws, folder, source="mbx.desk", actor="ada")


def propose_and_approve(ws: Workspace, desk: Desk, doc: dict[str, Any], name: str) -> str:
    row = import_policy(ws, desk.write_policy(doc, name), "paula")
    approve_policy(ws, row["id"], "carl", "Matches the written supervisory procedures.")
    desk.versions.append(row["id"])
    return str(row["id"])


def build_desk(ws: Workspace, root: Path, policy: dict[str, Any] | None = POLICY) -> Desk:
    """Source, traffic, directory and hierarchy; the policy too unless `policy` is None."""
    desk = Desk(root)
    root.mkdir(parents=True, exist_ok=True)
    register_desk_source(ws)
    ingest_traffic(ws, desk, TRAFFIC)
    (root / "directory.csv").write_text(DIRECTORY, encoding="utf-8")
    (root / "supervision.csv").write_text(HIERARCHY, encoding="utf-8")
    import_directory(ws, root / "directory.csv", "ada")
    import_hierarchy(ws, root / "supervision.csv", "ada")
    if policy is not None:
        propose_and_approve(ws, desk, policy, "desk-policy.yaml")
    return desk


def item_for(ws: Workspace, message_id: str) -> dict[str, Any] | None:
    """The open or closed review alert raised for a message, if any."""
    import sqlalchemy as sa

    from proctor.review.tables import items

    with ws.read() as conn:
        row = conn.execute(sa.select(items.c.alert_id).where(items.c.message_id == message_id)).first()
    return ws.alerts.get(row[0]) if row else None
