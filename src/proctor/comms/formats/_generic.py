"""The documented interchange record for platforms without a native importer.

One record is one message with these fields (see docs/comms.md, "Generic JSON Lines / CSV"):

``sent_at`` (required; ISO 8601, with offset unless a time zone is given), ``from`` (required;
e-mail address or platform handle), ``from_name``, ``to`` / ``cc`` / ``bcc`` / ``members``
(lists, or ``;``-separated text; each entry ``addr`` or ``Name <addr>``), ``id``, ``thread_id``,
``subject``, ``body`` (plain text) or ``body_html``, ``kind`` (default ``chat``), ``channel``,
``edited_from``, ``deleted`` (true/false), and in JSON Lines ``attachments``: a list of
``{"name", "content_type", "size", "url", "data_base64"}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import tzinfo
from email.utils import parseaddr
from typing import Any

from proctor.comms.formats._files import shielded
from proctor.comms.formats._text import attachment_text, html_to_text, normalise_text, parse_iso
from proctor.comms.model import Attachment, Message, ParsedItem, Participant, Quarantined

FIELDS = (
    "id",
    "thread_id",
    "sent_at",
    "from",
    "from_name",
    "to",
    "cc",
    "bcc",
    "members",
    "subject",
    "body",
    "body_html",
    "kind",
    "channel",
    "edited_from",
    "deleted",
    "attachments",
)
_TRUE = frozenset(("1", "true", "yes", "y", "t"))
_FALSE = frozenset(("", "0", "false", "no", "n", "f"))


class _Bad(Exception):
    """A field that makes the record unusable; the text names the field."""


def _people(value: Any, role: str, field: str) -> list[Participant]:
    if value is None or value == "":
        return []
    entries = value if isinstance(value, list) else str(value).split(";")
    out = []
    for entry in entries:
        if isinstance(entry, Mapping):
            address, name = str(entry.get("address") or ""), str(entry.get("name") or "")
        elif isinstance(entry, str):
            name, address = parseaddr(entry.strip()) if "<" in entry else ("", entry.strip())
        else:
            raise _Bad(f"{field}: entry {entry!r} is neither text nor {{address, name}}")
        if address.strip():
            address = address.strip()
            out.append(Participant(address.lower() if "@" in address else address, name, role))
    return out


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(f"{field}: {value!r} is not true/false")


def _attachments(value: Any) -> tuple[Attachment, ...]:
    if not value:
        return ()
    if not isinstance(value, list):
        raise _Bad("attachments: not a list")
    out = []
    for i, att in enumerate(value, start=1):
        if not isinstance(att, Mapping) or not att.get("name"):
            raise _Bad(f"attachments[{i}]: needs at least a name")
        name, ctype = str(att["name"]), str(att.get("content_type") or "application/octet-stream")
        if att.get("data_base64"):
            try:
                data = base64.b64decode(str(att["data_base64"]), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _Bad(f"attachments[{i}].data_base64: not base64 ({exc})") from exc
            out.append(Attachment.from_bytes(name, ctype, data, attachment_text(name, ctype, data)))
        else:
            size = att.get("size")
            out.append(
                Attachment.reference(name, ctype, size if isinstance(size, int) else None, att.get("url"))
            )
    return tuple(out)


def to_item(record: Any, raw: bytes, origin: str, fmt: str, zone: tzinfo | None) -> ParsedItem:
    """One interchange record to a Message, or a quarantine naming the field at fault."""
    try:
        return shielded(raw, origin, fmt, _message, record, raw, origin, fmt, zone)
    except _Bad as exc:
        return Quarantined(raw, origin, fmt, f"{origin}: {exc}")


def _message(record: Any, raw: bytes, origin: str, fmt: str, zone: tzinfo | None) -> Message:
    if not isinstance(record, Mapping):
        raise _Bad("record: not an object")
    stamp = str(record.get("sent_at") or "").strip()
    if not stamp:
        raise _Bad("sent_at: missing")
    when = parse_iso(stamp, zone)
    if when is None:
        raise _Bad(f"sent_at: unparseable date {stamp!r} (ISO 8601 with offset expected)")
    sender_text = str(record.get("from") or "").strip()
    if not sender_text:
        raise _Bad("from: missing sender")
    senders = _people(sender_text, "from", "from")
    sender = senders[0]
    if record.get("from_name"):
        sender = Participant(sender.address, str(record["from_name"]), "from")
    recipients = [
        p
        for field, role in (("to", "to"), ("cc", "cc"), ("bcc", "bcc"), ("members", "member"))
        for p in _people(record.get(field), role, field)
    ]
    body = record.get("body")
    text = normalise_text(str(body)) if body else html_to_text(str(record.get("body_html") or ""))
    return Message(
        raw=raw,
        origin=origin,
        format=fmt,
        message_id=str(record["id"]) if record.get("id") not in (None, "") else None,
        thread_id=str(record["thread_id"]) if record.get("thread_id") not in (None, "") else None,
        sent_at=when[0],
        sent_at_original=when[1],
        sender=sender,
        recipients=tuple(recipients),
        subject=str(record.get("subject") or ""),
        body_text=text,
        attachments=_attachments(record.get("attachments")),
        kind=str(record.get("kind") or "chat"),
        edited_from=str(record["edited_from"]) if record.get("edited_from") else None,
        deleted=_flag(record.get("deleted"), "deleted"),
        channel=str(record["channel"]) if record.get("channel") else None,
    )
