"""Maildir and Maildir++ trees: messages in ``cur/``, ``new/`` and ``tmp/`` of each folder.

``tmp/`` is read too. A file there is a delivery in progress or one a crash left behind; if it
later lands in ``new/`` its bytes are identical and the archive stores it once, and if it never
does, capturing it is the only way it is preserved. Bookkeeping files beside the three
directories (``dovecot-uidlist``, ``maildirfolder``, ``subscriptions``) are not messages: they
are listed as such, with their size, so every file of the export is accounted for. A file in a
folder below ``cur/``, ``new/`` or ``tmp/`` (put there by a migration tool) is read as a message
of that folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import read_file, walk_files
from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.model import ParsedItem, ParseOptions, Quarantined, listed

FORMAT = "maildir"
SUBDIRS = ("cur", "new", "tmp")


def is_maildir(path: Path) -> bool:
    return path.is_dir() and any((path / sub).is_dir() for sub in SUBDIRS)


def _folder_name(root: Path, folder: Path) -> str:
    """``INBOX`` for the root; Maildir++ ``.Sent.2024`` becomes ``Sent/2024``."""
    rel = folder.relative_to(root)
    if not rel.parts:
        return "INBOX"
    return "/".join(part.lstrip(".").replace(".", "/") for part in rel.parts)


def _folders(root: Path) -> Iterator[tuple[Path, list[Path]]]:
    """Each folder under ``root`` with the files beside its cur/new/tmp (or in it, if it has none)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        yield here, [here / name for name in sorted(filenames)]
        dirnames[:] = [d for d in dirnames if d not in SUBDIRS]


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    for folder, beside in _folders(path):
        channel = _folder_name(path, folder)
        mailbox = is_maildir(folder)
        for file in beside:
            data = read_file(file, FORMAT)
            if not isinstance(data, bytes):
                yield data
            elif mailbox:
                yield listed(data, str(file), FORMAT, "Maildir bookkeeping file beside cur/new/tmp")
            else:
                reason = f"{file}: file in a folder without cur/new/tmp; not read as a message"
                yield Quarantined(data, str(file), FORMAT, reason)
        for sub in SUBDIRS:
            box = folder / sub
            if not box.is_dir():
                continue
            for file in walk_files(box):
                data = read_file(file, FORMAT)
                if isinstance(data, bytes):
                    yield parse_rfc5322(data, str(file), FORMAT, channel=channel, zone=zone)
                else:
                    yield data
