"""What an importer hands to the archive: a captured message, or an item it could not read.

The original bytes are the record (SEA 17a-4 asks for the communication as sent or received), so
every item carries them untouched; the other fields are a normalised *view* for search and
review that can always be rebuilt from those bytes. An item that cannot be understood is still
preserved: it becomes a :class:`Quarantined` item with its bytes and a reason, so the count of
items read always equals messages plus quarantined items and nothing disappears unnoticed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from proctor.core.errors import ProctorError


class CommsError(ProctorError):
    """A communications import the user must fix: unknown format, unreadable path, bad option."""


#: Participant roles. ``member`` is a chat room or channel member who received the message by
#: being present; ``mention`` is someone named in a chat message (Teams) without being a recipient.
ROLES = ("from", "to", "cc", "bcc", "member", "mention")

Direction = Literal["internal", "external", "unknown"]


@dataclass(frozen=True, slots=True)
class Participant:
    """One party to a communication: an e-mail address or a platform handle, as the source gave it."""

    address: str
    name: str = ""
    role: str = "from"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown participant role {self.role!r}; expected one of {ROLES}")

    @property
    def domain(self) -> str | None:
        """The e-mail domain, or None for a handle (Slack id, Bloomberg login) that has none."""
        at = self.address.rfind("@")
        if at < 0 or at == len(self.address) - 1:
            return None
        return self.address[at + 1 :].lower().rstrip(">").strip()


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that travelled with a message.

    ``data`` is None when the export only *references* the file (Slack, Teams and Zendesk exports
    carry links, not bytes); then ``size`` is what the source declared and ``sha256`` is None, so
    a missing file is visibly missing rather than an empty one.
    """

    name: str
    content_type: str
    size: int | None
    sha256: str | None
    data: bytes | None = field(default=None, repr=False)
    extracted_text: str = ""
    url: str | None = None

    @classmethod
    def from_bytes(cls, name: str, content_type: str, data: bytes, extracted_text: str = "") -> Attachment:
        """An attachment whose bytes the export contains."""
        return cls(
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            extracted_text=extracted_text,
        )

    @classmethod
    def reference(
        cls, name: str, content_type: str, size: int | None = None, url: str | None = None
    ) -> Attachment:
        """An attachment the export names but does not contain."""
        return cls(name=name, content_type=content_type, size=size, sha256=None, data=None, url=url)


@dataclass(frozen=True, slots=True)
class Message:
    """One captured communication: its original bytes plus the normalised view of them.

    ``sent_at`` is normalised to UTC so messages from every source sort together;
    ``sent_at_original`` keeps the same instant in the zone the source wrote it in (ISO 8601 with
    its offset), because "09:30 New York" is what a reviewer reads in the message itself.
    """

    raw: bytes = field(repr=False)
    origin: str
    format: str
    message_id: str | None
    thread_id: str | None
    sent_at: datetime
    sent_at_original: str
    sender: Participant
    recipients: tuple[Participant, ...]
    subject: str
    body_text: str
    attachments: tuple[Attachment, ...] = ()
    kind: str = "email"
    edited_from: str | None = None
    deleted: bool = False
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError(f"{self.origin}: sent_at must be timezone-aware")

    @property
    def content_sha256(self) -> str:
        """The record's identity: SHA-256 of the original bytes (never the Message-ID)."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def participants(self) -> tuple[Participant, ...]:
        return (self.sender, *self.recipients)

    def direction(self, firm_domains: Iterable[str]) -> Direction:
        return direction(self.participants, firm_domains)

    def to_index_row(self, firm_domains: Iterable[str] = ()) -> dict[str, Any]:
        """The normalised fields search and review need, as plain JSON-able values."""
        return {
            "content_sha256": self.content_sha256,
            "size": len(self.raw),
            "origin": self.origin,
            "format": self.format,
            "kind": self.kind,
            "message_id": self.message_id,
            "thread_id": self.thread_id,
            "sent_at": self.sent_at.astimezone(UTC).isoformat(),
            "sent_at_original": self.sent_at_original,
            "sender_address": self.sender.address,
            "sender_name": self.sender.name,
            "participants": [f"{p.role}:{p.address}" for p in self.participants],
            "participant_names": [p.name for p in self.participants if p.name],
            "direction": self.direction(firm_domains),
            "subject": self.subject,
            "body_text": self.body_text,
            "has_attachments": bool(self.attachments),
            "attachment_names": [a.name for a in self.attachments],
            "attachment_text": "\n".join(a.extracted_text for a in self.attachments if a.extracted_text),
            "channel": self.channel,
            "edited_from": self.edited_from,
            "deleted": self.deleted,
        }


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An item read from an export that could not be understood, kept byte for byte.

    ``reason`` names the file, the item within it and the field at fault, so an operator can
    find the item in the original export and fix or explain it.
    """

    raw: bytes = field(repr=False)
    origin: str
    format: str
    reason: str

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True, slots=True)
class Listed:
    """A part of an export that is not a message and holds none: read, accounted for, listed.

    Slack's ``users.json`` (who each user is), a Maildir's ``dovecot-uidlist``: the import reads
    them, and so that every byte of an export is accounted for (stored, quarantined or listed)
    the report names each one with its size and hash. Their bytes are not kept as records.
    """

    origin: str
    format: str
    reason: str
    size: int
    sha256: str


