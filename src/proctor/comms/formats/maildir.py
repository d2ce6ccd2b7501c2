"""Maildir and Maildir++ trees: messages in ``cur/``, ``new/`` and ``tmp/`` of each folder.

``tmp/`` is read too. A file there is a delivery in progress or one a crash left behind; if it
later lands in ``new/`` its bytes are identical and the archive stores it once, and if it never
does, capturing it is the only way it is preserved. Bookkeeping files beside the three
directories (``dovecot-uidlist``, ``maildirfolder``, ``subscriptions``) are not messages and are
not items.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import read_file
from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.model import ParsedItem, ParseOptions

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


def _folders(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, _ in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        if any(name in SUBDIRS for name in dirnames):
            yield here
        dirnames[:] = [d for d in dirnames if d not in SUBDIRS]


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    for folder in _folders(path):
        channel = _folder_name(path, folder)
        for sub in SUBDIRS:
            box = folder / sub
            if not box.is_dir():
                continue
            for file in sorted(box.iterdir()):
                if not file.is_file():
                    continue
                data = read_file(file, FORMAT)
                if isinstance(data, bytes):
                    yield parse_rfc5322(data, str(file), FORMAT, channel=channel, zone=zone)
                else:
                    yield data
