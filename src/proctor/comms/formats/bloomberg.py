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
file that stops being well-formed XML, from the start of the conversation it broke in, and an
element outside any conversation (a ``Message`` directly under ``FileDump``, a ``Conversation``
nested in another).

Parsing is linear: text is gathered in parts and joined once per element, nesting deeper than the
depth limit stops the read (the rest is quarantined), and a document type declaring entities is
refused outright (entity expansion is how a few hundred bytes become gigabytes), as defusedxml
refuses them; Bloomberg dumps declare none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape

from proctor.comms.formats._files import empty, read_file
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


class _Refused(Exception):
    """The document does something this reader will not do (declare entities, nest too deep)."""


@dataclass
class _Node:
    tag: str
    parts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

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
    """expat handlers that rebuild each Conversation child as a small tree plus its byte span.

    ``done`` collects, in document order, finished conversations and stray elements (an element
    at the top level that is not a Conversation, with its span) for the caller to yield.
    """

    def __init__(self, data: bytes, max_depth: int) -> None:
        self.data = data
        self.max_depth = max_depth
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._chars
        self.parser.EntityDeclHandler = self._entity
        self.parser.UnparsedEntityDeclHandler = self._entity
        self.parser.ExternalEntityRefHandler = self._external
        self.stack: list[_Node] = []
        self.current: _Conversation | None = None
        self.conversation_depth = 0
        self.child_start = 0
        self.stray_start = 0
        self.done: list[_Conversation | tuple[_Node, int, int]] = []

    def _entity(self, name: str, *rest: object) -> None:
        raise _Refused(f"the document declares entity {name!r}; entity declarations are refused")

    def _external(self, *args: object) -> int:
        raise _Refused("the document refers to an external entity; external entities are refused")

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag)
        if self.stack:
            self.stack[-1].children.append(node)
        self.stack.append(node)
        depth = len(self.stack)
        if depth > self.max_depth:
            raise _Refused(f"elements nest deeper than {self.max_depth} levels")
        at_top = depth == 1 or (depth == 2 and self.stack[0].tag != "Conversation")
        if tag == "Conversation" and at_top and self.current is None:
            self.current = _Conversation(self.parser.CurrentByteIndex)
            self.conversation_depth = depth
        elif self.current is not None and depth == self.conversation_depth + 1:
            self.child_start = self.parser.CurrentByteIndex
        elif self.current is None and depth == 2:
            self.stray_start = self.parser.CurrentByteIndex

    def _end(self, tag: str) -> None:
        node = self.stack.pop()
        depth = len(self.stack) + 1
        if self.current is not None and depth == self.conversation_depth:
            self.done.append(self.current)
            self.current = None
            if self.stack:
                self.stack[-1].children.clear()
        elif self.current is not None and depth == self.conversation_depth + 1:
            end = self.data.index(b">", self.parser.CurrentByteIndex) + 1
            if tag == "RoomID":
                self.current.room = node.text.strip()
            self.current.events.append((node, self.child_start, end))
            self.stack[-1].children.clear()
        elif self.current is None and depth == 2:
            end = self.data.index(b">", self.parser.CurrentByteIndex) + 1
            self.done.append((node, self.stray_start, end))
            self.stack[-1].children.clear()

    def _chars(self, text: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(text)


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    data = read_file(path, FORMAT)
    if not isinstance(data, bytes):
        yield data
        return
    blank = empty(data, str(path), FORMAT)
    if blank is not None:
        yield blank
        return
    reader = _Reader(data, (options or ParseOptions()).limits.max_depth)
    position = 0
    try:
        for offset in range(0, max(len(data), 1), _CHUNK):
            reader.parser.Parse(data[offset : offset + _CHUNK], offset + _CHUNK >= len(data))
            for found in reader.done:
                yield from _found(found, data, path, zone)
                position = _end_of(found, position)
            reader.done.clear()
    except (expat.ExpatError, _Refused) as exc:
        for found in reader.done:
            yield from _found(found, data, path, zone)
            position = _end_of(found, position)
        start = reader.current.start if reader.current is not None else position
        if isinstance(exc, _Refused):
            problem = str(exc)
        else:
            where = f"line {exc.lineno} column {exc.offset + 1}"
            problem = f"not well-formed XML at {where}: {expat.ErrorString(exc.code)}"
        yield Quarantined(data[start:], f"{path}@{start}", FORMAT, f"{path}@{start}: {problem}")


def _end_of(found: _Conversation | tuple[_Node, int, int], position: int) -> int:
    if isinstance(found, tuple):
        return found[2]
    return found.events[-1][2] if found.events else position


def _found(
    found: _Conversation | tuple[_Node, int, int], data: bytes, path: Path, zone: tzinfo | None
) -> Iterator[ParsedItem]:
    if isinstance(found, _Conversation):
        yield from _conversation_items(found, data, path, zone)
        return
    node, start, end = found
    origin = f"{path}@{start}"
    reason = f"{origin}: <{node.tag}> outside any <Conversation>: its room and participants are unknown"
    yield Quarantined(data[start:end], origin, FORMAT, reason)


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
        size = int(size_text) if size_text.isascii() and size_text.isdigit() else None
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
        if node.tag == "Conversation":
            reason = f"{origin}: <Conversation> nested inside conversation {room}; not read as either"
            yield Quarantined(raw, origin, FORMAT, reason)
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
