"""Walking export folders in a stable order, and reading files without ever losing one.

A file that cannot be read (permissions, vanished mid-walk) is still an item the import saw, so
it comes back as a quarantined item with empty bytes and the operating-system error as reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from proctor.comms.model import ParsedItem, Quarantined


def walk_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root``, depth first, names sorted, so reruns see one order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            yield base / name


def read_file(path: Path, fmt: str) -> bytes | Quarantined:
    """The file's bytes, or a quarantined item naming the file and the error."""
    try:
        return path.read_bytes()
    except OSError as exc:
        return Quarantined(b"", str(path), fmt, f"{path}: cannot read file: {exc.strerror or exc}")


def shielded(raw: bytes, origin: str, fmt: str, convert: Callable[..., ParsedItem], *args: Any) -> ParsedItem:
    """``convert(*args)`` for one item; an export shaped as no rule foresaw quarantines the item.

    JSON exports put any type anywhere (a list where an object was expected, a number for a
    name); the format modules check what they rely on, and this is the net under those checks
    so that one odd item can never abort an import and lose the items after it.
    """
    try:
        return convert(*args)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
        return Quarantined(raw, origin, fmt, f"{origin}: unexpected structure: {type(exc).__name__}: {exc}")
