"""RFC 5322 / MIME: from one message's bytes to a :class:`Message`, or a reasoned quarantine.

Shared by every mail container (EML, MBOX, Maildir, the CMU layout, PST). The parser is the
standard library's ``compat32`` policy: it is several times faster than the modern policy and
never raises on odd input; what it tolerates silently (lost boundaries, truncated base64) is
read back from its defect list and turned into a quarantine reason, because a message whose
structure cannot be trusted must not enter review looking complete.
"""

from __future__ import annotations

import contextlib
import email.errors as errors
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.header import Header, decode_header, make_header
from email.message import Message as EmailMessage
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_tz

from proctor.comms.formats._text import attachment_text, decode_bytes, html_to_text, normalise_text
from proctor.comms.model import Attachment, Message, Participant, Quarantined

_PARSER = BytesParser(policy=compat32)
_FOLD = re.compile(r"\r?\n[ \t]+")
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
_ZONE = re.compile(r"\d:\d\d(?::\d\d)?(?:\.\d+)?\s*(?:[+-]\d\d:?\d\d|[A-Za-z]{1,5})\b")
_SURROGATE = re.compile("[\udc80-\udcff]")
_COMPLEX_ADDRESS = re.compile(r'[<>"()\\:;]|=\?')
_ANGLE = re.compile(r"<([^<>]+)>")
_FATAL_DEFECTS = (
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.NoBoundaryInMultipartDefect,
    errors.MultipartInvariantViolationDefect,
    errors.InvalidBase64LengthDefect,
    errors.InvalidBase64PaddingDefect,
)
_MAX_DEPTH = 8
_CONTENT_LENGTH = re.compile(rb"^content-length:", re.IGNORECASE | re.MULTILINE)


class _Broken(Exception):
    """A field that makes the message unusable; its text becomes the quarantine reason."""


def looks_like_rfc5322(head: bytes) -> bool:
    """True when the bytes start with a header field (after an optional ``From `` envelope line,
    which some mail clients write at the top of a saved ``.eml`` and the parser sets aside)."""
    head = head.lstrip(b"\r\n")
    if head.startswith(b"From "):
        head = head.split(b"\n", 1)[1] if b"\n" in head else b""
    return bool(_HEADER_LINE.match(head))


def _unsurrogate(value: object) -> str:
    """A header value as a str, with raw 8-bit bytes decoded instead of replaced.

    ``compat32`` hands such values back as ``Header`` objects (charset ``unknown-8bit``) or as
    surrogate-escaped text; either way the bytes are recovered and decoded as a body would be.
    """
    if isinstance(value, Header):
        return "".join(
            decode_bytes(part, None if charset in (None, "unknown-8bit") else charset)
            if isinstance(part, bytes)
            else part
            for part, charset in decode_header(value)
        )
    text = str(value)
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return decode_bytes(text.encode("ascii", "surrogateescape"))


def _text(value: object) -> str:
    """A header value as text: 8-bit bytes decoded, RFC 2047 words decoded, folding removed."""
    text = _unsurrogate(value)
    if "\n" in text:
        text = _FOLD.sub(" ", text)
    if "=?" in text:
        with contextlib.suppress(errors.HeaderParseError, LookupError, UnicodeError, ValueError):
            text = str(make_header(decode_header(text)))
    return text.strip()