ParsedItem = Message | Quarantined | Listed


def listed(data: bytes, origin: str, fmt: str, reason: str) -> Listed:
    return Listed(origin, fmt, reason, len(data), hashlib.sha256(data).hexdigest())


@dataclass(frozen=True, slots=True)
class Limits:
    """How large and how deep an export may be before an item is quarantined instead of read.

    A hostile or broken export must not take the importer down with it: a 1 MB zip that expands
    to gigabytes, JSON nested a hundred thousand deep, a single line of a gigabyte. Each limit
    quarantines the one item (or zip member) that exceeds it, with a reason naming the limit, so
    the rest of the export imports; raise a limit (``ParseOptions.limits``) to read it anyway.
    """

    max_member_bytes: int = 1 << 30  # one zip member, uncompressed
    max_ratio: float = 200.0  # uncompressed over compressed size of one zip member
    max_depth: int = 64  # nesting of JSON values, XML elements, MIME parts
    max_line_bytes: int = 16 << 20  # one line of a line-based export (WhatsApp, CSV, JSON Lines)
    max_attachment_bytes: int = 256 << 20  # one attachment's bytes


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Choices the export itself cannot tell us.

    ``timezone`` is the IANA zone for formats that write local wall-clock time without an offset
    (WhatsApp, Bloomberg ``DateTime`` without ``DateTimeUTC``, generic rows without offset). There
    is deliberately no default: guessing UTC would silently shift every message, so without it
    such items are quarantined with a reason that says to give the zone.
    ``day_first`` settles dd/mm against mm/dd in WhatsApp exports; None means decide from the
    file (any first field over 12 means day first) and fall back to day first.
    ``mbox_variant`` picks how ``>From `` lines are unescaped: ``mboxrd`` removes one ``>`` from
    any run of ``>`` before ``From ``; ``mboxo`` only from a single ``>``.
    ``limits`` bounds what one item may be (see :class:`Limits`).
    """

    timezone: str | None = None
    day_first: bool | None = None
    mbox_variant: Literal["mboxrd", "mboxo"] = "mboxrd"
    limits: Limits = field(default_factory=Limits)

    def zone(self) -> tzinfo | None:
        if self.timezone is None:
            return None
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommsError(f"unknown time zone {self.timezone!r}") from exc


def _domain_matches(domain: str, firm: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in firm)


def direction(participants: Iterable[Participant], firm_domains: Iterable[str]) -> Direction:
    """Internal when every party is on a firm domain, external when any party is known not to be.

    A party with no domain (a chat handle, an Exchange X.500 name) cannot be placed, so a message
    with such parties and no known outsider is ``unknown``; review treats unknown like external
    rather than assuming the firm.
    """
    firm = tuple(d.lower().lstrip("@").strip() for d in firm_domains if d.strip())
    unknown = False
    for p in participants:
        domain = p.domain
        if domain is None or not firm:
            unknown = True
        elif not _domain_matches(domain, firm):
            return "external"
    return "unknown" if unknown else "internal"
