"""WhatsApp "Export chat" text files (``.txt``, or the ``.zip`` with media) from iOS and Android.

Lines start a message when they begin with a timestamp in one of the two layouts the phones
write::

    [02/01/2024, 09:15:03] Dana Whitfield: text          (iOS)
    02/01/24, 09:15 - Dana Whitfield: text               (Android)

(12-hour clocks with AM/PM too). Any other line continues the message above it. A timestamped
line without ``Name:`` is a system notice (encryption notice, "X added Y") and becomes a
``system`` item. The record bytes of a message are its lines exactly as in the file, without the
final line break (so the last message of one export hashes the same in a longer later export).

WhatsApp writes the phone's wall-clock time with no zone. The zone must be given
(``ParseOptions.timezone``); without it each message is quarantined rather than stamped with a
guess. Day/month order follows ``ParseOptions.day_first``, else the file (a first field over 12
means day first), else day first.

A ``.zip`` may hold several chat files: each is read. A media file no message refers to is
quarantined (it was sent, and its message is not in the export), as is a media member that
cannot be read (bad CRC, over a size limit). Bytes that are not UTF-8 (a name written in
Latin-1) stay untouched in the record and are read as Windows-1252 for the view.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from proctor.comms.formats._archive import Archive, MemberError
from proctor.comms.formats._files import empty, read_file, shielded
from proctor.comms.formats._text import attachment_text, decode_bytes, normalise_text
from proctor.comms.model import Attachment, Message, ParsedItem, ParseOptions, Participant, Quarantined

FORMAT = "whatsapp"
_STAMP = (
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{2,4}),?\s(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:[\s\u202f]?([AaPp])\.?\s?[Mm]\.?)?"
)
IOS_LINE = re.compile(r"^\u200e?\[" + _STAMP + r"\]\s(.*)$", re.S)
ANDROID_LINE = re.compile(r"^\u200e?" + _STAMP + r"\s[-\u2013]\s(.*)$", re.S)
_ATTACHED = re.compile(r"<attached:\s*([^>]+)>")
_OMITTED = ("<Media omitted>", "<media omitted>", "image omitted", "video omitted", "audio omitted")
_DELETED = ("This message was deleted", "You deleted this message")
_EDITED = "<This message was edited>"
_PHONE = re.compile(r"^\+?[\d\s\-().\u202a\u202c]{7,}$")


@dataclass
class _Entry:
    number: int
    lines: list[str]
    fields: tuple[str | None, ...]


def _header(line: str) -> tuple[str | None, ...] | None:
    match = IOS_LINE.match(line) or ANDROID_LINE.match(line)
    return match.groups() if match else None


def _day_first(entries: list[_Entry], option: bool | None) -> bool:
    if option is not None:
        return option
    for entry in entries:
        first, second = int(entry.fields[0] or 0), int(entry.fields[1] or 0)
        if first > 12:
            return True
        if second > 12:
            return False
    return True


def _stamp(fields: tuple[str | None, ...], day_first: bool, zone: tzinfo) -> tuple[datetime, str]:
    a, b, year_text, hour_text, minute, second, half = fields[:7]
    day, month = (int(a or 0), int(b or 0)) if day_first else (int(b or 0), int(a or 0))
    year = int(year_text or 0)
    year = year + 2000 if year < 100 else year
    hour = int(hour_text or 0)
    if half:
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    local = datetime(year, month, day, hour, int(minute or 0), int(second or 0), tzinfo=zone)
    return local.astimezone(UTC), local.isoformat()


def _address(name: str) -> str:
    if _PHONE.match(name):
        return "+" + re.sub(r"\D", "", name) if name.strip().startswith("+") else re.sub(r"\D", "", name)
    return name


def _clean(text: str) -> str:
    """Text read with surrogateescape, with any undecodable bytes decoded as a body would be."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return decode_bytes(text.encode("utf-8", "surrogateescape"))


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    opts = options or ParseOptions()
    chat = path.stem.removeprefix("WhatsApp Chat with ").removeprefix("WhatsApp Chat - ")
    if not zipfile.is_zipfile(path):
        data = read_file(path, FORMAT)
        if isinstance(data, bytes):
            yield from _chat(data, str(path), {}, chat, opts, set())
        else:
            yield data
        return
    yield from _zip(path, chat, opts)


def _zip(path: Path, chat: str, opts: ParseOptions) -> Iterator[ParsedItem]:
    try:
        zf = Archive(path, opts.limits)
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:
        yield Quarantined(path.read_bytes(), str(path), FORMAT, f"{path}: not a readable zip archive: {exc}")
        return
    with zf:
        names = zf.names()
        texts = [i for i, n in enumerate(names) if n.lower().endswith(".txt")]
        if not texts:
            yield Quarantined(path.read_bytes(), str(path), FORMAT, f"{path}: zip holds no chat .txt")
            return
        media: dict[str, bytes] = {}
        owner: dict[str, int] = {}
        for index, name in enumerate(names):
            if index in texts:
                continue
            try:
                data = zf.read_at(index)
            except MemberError as exc:
                yield Quarantined(b"", f"{path}:{name}", FORMAT, f"{path}:{name}: media file: {exc}")
                continue
            key = Path(name).name
            if key in media:  # two media files of one name: the message can only mean one
                reason = f"{path}:{name}: a second media file named {key!r}; messages can only mean one"
                yield Quarantined(data, f"{path}:{name}", FORMAT, reason)
                continue
            media[key], owner[key] = data, index
        used: set[str] = set()
        for index in texts:
            name = names[index]
            origin = f"{path}:{name}" + (f" (copy {zf.copy(index)})" if zf.copy(index) > 1 else "")
            try:
                data = zf.read_at(index)
            except MemberError as exc:
                yield Quarantined(b"", origin, FORMAT, f"{origin}: chat file: {exc}")
                continue
            title = chat if len(texts) == 1 else Path(name).stem.removeprefix("WhatsApp Chat with ")
            yield from _chat(data, origin, media, title, opts, used)
        for key, data in media.items():
            if key not in used:
                origin = f"{path}:{names[owner[key]]}"
                yield Quarantined(data, origin, FORMAT, f"{origin}: media file that no message refers to")


