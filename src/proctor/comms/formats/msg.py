"""Outlook ``.msg`` files (one message per file, [MS-OXMSG]), read with extract-msg.

The record bytes are the ``.msg`` file itself, untouched. The view prefers the transport
headers Outlook kept (they carry the sender's own ``Date`` offset and the ``References`` chain)
and falls back to the MAPI properties for messages that never crossed SMTP (drafts, internal
Exchange mail). An embedded message attachment is kept as its own ``.msg`` bytes with its text
extracted. A file that is truncated or not an Outlook message is quarantined with the reader's
complaint.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parseaddr, parsedate_tz
from pathlib import Path
from typing import Any

import extract_msg

from proctor.comms.formats._files import read_file, walk_files
from proctor.comms.formats._text import attachment_text, decode_bytes, html_to_text, normalise_text
from proctor.comms.model import Attachment, Message, ParsedItem, ParseOptions, Participant, Quarantined

FORMAT = "msg"
_ROLES = {1: "to", 2: "cc", 3: "bcc"}
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_MIN_OLE_SIZE = 1536


class _Bad(Exception):
    pass


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    files = (f for f in walk_files(path) if f.suffix.lower() == ".msg") if path.is_dir() else iter((path,))
    for file in files:
        raw = read_file(file, FORMAT)
        if not isinstance(raw, bytes):
            yield raw
            continue
        yield parse_msg(raw, str(file))


def parse_msg(raw: bytes, origin: str) -> ParsedItem:
    """One .msg file to a Message, or a quarantine naming what the reader could not use."""
    if len(raw) < _MIN_OLE_SIZE or not raw.startswith(_OLE_MAGIC):
        return Quarantined(
            raw, origin, FORMAT, f"{origin}: not an Outlook message (no OLE compound file header)"
        )
    try:
        msg = extract_msg.openMsg(raw, delayAttachments=False)
    except Exception as exc:  # the reader raises many types on damaged compound files
        return Quarantined(
            raw, origin, FORMAT, f"{origin}: not a readable Outlook message: {type(exc).__name__}: {exc}"
        )
    try:
        return _message(msg, raw, origin)
    except _Bad as exc:
        return Quarantined(raw, origin, FORMAT, f"{origin}: {exc}")
    except Exception as exc:
        return Quarantined(raw, origin, FORMAT, f"{origin}: unreadable property: {type(exc).__name__}: {exc}")
    finally:
        msg.close()


def _transport_date(msg: Any) -> tuple[datetime, str] | None:
    headers = msg.getStringStream("__substg1.0_007D")
    if not headers:
        return None
    value = msg.header.get("Date") if msg.header is not None else None
    parsed = parsedate_tz(str(value)) if value else None
    if parsed is None:
        return None
    try:
        local = datetime(*parsed[:6], tzinfo=timezone(timedelta(seconds=parsed[9] or 0)))
    except ValueError:
        return None
    return local.astimezone(UTC), local.isoformat()


def _sender(msg: Any) -> Participant:
    name, address = parseaddr(str(msg.sender or ""))
    address = address or str(
        msg.getStringStream("__substg1.0_5D01") or msg.getStringStream("__substg1.0_0C1F") or ""
    )
    if not address:
        raise _Bad("sender: missing sender")
    return Participant(address.lower() if "@" in address else address, name, "from")


def _recipients(msg: Any) -> list[Participant]:
    out = []
    for recipient in msg.recipients:
        address = recipient.smtpAddress or recipient.email or ""
        if address:
            kind = getattr(recipient.type, "value", recipient.type)
            role = _ROLES.get(int(kind) if kind is not None else 1, "to")
            out.append(
                Participant(address.lower() if "@" in address else address, recipient.name or "", role)
            )
    if not out:
        for field, role in (("to", "to"), ("cc", "cc"), ("bcc", "bcc")):
            for name, address in getaddresses([str(getattr(msg, field) or "")]):
                if address:
                    out.append(Participant(address.lower(), name, role))
    return out


def _attachments(msg: Any) -> tuple[Attachment, ...]:
    out = []
    for att in msg.attachments:
        data = att.data
        name = att.longFilename or att.shortFilename or att.displayName or "attachment"
        if isinstance(data, bytes):
            ctype = att.mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
            out.append(Attachment.from_bytes(name, ctype, data, attachment_text(name, ctype, data)))
        elif data is not None and hasattr(data, "exportBytes"):
            text = normalise_text(f"{data.subject or ''}\n{data.body or ''}")
            label = name if name.lower().endswith(".msg") else f"{name}.msg"
            out.append(Attachment.from_bytes(label, "application/vnd.ms-outlook", data.exportBytes(), text))
    return tuple(out)


def _message(msg: Any, raw: bytes, origin: str) -> Message:
    when = _transport_date(msg)
    if when is None:
        date = msg.date
        if not isinstance(date, datetime):
            raise _Bad("date: message has no sent or received time")
        date = date if date.tzinfo is not None else date.replace(tzinfo=UTC)
        when = (date.astimezone(UTC), date.isoformat())
    body = msg.body
    if body:
        text = normalise_text(str(body))
    else:
        html = msg.htmlBody
        text = html_to_text(decode_bytes(html) if isinstance(html, bytes) else str(html or ""))
    message_id = str(msg.messageId or "").strip().strip("<>") or None
    references = msg.header.get("References") if msg.header is not None else None
    first_ref = str(references).split(">")[0].strip().lstrip("<") if references else ""
    in_reply_to = str(msg.inReplyTo or "").strip().strip("<>")
    return Message(
        raw=raw,
        origin=origin,
        format=FORMAT,
        message_id=message_id,
        thread_id=first_ref or in_reply_to or message_id,
        sent_at=when[0],
        sent_at_original=when[1],
        sender=_sender(msg),
        recipients=tuple(_recipients(msg)),
        subject=str(msg.subject or ""),
        body_text=text,
        attachments=_attachments(msg),
        kind="email",
    )
