"""What the archive records about a parsed item, worked out before the database is touched.

Turning a parsed message into its record row, index row and blob list is pure computation (hash,
direction, participants, retention, the copy key), so it runs in the reading process alongside
parsing and crosses to the writer as plain dicts and bytes, which are cheap to send. The writer
then only adds what depends on the archive's state (source, batch, whether it is new, the
canonical record of its copy group).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from proctor.comms.days import local_day, zone_of
from proctor.comms.model import Listed, Message, ParsedItem
from proctor.core.canonical import digest
from proctor.core.clock import iso_utc

View = dict[str, Any]


@dataclass(frozen=True)
class ViewContext:
    """Everything about the source needed to describe its items."""

    kind: str
    zone: str | None  # the source's registered zone: the one its days are counted in
    domains: tuple[str, ...]
    schedule: Any  # proctor.comms.retention.RetentionSchedule in force for this import
    now: datetime


def copy_key(msg: Message) -> str | None:
    """What journaling copies of one message share: everything except who it was delivered to.

    Two records with the same Message-ID, sender, sent instant, subject, body text and attachments
    differ only in envelope recipients and delivery headers (a BCC recipient's copy, an Exchange
    journal report's copy, the same mail filed in two folders); they are linked, not merged, so
    each set of original bytes stays a record of its own.
    """
    if not msg.message_id:
        return None
    return digest(
        [
            msg.message_id,
            msg.sender.address.lower(),
            iso_utc(msg.sent_at),
            msg.subject,
            msg.body_text,
            sorted((a.name, a.sha256 or "") for a in msg.attachments),
        ]
    )


def view_of(item: ParsedItem, sha: str, ctx: ViewContext) -> View:
    """A message's record and index rows (without source, batch and link), or a quarantined item."""
    if isinstance(item, Listed):  # listed parts are reported on the batch, never stored as records
        raise TypeError(f"{item.origin} is listed as not a message and has no record view")
    if not isinstance(item, Message):
        return {
            "type": "quarantined",
            "sha": sha,
            "raw": item.raw,
            "origin": item.origin,
            "format": item.format,
            "reason": item.reason,
            "retain_until": ctx.schedule.terms(ctx.kind, ctx.now).retain_until,
        }
    terms = ctx.schedule.terms(ctx.kind, item.sent_at)
    parts = [{"role": p.role, "address": p.address, "name": p.name} for p in item.participants]
    direction = item.direction(ctx.domains)
    has_attachments = bool(item.attachments)
    attachment_text = "\n".join(a.extracted_text for a in item.attachments if a.extracted_text)
    return {
        "type": "message",
        "sha": sha,
        "raw": item.raw,
        "day": local_day(item.sent_at, zone_of(ctx.zone)).isoformat(),
        "sent_at": item.sent_at,
        "origin": item.origin,
        "retain_until": terms.retain_until,
        "blobs": [(a.sha256, a.data) for a in item.attachments if a.data is not None and a.sha256],
        "record": {
            "id": sha,
            "format": item.format,
            "origin": item.origin,
            "message_id": item.message_id,
            "thread_id": item.thread_id,
            "sent_at": item.sent_at,
            "sent_at_original": item.sent_at_original,
            "sender": item.sender.address,
            "sender_name": item.sender.name,
            "participants": parts,
            "direction": direction,
            "subject": item.subject,
            "has_attachments": has_attachments,
            "attachments": [
                {
                    "name": a.name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "url": a.url,
                }
                for a in item.attachments
            ],
            "kind": item.kind,
            "channel": item.channel,
            "edited_from": item.edited_from,
            "deleted": item.deleted,
            "size": len(item.raw),
            "blob_sha256": sha,
            "retain_until": terms.retain_until,
            "retention_rule": terms.version,
            "copy_key": copy_key(item),
        },
        "index": {
            "message": sha,
            "sent_at": item.sent_at,
            "direction": direction,
            "has_attachments": has_attachments,
            "kind": item.kind,
            "sender": item.sender.address.lower(),
            "subject": item.subject,
            "text": f"{item.body_text}\n\n{attachment_text}" if attachment_text else item.body_text,
        },
        "addresses": sorted({p["address"].lower()[:500] for p in parts if p["address"]}),
    }
