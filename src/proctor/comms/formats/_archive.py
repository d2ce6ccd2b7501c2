"""A zip export or the folder it was unpacked into, read the same way.

Users unzip exports before handing them over as often as not; the importer should not care.
Reading a damaged member raises :class:`MemberError` so the caller can quarantine that member
and carry on with the rest.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from proctor.comms.formats._files import walk_files


class MemberError(Exception):
    """One member of the export could not be read (bad CRC, truncated, unreadable file)."""


class Archive:
    """Member names use ``/`` and are relative to the export root, as in the zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            self._names = sorted(p.relative_to(path).as_posix() for p in walk_files(path))
        else:
            self._zip = zipfile.ZipFile(path)
            self._names = sorted(n for n in self._zip.namelist() if not n.endswith("/"))

    def names(self) -> list[str]:
        return self._names

    def read(self, name: str) -> bytes:
        try:
            if self._zip is not None:
                return self._zip.read(name)
            return (self.path / name).read_bytes()
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
            raise MemberError(f"cannot read member: {exc}") from exc

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
