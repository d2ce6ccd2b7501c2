"""RFC 5322 / MIME: from one message's bytes to a :class:`Message`, or a reasoned quarantine.

Shared by every mail container (EML, MBOX, Maildir, the CMU layout, PST). The parser is the
standard library's ``compat32`` policy: it is several times faster than the modern policy and
never raises on odd input; what it tolerates silently (lost boundaries, truncated base64) is
read back from its defect list and turned into a quarantine reason, because a message whose
structure cannot be trusted must not enter review looking complete.

Most archived mail is one text part, and the parser's line-by-line walk over its body is most of
the cost of reading it, so a message whose headers say it is not multipart is parsed as headers
alone and given the rest of its text as body: exactly what the full parse produces (the same
headers, payload and defects), found without visiting each body line. Each part's header fields
are read into a map once, instead of one scan of the header list per field asked for.
"""

from __future__ import annotations

import contextlib
import email.errors as errors
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.header import Header, decode_header, make_header
from email.message import Message as EmailMessage
from email.parser import BytesParser, Parser
from email.policy import compat32
from email.utils import getaddresses, parsedate_tz
from typing import Any

from proctor.comms.formats._text import attachment_text, decode_bytes, html_to_text, normalise_text
from proctor.comms.model import Attachment, Message, Participant, Quarantined

_PARSER = BytesParser(policy=compat32)
_HEADER_PARSER = Parser(policy=compat32)
# The header block as the parser's own loop finds it (email.feedparser.headerRE, one line at a
# time, lines ending in CRLF, CR or LF): the header lines and continuation lines at the start.
_HEADER_BLOCK = re.compile(r"(?:(?:From |[\041-\071\073-\176]*:|[\t ])[^\r\n]*(?:\r\n|\r|\n|\Z))*")
_LINE_END = re.compile(r"\r\n|\r|\n")
_FOLD = re.compile(r"\r?\n[ \t]+")
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
_ZONE = re.compile(r"\d:\d\d(?::\d\d)?(?:\.\d+)?\s*(?:[+-]\d\d:?\d\d|[A-Za-z]{1,5})\b")
_SURROGATE = re.compile("[\udc80-\udcff]")
_COMPLEX_ADDRESS = re.compile(r'[<>"()\\:;]|=\?')
# Syntax whose commas need not separate addresses (quotes, comments, groups, literals, encoded
# words): a list holding any of it is read with the full grammar, never token by token.
_LIST_SYNTAX = re.compile(r'["()\\:;\[\]]|=\?')
_NAMED_ADDRESS = re.compile(r"[^<>]*<[^<>\s]*>")  # display name <address>, nothing after it
# A bare address the grammar returns exactly as written: no specials but dots, at most one "@"
# and, after it, a domain (the grammar drops "a@" and "a@b@c").
_PLAIN_ADDRESS = re.compile(r'[^()<>@,:;"\[\]\\\s]*(?:@[^()<>@,:;"\[\]\\\s]+)?')
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


class _Fields:
    """One part's header fields by lower-cased name, in order: indexed once per part.

    ``Message.get`` scans every header of the part for each field asked for, and a message is
    asked for a dozen. A value comes back as ``get`` and ``get_all`` return it (the policy's
    ``header_fetch_parse`` of the raw value), converted only when it is asked for.
    """

    __slots__ = ("fetch", "part", "raw")

    def __init__(self, part: EmailMessage) -> None:
        self.part = part
        self.fetch = part.policy.header_fetch_parse
        self.raw: dict[str, list[tuple[str, Any]]] = {}
        for name, value in part.raw_items():
            self.raw.setdefault(name.lower(), []).append((name, value))

    def first(self, name: str) -> Any:
        found = self.raw.get(name.lower())
        return self.fetch(*found[0]) if found else None

    def all(self, name: str) -> list[Any]:
        return [self.fetch(*pair) for pair in self.raw.get(name.lower(), ())]

    def content_type(self) -> str:
        """``Message.get_content_type``, from the map."""
        value = self.first("content-type")
        if value is None:
            return self.part.get_default_type()
        ctype = str(value).partition(";")[0].strip().lower()
        return ctype if ctype.count("/") == 1 else "text/plain"

    def filename(self) -> str | None:
        """``Message.get_filename``; parsed only when a header could name a file at all."""
        disposition = self.first("content-disposition")
        ctype = self.first("content-type")
        if "name" not in str(disposition or "").lower() and "name" not in str(ctype or "").lower():
            return None
        return self.part.get_filename()

    def charset(self) -> str | None:
        """``Message.get_content_charset``, which depends on the first Content-Type value alone.

        Archived mail repeats a handful of those values (``text/plain; charset=us-ascii``), so the
        answer for each is worked out once per process.
        """
        value = self.first("content-type")
        if value is None:
            return None
        if not isinstance(value, str):  # a Header object (8-bit bytes): not worth remembering
            return self.part.get_content_charset()
        if value not in _CHARSETS:
            if len(_CHARSETS) >= _CHARSETS_KEPT:
                _CHARSETS.clear()
            _CHARSETS[value] = self.part.get_content_charset()
        return _CHARSETS[value]


_CHARSETS: dict[str, str | None] = {}
_CHARSETS_KEPT = 1024


def _header(fields: _Fields, name: str) -> str | None:
    value = fields.first(name)
    return None if value is None else _text(value)


def _addresses(values: list[str], role: str) -> list[Participant]:
    """Participants as the full RFC 5322 address-list grammar reads them."""
    out = []
    for display, address in getaddresses(values):
        address = address.strip()
        if address:
            out.append(Participant(address.lower(), _text(display) if display else "", role))
    return out