def _chat(
    data: bytes, prefix: str, media: dict[str, bytes], chat: str, opts: ParseOptions, used: set[str]
) -> Iterator[ParsedItem]:
    zone = opts.zone()
    blank = empty(data, prefix, FORMAT)
    if blank is not None:
        yield blank
        return
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    preamble: list[str] = []
    entries: list[_Entry] = []
    long_lines: set[int] = set()
    for line in text.splitlines(keepends=True):
        fields = _header(line.rstrip("\r\n"))
        if fields is not None:
            entries.append(_Entry(len(entries) + 1, [line], fields))
        elif entries:
            entries[-1].lines.append(line)
        else:
            preamble.append(line)
        if len(line) > opts.limits.max_line_bytes and entries:
            long_lines.add(entries[-1].number)
    if "".join(preamble).strip():
        raw = "".join(preamble).encode("utf-8", errors="surrogateescape")
        yield Quarantined(raw, f"{prefix}#0", FORMAT, f"{prefix}#0: timestamp: text before the first message")
    day_first = _day_first(entries, opts.day_first)
    people: dict[str, str] = {}
    for entry in entries:
        rest = _clean(entry.fields[7] or "")
        if ": " in rest:
            name = rest.split(": ", 1)[0].strip("\u200e\u202a\u202c ")
            people.setdefault(_address(name), name)
    for entry in entries:
        raw = "".join(entry.lines).removesuffix("\n").removesuffix("\r").encode("utf-8", "surrogateescape")
        origin = f"{prefix}#{entry.number}"
        if entry.number in long_lines:
            limit = opts.limits.max_line_bytes
            reason = f"{origin}: a line is longer than the {limit:,}-character line limit"
            yield Quarantined(raw, origin, FORMAT, reason)
            continue
        for found in _ATTACHED.findall(_clean("".join(entry.lines))):
            used.add(found.strip())
        yield shielded(raw, origin, FORMAT, _message, entry, prefix, chat, day_first, zone, people, media)


def _message(
    entry: _Entry,
    prefix: str,
    chat: str,
    day_first: bool,
    zone: tzinfo | None,
    people: dict[str, str],
    media: dict[str, bytes],
) -> ParsedItem:
    origin = f"{prefix}#{entry.number}"
    joined = "".join(entry.lines)
    raw = joined.removesuffix("\n").removesuffix("\r").encode("utf-8", errors="surrogateescape")
    if zone is None:
        return Quarantined(
            raw,
            origin,
            FORMAT,
            f"{origin}: timestamp: phone local time with no zone; give the chat's time zone",
        )
    try:
        sent_at, original = _stamp(entry.fields, day_first, zone)
    except ValueError as exc:
        return Quarantined(raw, origin, FORMAT, f"{origin}: timestamp: not a valid date ({exc})")
    first = _clean(entry.fields[7] or "").rstrip("\r\n")
    body = first + ("\n" + _clean("".join(entry.lines[1:])) if len(entry.lines) > 1 else "")
    kind = "chat"
    if ": " in first:
        name, body = body.split(": ", 1)
        name = name.strip("\u200e\u202a\u202c ")
        sender = Participant(_address(name), name, "from")
    else:
        sender, kind = Participant("whatsapp:system", "WhatsApp", "from"), "system"
    attachments = []
    for found in _ATTACHED.findall(body):
        name = found.strip()
        if name in media:
            attachments.append(
                Attachment.from_bytes(
                    name, "application/octet-stream", media[name], attachment_text(name, "", media[name])
                )
            )
        else:
            attachments.append(Attachment.reference(name, "application/octet-stream"))
    if any(marker in body for marker in _OMITTED):
        attachments.append(Attachment.reference("<Media omitted>", "application/octet-stream"))
    edited = _EDITED in body
    text = normalise_text(body.replace(_EDITED, "").replace("\u200e", ""))
    return Message(
        raw=raw,
        origin=origin,
        format=FORMAT,
        message_id=None,
        thread_id=chat,
        sent_at=sent_at,
        sent_at_original=original,
        sender=sender,
        recipients=tuple(Participant(a, n, "member") for a, n in people.items() if a != sender.address),
        subject="",
        body_text=text,
        attachments=tuple(attachments),
        kind=kind,
        edited_from=f"{chat}:{original}:{sender.address}" if edited else None,
        deleted=text in _DELETED,
        channel=chat,
    )
