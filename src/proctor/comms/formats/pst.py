"""Outlook personal folders (``.pst``/``.ost``), read with libpff (``pypff``).

A PST does not store messages as RFC 5322 bytes; it stores MAPI properties. The record for each
message is therefore *reconstructed*: the transport headers Outlook kept (minus the MIME
headers, which describe a body that no longer exists in that form) followed by a MIME body
rebuilt from the plain, HTML and attachment properties. The reconstruction is deterministic
(the boundary is derived from the content), so importing the same PST twice yields the same
bytes and the archive stores each message once. Messages that never crossed SMTP get headers
made from their properties. The folder path goes in the origin, not in the bytes, so copies of
one message filed in two folders are the same record.

A PST that libpff cannot open is quarantined whole; a message it cannot read is quarantined
with empty bytes and its folder and position, so the count still reconciles.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import encode_rfc2231, format_datetime, formataddr
from pathlib import Path
from typing import Any

from proctor.comms.formats._files import read_file
from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.formats._text import decode_bytes
from proctor.comms.model import ParsedItem, ParseOptions, Quarantined

FORMAT = "pst"
_CONTENT_HEADERS = frozenset(("content-type", "content-transfer-encoding", "mime-version"))
_ROLES = {1: "To", 2: "Cc", 3: "Bcc"}
_FIELD_START = re.compile(r"^[\x21-\x39\x3b-\x7e]+:")


@dataclass(frozen=True)
class PstMessage:
    """The properties of one stored message that the reconstruction uses."""

    transport_headers: str | None
    sender_name: str
    sender_address: str
    subject: str
    sent: datetime | None
    message_id: str | None = None
    recipients: tuple[tuple[str, str, str], ...] = ()  # (role header, name, address)
    plain: bytes | None = None
    html: bytes | None = None
    attachments: tuple[tuple[str, bytes], ...] = field(default=())


def _strip_content_headers(headers: str) -> list[str]:
    """Header fields (with their folded continuation lines) other than the MIME ones."""
    fields: list[str] = []
    for line in headers.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        if _FIELD_START.match(line) or not fields:
            fields.append(line)
        else:
            fields[-1] += "\r\n" + line
    return [f for f in fields if f.split(":", 1)[0].strip().lower() not in _CONTENT_HEADERS]


def _b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _text_part(subtype: str, data: bytes) -> str:
    text = decode_bytes(data).encode("utf-8")
    head = f"Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
    return f"{head}\r\n{_b64(text)}\r\n"


def _attachment_part(name: str, data: bytes) -> str:
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    quoted = f"filename*={encode_rfc2231(name, 'utf-8')}" if not name.isascii() else f'filename="{name}"'
    return (
        f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {quoted}\r\n\r\n{_b64(data)}\r\n"
    )


def _multipart(kind: str, parts: list[str]) -> str:
    boundary = "=_pst_" + hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()[:32]
    body = "".join(f"--{boundary}\r\n{part}" for part in parts) + f"--{boundary}--\r\n"
    return f'Content-Type: multipart/{kind}; boundary="{boundary}"\r\n\r\n{body}'


def reconstruct(message: PstMessage) -> bytes:
    """The RFC 5322 bytes that stand as the record of one PST message (deterministic)."""
    if message.transport_headers and message.transport_headers.strip():
        fields = _strip_content_headers(message.transport_headers)
    else:
        fields = []
    names = {f.split(":", 1)[0].strip().lower() for f in fields}
    if "from" not in names and (message.sender_address or message.sender_name):
        fields.append(f"From: {formataddr((message.sender_name, message.sender_address))}")
    if "date" not in names and message.sent is not None:
        sent = message.sent if message.sent.tzinfo else message.sent.replace(tzinfo=UTC)
        fields.append(f"Date: {format_datetime(sent)}")
    if "subject" not in names and message.subject:
        fields.append(f"Subject: {message.subject}")
    if "message-id" not in names and message.message_id:
        fields.append(f"Message-ID: {message.message_id}")
    if not ({"to", "cc", "bcc"} & names):
        for role in ("To", "Cc", "Bcc"):
            people = [formataddr((n, a)) for r, n, a in message.recipients if r == role and a]
            if people:
                fields.append(f"{role}: {', '.join(people)}")
    texts = []
    if message.plain:
        texts.append(_text_part("plain", message.plain))
    if message.html:
        texts.append(_text_part("html", message.html))
    body = (
        _multipart("alternative", texts)
        if len(texts) > 1
        else (texts[0] if texts else _text_part("plain", b""))
    )
    if message.attachments:
        body = _multipart("mixed", [body] + [_attachment_part(n, d) for n, d in message.attachments])
    head = "\r\n".join([*fields, "MIME-Version: 1.0"])
    return (head + "\r\n" + body).encode("utf-8")


def _entry_text(record_set: Any, entry_type: int) -> str:
    try:
        entry = record_set.get_entry_by_type(entry_type)
    except OSError:
        return ""
    if entry is None:
        return ""
    try:
        return str(entry.get_data_as_string() or "")
    except (OSError, TypeError, ValueError):
        return ""


def _read(item: Any) -> PstMessage:
    props = item.get_record_set(0) if item.number_of_record_sets else None
    recipients = []
    holder = item.recipients
    if holder is not None:
        for i in range(holder.number_of_record_sets):
            rs = holder.get_record_set(i)
            role_entry = rs.get_entry_by_type(0x0C15)
            role = _ROLES.get(role_entry.get_data_as_integer() if role_entry is not None else 1, "To")
            address = _entry_text(rs, 0x39FE) or _entry_text(rs, 0x3003)
            recipients.append((role, _entry_text(rs, 0x3001), address))
    attachments = []
    for i in range(item.number_of_attachments):
        att = item.get_attachment(i)
        size = att.get_size()
        data = att.read_buffer(size) if size else b""
        attachments.append((att.get_long_filename() or f"attachment-{i + 1}", data))
    sent = item.get_client_submit_time() or item.get_delivery_time() or item.get_creation_time()
    return PstMessage(
        transport_headers=item.get_transport_headers(),
        sender_name=item.get_sender_name() or "",
        sender_address=(_entry_text(props, 0x5D01) or _entry_text(props, 0x0C1F))
        if props is not None
        else "",
        subject=item.get_subject() or "",
        sent=sent,
        message_id=(_entry_text(props, 0x1035) or None) if props is not None else None,
        recipients=tuple(recipients),
        plain=item.get_plain_text_body(),
        html=item.get_html_body(),
        attachments=tuple(attachments),
    )


def _walk(folder: Any, path: str) -> Iterator[tuple[str, Any, int]]:
    for i in range(folder.number_of_sub_messages):
        yield path, folder, i
    for j in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(j)
        yield from _walk(sub, f"{path}/{sub.name or j}")


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    import pypff  # imported here: the native library is only needed when a PST is imported

    zone = (options or ParseOptions()).zone()
    pst = pypff.file()
    try:
        pst.open(str(path))
    except OSError as exc:
        data = read_file(path, FORMAT)
        raw = data if isinstance(data, bytes) else b""
        yield Quarantined(raw, str(path), FORMAT, f"{path}: not a readable PST/OST file: {exc}")
        return
    try:
        for folder_path, folder, index in _walk(pst.get_root_folder(), ""):
            origin = f"{path}:{folder_path or '/'}#{index + 1}"
            try:
                raw = reconstruct(_read(folder.get_sub_message(index)))
            except (OSError, ValueError, TypeError) as exc:
                yield Quarantined(b"", origin, FORMAT, f"{origin}: message unreadable in the PST: {exc}")
                continue
            yield parse_rfc5322(raw, origin, FORMAT, channel=folder_path.lstrip("/") or None, zone=zone)
    finally:
        pst.close()