def _participants(fields: _Fields, name: str, role: str) -> list[Participant]:
    values = fields.all(name)
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
    if _LIST_SYNTAX.search(joined):
        return _addresses(raw, role)
    # Only names and angle brackets: every comma separates two addresses, so a long list of
    # bare addresses with a few ``name <address>`` in it is read with the grammar token by token.
    out: list[Participant] = []
    for token in joined.split(","):
        token = token.strip(" \t\r\n")  # the blanks the grammar skips, and no others
        if not token:
            continue
        if _PLAIN_ADDRESS.fullmatch(token):
            out.append(Participant(token.lower(), "", role))
        elif _NAMED_ADDRESS.fullmatch(token):
            out.extend(_addresses([token], role))
        else:  # anything else the grammar may read differently: the whole list, as written
            return _addresses(raw, role)
    return out


def _date(fields: _Fields, zone: tzinfo | None) -> tuple[datetime, str]:
    value = _header(fields, "Date")
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


def _thread(fields: _Fields, message_id: str | None) -> str | None:
    refs = _header(fields, "References")
    if refs:
        first = _ANGLE.search(refs)
        if first:
            return first.group(1).strip()
    return _msgid(_header(fields, "In-Reply-To")) or message_id


class _Body:
    """Text and attachments gathered from a MIME tree, plus any fatal defect found on the way."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []

    def collect(self, part: EmailMessage, path: str, depth: int, fields: _Fields | None = None) -> None:
        fields = fields or _Fields(part)
        ctype = fields.content_type()
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                raise _Broken(f"MIME part {path} ({ctype}): {type(defect).__name__}")
        filename = fields.filename()
        name = _text(filename) if filename else ""
        disposition = str(fields.first("Content-Disposition") or "").lower()
        if ctype == "message/rfc822":
            self._embedded(part, name, path, depth)
        elif part.is_multipart():
            payload = part.get_payload()
            if not isinstance(payload, list):
                raise _Broken(f"MIME part {path} ({ctype}): multipart without parts")
            for i, sub in enumerate(payload, start=1):
                self.collect(sub, f"{path}.{i}" if path else str(i), depth)
        else:
            if str(fields.first("Content-Transfer-Encoding") or "").strip().lower() == "quoted-printable":
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
            charset = fields.charset()
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
        fields = _Fields(inner)
        text = ""
        if depth < _MAX_DEPTH:
            nested = _Body()
            nested.collect(inner, "", depth + 1, fields)
            subject = _header(fields, "Subject") or ""
            text = normalise_text(f"{subject}\n{nested.text()}")
        label = name or f"{_header(fields, 'Subject') or 'message'}.eml"
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


def parse_message(raw: bytes) -> EmailMessage:
    """``BytesParser(policy=compat32).parsebytes(raw)``, without walking a single part's body.

    The header block is found as the parser's own loop finds it and parsed alone; if it declares
    a multipart or message/* body, the whole message is parsed as usual. Otherwise the body is
    the rest of the text, as the parser would have joined it line by line (after any line the
    header parse handed back), and a non-header line that ends the headers without a blank line
    is the same defect the parser records.
    """
    text = raw.decode("ascii", "surrogateescape")
    end = _HEADER_BLOCK.match(text).end()  # type: ignore[union-attr]  # it matches "" at least
    msg = _HEADER_PARSER.parsestr(text[:end], headersonly=True)
    if msg.get_content_maintype() in ("multipart", "message"):
        return _PARSER.parsebytes(raw)
    # What the header parse handed back (an envelope-looking last header line starts the body).
    body = str(msg.get_payload())
    if end < len(text):
        blank = _LINE_END.match(text, end)
        if blank is not None:
            body += text[blank.end() :]
        else:
            body += text[end:]
            msg.defects.insert(0, errors.MissingHeaderBodySeparatorDefect())
    msg.set_payload(body)
    return msg


def _check_length(fields: _Fields, raw: bytes) -> None:
    """A message whose body is shorter than its own Content-Length header was cut short."""
    value = fields.first("Content-Length")
    if value is None:  # most mail: nothing to check, and no need to look for it in the bytes
        return
    ends = [i + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := raw.find(sep)) >= 0]
    if not _CONTENT_LENGTH.search(raw, 0, min(ends) if ends else len(raw)):
        return
    declared = str(value).strip()
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
    msg = parse_message(raw)
    fields = _Fields(msg)
    _check_length(fields, raw)
    senders = _participants(fields, "From", "from") or _participants(fields, "Sender", "from")
    if not senders:
        raise _Broken("From: missing sender" if fields.first("From") is None else "From: no address")
    sender = senders[0]
    if not sender.name:
        x_from = _header(fields, "X-From")
        if x_from:
            sender = Participant(sender.address, x_from.split(" <", 1)[0].strip(), "from")
    sent_at, original = _date(fields, zone)
    recipients = (
        _participants(fields, "To", "to")
        + _participants(fields, "Cc", "cc")
        + _participants(fields, "Bcc", "bcc")
    )
    body = _Body()
    body.collect(msg, "", 0, fields)
    message_id = _msgid(_header(fields, "Message-ID"))
    return Message(
        raw=raw,
        origin=origin,
        format=fmt,
        message_id=message_id,
        thread_id=_thread(fields, message_id),
        sent_at=sent_at,
        sent_at_original=original,
        sender=sender,
        recipients=tuple(recipients),
        subject=_header(fields, "Subject") or "",
        body_text=body.text(),
        attachments=tuple(body.attachments),
        kind="email",
        channel=channel,
    )
