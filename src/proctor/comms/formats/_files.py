"""Walking export folders in a stable order, and reading files without ever losing one.

A file that cannot be read (permissions, vanished mid-walk) is still an item the import saw, so
it comes back as a quarantined item with empty bytes and the operating-system error as reason.
So does anything that is not a regular file (a FIFO would block the import for ever). Symbolic
links to folders are followed, once each, so a folder linked into an export is read rather than
skipped, and a link loop cannot walk for ever.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from proctor.comms.model import ParsedItem, Quarantined


def walk_files(root: Path) -> Iterator[Path]:
    """Every file under ``root``, depth first, names sorted, so reruns see one order."""
    seen: set[str] = {os.path.realpath(root)}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        kept = []
        for name in sorted(dirnames):
            real = os.path.realpath(os.path.join(dirpath, name))
            if real not in seen:
                seen.add(real)
                kept.append(name)
        dirnames[:] = kept
        base = Path(dirpath)
        for name in sorted(filenames):
            yield base / name


def read_file(path: Path, fmt: str) -> bytes | Quarantined:
    """The file's bytes, or a quarantined item naming the file and the error."""
    try:
        # Opened without blocking, so a FIFO is seen for what it is instead of waited on for ever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb", buffering=0) as handle:  # one read to the end: no buffer in between
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return Quarantined(
                    b"", str(path), fmt, f"{path}: not a regular file; nothing was read from it"
                )
            return handle.readall()
    except OSError as exc:
        return Quarantined(b"", str(path), fmt, f"{path}: cannot read file: {exc.strerror or exc}")


def empty(data: bytes, origin: str, fmt: str) -> Quarantined | None:
    """A quarantined item for an export file that holds nothing but blanks, else None.

    An empty export is how a broken extraction looks, so it is reported, never read as zero.
    """
    if data.removeprefix(b"\xef\xbb\xbf").strip():  # any byte but a BOM and ASCII blanks
        return None
    return Quarantined(data, origin, fmt, f"{origin}: empty file: the export holds no messages")


_SHIELDED = (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError)


def shielded(raw: bytes, origin: str, fmt: str, convert: Callable[..., ParsedItem], *args: Any) -> ParsedItem:
    """``convert(*args)`` for one item; an export shaped as no rule foresaw quarantines the item.

    JSON exports put any type anywhere (a list where an object was expected, a number for a
    name); the format modules check what they rely on, and this is the net under those checks
    so that one odd item can never abort an import and lose the items after it.
    """
    try:
        return convert(*args)
    except _SHIELDED as exc:
        return Quarantined(raw, origin, fmt, f"{origin}: unexpected structure: {type(exc).__name__}: {exc}")
