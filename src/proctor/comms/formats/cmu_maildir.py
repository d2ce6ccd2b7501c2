"""The CMU Enron corpus layout: ``maildir/<mailbox>/<folder>/.../<n>.``, one message per file.

It is not a real Maildir (no ``cur``/``new``/``tmp``), but it is how the best-known public mail
corpus and many e-discovery exports arrive. Every file is an item; the folder path (mailbox and
folder, e.g. ``buy-r/inbox``) becomes the channel so a reviewer sees where a copy was filed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import read_file, walk_files
from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.model import ParsedItem, ParseOptions

FORMAT = "cmu_maildir"
_NUMBERED = re.compile(r"^\d+\.?$")


def looks_like_cmu(path: Path, sample: int = 20) -> bool:
    """A folder whose files are named ``<n>.`` and sit at least one folder below ``path``."""
    seen = 0
    for file in walk_files(path):
        if file.parent == path or not _NUMBERED.match(file.name):
            return False
        seen += 1
        if seen >= sample:
            break
    return seen > 0


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    folder, channel = None, path.name
    for file in walk_files(path):
        if file.parent != folder:  # files come folder by folder: one channel name per folder
            folder = file.parent
            rel = folder.relative_to(path)
            channel = "/".join(rel.parts) if rel.parts else path.name
        data = read_file(file, FORMAT)
        if isinstance(data, bytes):
            yield parse_rfc5322(data, str(file), FORMAT, channel=channel, zone=zone)
        else:
            yield data