def _header(msg: EmailMessage, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else _text(value)


def _participants(msg: EmailMessage, name: str, role: str) -> list[Participant]:
    values = msg.get_all(name)
    if not values:
        return []
    raw = [_FOLD.sub(" ", _unsurrogate(value)) for value in values]
    joined = ",".join(raw)
    if not _COMPLEX_ADDRESS.search(joined):
        # Bare comma-separated addresses (most archived mail): the full RFC 5322 grammar is
        # four times slower and gives the same answer.
        tokens = [t.strip() for t in joined.split(",")]
        if not any(" " in t or "\t" in t for t in tokens):
            return [Participant(t.lower(), "", role) for t in tokens if t]
    out = []
    for display, address in getaddresses(raw):
        address = address.strip()
        if address:
            out.append(Participant(address.lower(), _text(display) if display else "", role))
    return out


def _date(msg: EmailMessage, zone: tzinfo | None) -> tuple[datetime, str]:
    value = _header(msg, "Date")
    if not value:
        raise _Broken("Date: missing")
    parsed = parsedate_tz(value)
    if parsed is None:
        raise _Broken(f"Date: unparseable date {value!r}")
    try:
        if _ZONE.search(value):
            local_zone: tzinfo = timezone(timedelta(seconds=parsed[9] or 0))
        elif zone is not None:
            local_zone = zone
        else:
            raise _Broken(f"Date: {value!r} has no zone; give the source's time zone")
        local = datetime(*parsed[:6], tzinfo=local_zone)
        return local.astimezone(UTC), local.isoformat()
    except (ValueError, OverflowError) as exc:
        raise _Broken(f"Date: unparseable date {value!r} ({exc})") from exc


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    found = _ANGLE.search(value)
    return (found.group(1) if found else value).strip() or None


def _thread(msg: EmailMessage, message_id: str | None) -> str | None:
    refs = _header(msg, "References")
    if refs:
        first = _ANGLE.search(refs)
        if first:
            return first.group(1).strip()
    return _msgid(_header(msg, "In-Reply-To")) or message_id


class _Body:
    """Text and attachments gathered from a MIME tree, plus any fatal defect found on the way."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []

    def collect(self, part: EmailMessage, path: str, depth: int) -> None:
        ctype = part.get_content_type()
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                raise _Broken(f"MIME part {path} ({ctype}): {type(defect).__name__}")
        filename = part.get_filename()
        name = _text(filename) if filename else ""
        disposition = str(part.get("Content-Disposition", "")).lower()
        if ctype == "message/rfc822":
            self._embedded(part, name, path, depth)
        elif part.is_multipart():
            payload = part.get_payload()
            if not isinstance(payload, list):
                raise _Broken(f"MIME part {path} ({ctype}): multipart without parts")
            for i, sub in enumerate(payload, start=1):
                self.collect(sub, f"{path}.{i}" if path else str(i), depth)
        else:
            if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "quoted-printable":
                encoded = part.get_payload()
                if isinstance(encoded, str) and encoded.rstrip("\r\n").endswith("="):
                    # A soft line break is a promise that the line goes on: at the very end of
                    # the part it means the text was cut short.
                    raise _Broken(f"MIME part {path or 1} ({ctype}): truncated: ends in a soft line break")
            data = part.get_payload(decode=True)
            data = data if isinstance(data, bytes) else b""
            for defect in part.defects:
                if isinstance(defect, _FATAL_DEFECTS):
                    raise _Broken(f"MIME part {path or 1} ({ctype}): {type(defect).__name__}")
            charset = part.get_content_charset()
            if not name and not disposition.startswith("attachment") and ctype in ("text/plain", "text/html"):
                (self.plain if ctype == "text/plain" else self.html).append(decode_bytes(data, charset))
            else:
                label = name or f"part-{path or 1}"
                text = attachment_text(label, ctype, data, charset)
                self.attachments.append(Attachment.from_bytes(label, ctype, data, text))

    def _embedded(self, part: EmailMessage, name: str, path: str, depth: int) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, EmailMessage):
            raise _Broken(f"MIME part {path} (message/rfc822): no embedded message")
        data = inner.as_bytes()
        text = ""
        if depth < _MAX_DEPTH:
            nested = _Body()
            nested.collect(inner, "", depth + 1)
            subject = _header(inner, "Subject") or ""
            text = normalise_text(f"{subject}\n{nested.text()}")
        label = name or f"{_header(inner, 'Subject') or 'message'}.eml"
        self.attachments.append(Attachment.from_bytes(label, "message/rfc822", data, text))

    def text(self) -> str:
        if self.plain:
            return normalise_text("\n\n".join(self.plain))
        if self.html:
            return html_to_text("\n".join(self.html))
        return ""


def parse_rfc5322(
    raw: bytes,
    origin: str,
    fmt: str,
    *,
    channel: str | None = None,
    zone: tzinfo | None = None,
) -> Message | Quarantined:
    """One RFC 5322 message. Never raises: anything unusable becomes a quarantine reason."""
    try:
        return _parse(raw, origin, fmt, channel, zone)
    except _Broken as exc:
        return Quarantined(raw, origin, fmt, f"{origin}: {exc}")
    except (
        errors.MessageError,
        LookupError,
        ValueError,
        TypeError,
        AssertionError,
        RecursionError,
        OverflowError,
    ) as exc:
        return Quarantined(raw, origin, fmt, f"{origin}: broken MIME: {type(exc).__name__}: {exc}")


def _check_length(msg: EmailMessage, raw: bytes) -> None:
    """A message whose body is shorter than its own Content-Length header was cut short."""
    ends = [i + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := raw.find(sep)) >= 0]
    if not _CONTENT_LENGTH.search(raw, 0, min(ends) if ends else len(raw)):
        return
    declared = str(msg.get("Content-Length") or "").strip()
    if not (declared.isascii() and declared.isdigit()):
        return
    body = len(raw) - min(ends) if ends else 0
    if body < int(declared):
        raise _Broken(f"truncated: Content-Length is {int(declared):,} bytes, the body has {body:,}")


def _parse(raw: bytes, origin: str, fmt: str, channel: str | None, zone: tzinfo | None) -> Message:
    if not raw.strip():
        raise _Broken("empty: no headers or body")
    if not looks_like_rfc5322(raw[:1000]):
        raise _Broken("headers: does not start with an RFC 5322 header field")
    msg = _PARSER.parsebytes(raw)
    _check_length(msg, raw)
    senders = _participants(msg, "From", "from") or _participants(msg, "Sender", "from")
    if not senders:
        raise _Broken("From: missing sender" if msg.get("From") is None else "From: no address")
    sender = senders[0]
    if not sender.name:
        x_from = _header(msg, "X-From")
        if x_from:
            sender = Participant(sender.address, x_from.split(" <", 1)[0].strip(), "from")
    sent_at, original = _date(msg, zone)
    recipients = (
        _participants(msg, "To", "to") + _participants(msg, "Cc", "cc") + _participants(msg, "Bcc", "bcc")
    )
    body = _Body()
    body.collect(msg, "", 0)
    message_id = _msgid(_header(msg, "Message-ID"))
    return Message(
        raw=raw,
        origin=origin,
        format=fmt,
        message_id=message_id,
        thread_id=_thread(msg, message_id),
        sent_at=sent_at,
        sent_at_original=original,
        sender=sender,
        recipients=tuple(recipients),
        subject=_header(msg, "Subject") or "",
        body_text=body.text(),
        attachments=tuple(body.attachments),
        kind="email",
        channel=channel,
    )
