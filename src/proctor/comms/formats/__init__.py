"""The importers, one module per export format, and the choice between them.

Every format module exposes ``iter_items(path, options=None)`` yielding one
:class:`~proctor.comms.model.Message` or :class:`~proctor.comms.model.Quarantined` per item it
reads, and a :class:`~proctor.comms.model.Listed` entry for each part of the export that is not a
message (so every byte is accounted for). They are pure (no database, no network) so the archive
can run them in worker processes and so a test can feed them a literal sample.

:func:`iter_items` puts a net under every reader: an attachment over the size limit quarantines
its message, and a reader that fails outside any item (a fault no rule foresaw) ends the file
with one quarantined item that keeps the file's bytes and names the fault, so an import always
completes and nothing it could not read goes unlisted.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from proctor.comms.formats import (
    bloomberg,
    cmu_maildir,
    eml,
    generic_csv,
    generic_jsonl,
    maildir,
    mbox,
    msg,
    pst,
    slack,
    teams,
    whatsapp,
    zendesk,
)
from proctor.comms.formats._files import walk_files
from proctor.comms.formats._mime import looks_like_rfc5322
from proctor.comms.model import CommsError, Listed, Message, ParsedItem, ParseOptions, Quarantined

Reader = Callable[[Path, ParseOptions | None], Iterator[ParsedItem]]

FORMATS: dict[str, Reader] = {
    eml.FORMAT: eml.iter_items,
    mbox.FORMAT: mbox.iter_items,
    maildir.FORMAT: maildir.iter_items,
    cmu_maildir.FORMAT: cmu_maildir.iter_items,
    msg.FORMAT: msg.iter_items,
    pst.FORMAT: pst.iter_items,
    slack.FORMAT: slack.iter_items,
    teams.FORMAT: teams.iter_items,
    bloomberg.FORMAT: bloomberg.iter_items,
    zendesk.FORMAT: zendesk.iter_items,
    whatsapp.FORMAT: whatsapp.iter_items,
    generic_jsonl.FORMAT: generic_jsonl.iter_items,
    generic_csv.FORMAT: generic_csv.iter_items,
}

_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
_HEAD = 64 * 1024


def _detect_dir(path: Path) -> str:
    if (path / "channels.json").is_file() or (path / "users.json").is_file():
        return slack.FORMAT
    if maildir.is_maildir(path) or any(
        maildir.is_maildir(p) for p in islice(path.iterdir(), 200) if p.is_dir()
    ):
        return maildir.FORMAT
    if cmu_maildir.looks_like_cmu(path):
        return cmu_maildir.FORMAT
    sample = list(islice(walk_files(path), 50))
    if sample and all(f.suffix.lower() == ".msg" for f in sample):
        return msg.FORMAT
    if sample and all(f.suffix.lower() == ".json" for f in sample):
        return teams.FORMAT
    return eml.FORMAT


def _detect_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise CommsError(f"{path}: damaged zip archive ({exc}); pass --format to import it anyway") from exc
    if any(n.rsplit("/", 1)[-1] in ("channels.json", "users.json") for n in names):
        return slack.FORMAT
    if any(n.lower().endswith(".txt") for n in names):
        return whatsapp.FORMAT
    raise CommsError(f"{path}: a zip that is neither a Slack export nor a WhatsApp chat export")


def _detect_text(path: Path, head: bytes) -> str | None:
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines()[:5] if line.strip()]
    if lines and (whatsapp.IOS_LINE.match(lines[0]) or whatsapp.ANDROID_LINE.match(lines[0])):
        return whatsapp.FORMAT
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return bloomberg.FORMAT if ("<Conversation" in text or "<FileDump" in text) else None
    if stripped.startswith(("{", "[")):
        if any(k in text for k in ('"createdDateTime"', '"@odata', '"chatId"', '"channelIdentity"')):
            return teams.FORMAT
        if '"comments"' in text and ('"requester_id"' in text or '"via"' in text):
            return zendesk.FORMAT
        if '"sent_at"' in text and '"from"' in text:
            return generic_jsonl.FORMAT
        return None
    header = lines[0].lower().replace('"', "").replace(" ", "").split(",") if lines else []
    if path.suffix.lower() == ".csv" or ("sent_at" in header and "from" in header):
        return generic_csv.FORMAT
    return None


def detect_format(path: Path) -> str:
    """The format name for ``--format auto``; raises CommsError when it cannot be told."""
    if not path.exists():
        raise CommsError(f"{path}: no such file or folder")
    if path.is_dir():
        return _detect_dir(path)
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(path)
    if head.startswith(_OLE):
        return msg.FORMAT
    if head.startswith(b"!BDN"):
        return pst.FORMAT
    if head.startswith(b"From "):
        return mbox.FORMAT
    found = _detect_text(path, head)
    if found is not None:
        return found
    if looks_like_rfc5322(head):
        return eml.FORMAT
    raise CommsError(f"{path}: cannot tell the export format; pass one of: {', '.join(FORMATS)}")


def iter_items(
    path: Path, format: str = "auto", options: ParseOptions | None = None, *, listed: bool = False
) -> Iterator[ParsedItem]:
    """Every item in ``path`` as a Message or a Quarantined item, in the export's own order.

    With ``listed`` the parts that are not messages come too, as Listed entries, in their place.
    """
    name = detect_format(path) if format == "auto" else format
    reader = FORMATS.get(name)
    if reader is None:
        raise CommsError(f"unknown format {name!r}; expected auto or one of: {', '.join(FORMATS)}")
    if not path.exists():
        raise CommsError(f"{path}: no such file or folder")
    items = guarded(path, name, reader, options or ParseOptions())
    return items if listed else (item for item in items if not isinstance(item, Listed))


def _unstorable(value: str | None) -> str | None:
    """Why a text field cannot be stored as text (undecodable bytes, NUL), or None."""
    if not value:
        return None
    if not value.isascii():  # ASCII text always encodes; only the rest can hold a lone surrogate
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "holds bytes that are not valid text in the export's encoding"
    return "holds a NUL character" if "\x00" in value else None


def _fault(msg: Message, limit: int) -> str | None:
    """What makes a parsed message unfit to store as it stands, or None.

    Fields are checked one by one, in order, and the first unfit one is named; nearly every
    message passes, so nothing is built for a field unless it fails.
    """
    for att in msg.attachments:
        if att.data is not None and (att.size or 0) > limit:
            return f"attachment {att.name!r} is {att.size:,} bytes, over the {limit:,}-byte attachment limit"
    for att in msg.attachments:
        if att.url is not None and not isinstance(att.url, str):
            return f"attachment {att.name!r}: link is not text ({type(att.url).__name__})"
    fields: tuple[tuple[str, str | None], ...] = (
        ("sender", msg.sender.address),
        ("sender name", msg.sender.name),
        ("subject", msg.subject),
        ("body", msg.body_text),
        ("message id", msg.message_id),
        ("thread id", msg.thread_id),
        ("channel", msg.channel),
        ("edited from", msg.edited_from),
        ("kind", msg.kind),
        ("sent at", msg.sent_at_original),
    )
    for field, value in fields:
        found = _unstorable(value)
        if found is not None:
            return f"{field}: {found}"
    for p in msg.recipients:
        found = _unstorable(p.address + "\n" + p.name)
        if found is not None:
            return f"{p.role} {p.address!r}: {found}"
    for att in msg.attachments:
        found = _unstorable(f"{att.name}\n{att.content_type}\n{att.url or ''}\n{att.extracted_text}")
        if found is not None:
            return f"attachment {att.name!r}: {found}"
    return None


def guarded(path: Path, fmt: str, reader: Reader, options: ParseOptions) -> Iterator[ParsedItem]:
    """``reader``'s items with the limits every format shares applied, and a net for its faults."""
    limit = options.limits.max_attachment_bytes
    count = 0
    try:
        for item in reader(path, options):
            count += 1
            if isinstance(item, Message):
                fault = _fault(item, limit)
                if fault is not None:
                    item = Quarantined(item.raw, item.origin, item.format, f"{item.origin}: {fault}")
            yield item
    except Exception as exc:  # the net: never let one export's shape abort the import
        kept = b""
        if path.is_file():
            try:
                kept = path.read_bytes() if path.stat().st_size <= options.limits.max_member_bytes else b""
            except OSError:
                kept = b""
        origin = f"{path}#after {count}"
        reason = (
            f"{origin}: importer fault after {count} item(s): {type(exc).__name__}: {exc}; "
            "the rest of this export was not read (its bytes are kept here)"
        )
        yield Quarantined(kept, origin, fmt, reason[:2000])
