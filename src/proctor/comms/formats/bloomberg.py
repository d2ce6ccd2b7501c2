"""Bloomberg Instant Bloomberg (IB) chat dumps: the Vault "FileDump / Conversation" XML.

Shape: ``FileDump`` holds ``Conversation`` elements; each has a ``RoomID``, participant events
(``ParticipantEntered`` / ``ParticipantLeft``) and the events that are communications:
``Message`` (``User``, ``DateTime``, ``DateTimeUTC``, ``Content``, optional ``Attachment``),
``Attachment`` / ``FileTransferStarted`` (a file sent), ``History`` and ``SystemMessage``. Each
of those is one item; its record bytes are the element exactly as in the file, wrapped with its
room so the record says where it was said::

    <Conversation><RoomID>CHAT:123</RoomID><Message>...as exported...</Message></Conversation>

The sender is the event's ``User`` (or a flat ``LoginName``/``EmailAddress``); recipients are the
room's other participants. ``DateTimeUTC`` (epoch seconds, or milliseconds in some dumps) is the
instant; ``DateTime`` is the perspective user's wall clock, from which the original offset is
derived. A conversation element this module does not know is quarantined, not skipped; so is a
file that stops being well-formed XML, from the start of the conversation it broke in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape

from proctor.comms.formats._files import read_file
from proctor.comms.formats._text import attachment_text, from_epoch, normalise_text
from proctor.comms.model import Attachment, Message, ParsedItem, ParseOptions, Participant, Quarantined

FORMAT = "bloomberg"
ITEM_TAGS = frozenset(("Message", "Attachment", "FileTransferStarted", "History", "SystemMessage"))
CONTEXT_TAGS = frozenset(
    (
        "RoomID",
        "StartTimeUTC",
        "EndTimeUTC",
        "ParticipantEntered",
        "ParticipantLeft",
        "FileTransferEnded",
        "FileTransferAborted",
        "Invite",
        "InviteSent",
        "InviteReceived",
        "Invitation",
    )
)
_CHUNK = 1 << 20


@dataclass
class _Node:
    tag: str
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def find(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, *tags: str) -> str:
        for tag in tags:
            node = self.find(tag)
            if node is not None and node.text.strip():
                return node.text.strip()
        return ""


@dataclass
class _Conversation:
    start: int
    room: str = ""
    events: list[tuple[_Node, int, int]] = field(default_factory=list)


class _Reader:
    """expat handlers that rebuild each Conversation child as a small tree plus its byte span."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._chars
        self.stack: list[_Node] = []
        self.current: _Conversation | None = None
        self.child_start = 0
        self.done: list[_Conversation] = []

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag)
        if self.stack:
            self.stack[-1].children.append(node)
        self.stack.append(node)
        depth = len(self.stack)
        if tag == "Conversation":
            self.current = _Conversation(self.parser.CurrentByteIndex)
        elif self.current is not None and depth >= 2 and self.stack[-2].tag == "Conversation":
            self.child_start = self.parser.CurrentByteIndex

    def _end(self, tag: str) -> None:
        node = self.stack.pop()
        if tag == "Conversation" and self.current is not None:
            self.done.append(self.current)
            self.current = None
            if self.stack:
                self.stack[-1].children.clear()
        elif self.current is not None and self.stack and self.stack[-1].tag == "Conversation":
            end = self.data.index(b">", self.parser.CurrentByteIndex) + 1
            if tag == "RoomID":
                self.current.room = node.text.strip()
            self.current.events.append((node, self.child_start, end))
            self.stack[-1].children.clear()

    def _chars(self, text: str) -> None:
        if self.stack:
            self.stack[-1].text += text


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    data = read_file(path, FORMAT)
    if not isinstance(data, bytes):
        yield data
        return
    reader = _Reader(data)
    position = 0
    try:
        for offset in range(0, max(len(data), 1), _CHUNK):
            reader.parser.Parse(data[offset : offset + _CHUNK], offset + _CHUNK >= len(data))
            for conversation in reader.done:
                yield from _conversation_items(conversation, data, path, zone)
                position = conversation.events[-1][2] if conversation.events else position
            reader.done.clear()
    except expat.ExpatError as exc:
        for conversation in reader.done:
            yield from _conversation_items(conversation, data, path, zone)
            position = conversation.events[-1][2] if conversation.events else position
        start = reader.current.start if reader.current is not None else position
        where = f"line {exc.lineno} column {exc.offset + 1}"
        reason = f"{path}@{start}: not well-formed XML at {where}: {expat.ErrorString(exc.code)}"
        yield Quarantined(data[start:], f"{path}@{start}", FORMAT, reason)


