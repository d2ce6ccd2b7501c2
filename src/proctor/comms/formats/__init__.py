"""The importers, one module per export format, and the choice between them.

Every format module exposes ``iter_items(path, options=None)`` yielding one
:class:`~proctor.comms.model.Message` or :class:`~proctor.comms.model.Quarantined` per item it
reads. They are pure (no database, no network) so the archive can run them in worker processes
and so a test can feed them a literal sample.
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
from proctor.comms.model import CommsError, ParsedItem, ParseOptions

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


def iter_items(path: Path, format: str = "auto", options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    """Every item in ``path`` as a Message or a Quarantined item, in the export's own order."""
    name = detect_format(path) if format == "auto" else format
    reader = FORMATS.get(name)
    if reader is None:
        raise CommsError(f"unknown format {name!r}; expected auto or one of: {', '.join(FORMATS)}")
    if not path.exists():
        raise CommsError(f"{path}: no such file or folder")
    return reader(path, options)
