"""RFC 5322 message files (``.eml``): one file, or a folder of them at any depth.

Every file in the folder is an item, whatever its name: a stray non-message file is
quarantined (and so listed in the import report) rather than skipped, because a skipped file
is exactly how a message goes missing without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from proctor.comms.formats._files import read_file, walk_files
from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.model import ParsedItem, ParseOptions

FORMAT = "eml"


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    zone = (options or ParseOptions()).zone()
    files = walk_files(path) if path.is_dir() else iter((path,))
    for file in files:
        data = read_file(file, FORMAT)
        if isinstance(data, bytes):
            yield parse_rfc5322(data, str(file), FORMAT, zone=zone)
        else:
            yield data