def _person(node: _Node, role: str) -> Participant | None:
    user = node.find("User") or node
    address = user.value("CorporateEmailAddress", "EmailAddress", "CorporateEmailID", "LoginName", "UUID")
    if not address:
        return None
    name = " ".join(p for p in (user.value("FirstName"), user.value("LastName")) if p) or user.value(
        "LoginName"
    )
    return Participant(address.lower() if "@" in address else address, name, role)


def _when(node: _Node, zone: tzinfo | None) -> tuple[datetime, str] | str:
    """The instant and its original-zone text, or the reason it cannot be known."""
    utc_text = node.value("DateTimeUTC")
    local_text = node.value("DateTime")
    local = None
    if local_text:
        try:
            local = datetime.strptime(local_text, "%m/%d/%Y %H:%M:%S")
        except ValueError:
            if not utc_text:
                return f"DateTime: unparseable date {local_text!r}"
    if utc_text:
        try:
            seconds = float(utc_text)
            seconds = seconds / 1000 if seconds > 1e11 else seconds
            instant = datetime.fromtimestamp(seconds, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return f"DateTimeUTC: unparseable epoch {utc_text!r}"
        offset = None
        if local is not None:
            minutes = round((local - instant.replace(tzinfo=None)).total_seconds() / 900) * 15
            offset = timedelta(minutes=minutes) if abs(minutes) < 24 * 60 else None
        return from_epoch(seconds, offset)
    if local is None:
        return "DateTimeUTC: missing"
    if zone is None:
        return f"DateTime: {local_text!r} is local time with no zone and no DateTimeUTC; give the time zone"
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC), aware.isoformat()


def _files(node: _Node) -> list[Attachment]:
    out = []
    candidates = [node] if node.tag in ("Attachment", "FileTransferStarted") else []
    candidates += [c for c in node.children if c.tag == "Attachment"]
    for att in candidates:
        name = att.value("FileName", "Name", "Reference") or "attachment"
        size_text = att.value("FileSize")
        size = int(size_text) if size_text.isdigit() else None
        content = att.value("Content") if att is not node else ""
        ref = Attachment.reference(name, "application/octet-stream", size, att.value("FileID") or None)
        if content:
            data = content.encode("utf-8")
            ref = Attachment.from_bytes(name, "text/plain", data, attachment_text(name, "text/plain", data))
        out.append(ref)
    return out


def _conversation_items(
    conversation: _Conversation, data: bytes, path: Path, zone: tzinfo | None
) -> Iterator[ParsedItem]:
    room = conversation.room or f"conversation@{conversation.start}"
    members: dict[str, Participant] = {}
    for node, _, _ in conversation.events:
        if node.tag in ("ParticipantEntered", "ParticipantLeft") or node.tag in ITEM_TAGS:
            person = _person(node, "member")
            if person is not None:
                members.setdefault(person.address, person)
    wrapper = b"<Conversation><RoomID>" + escape(room).encode("utf-8") + b"</RoomID>"
    for number, (node, start, end) in enumerate(conversation.events, start=1):
        origin = f"{path}:{room}#{number}"
        raw = wrapper + data[start:end] + b"</Conversation>"
        if node.tag in CONTEXT_TAGS:
            continue
        if node.tag not in ITEM_TAGS:
            yield Quarantined(raw, origin, FORMAT, f"{origin}: unrecognised element <{node.tag}>")
            continue
        sender = _person(node, "from")
        if sender is None:
            yield Quarantined(raw, origin, FORMAT, f"{origin}: User: missing sender")
            continue
        when = _when(node, zone)
        if isinstance(when, str):
            yield Quarantined(raw, origin, FORMAT, f"{origin}: {when}")
            continue
        yield Message(
            raw=raw,
            origin=origin,
            format=FORMAT,
            message_id=None,
            thread_id=room,
            sent_at=when[0],
            sent_at_original=when[1],
            sender=sender,
            recipients=tuple(p for a, p in members.items() if a != sender.address),
            subject="",
            body_text=normalise_text(node.value("Content")) if node.tag != "Attachment" else "",
            attachments=tuple(_files(node)),
            kind="system" if node.tag == "SystemMessage" else "chat",
            channel=room,
        )
