"""A zip export or the folder it was unpacked into, read the same way.

Users unzip exports before handing them over as often as not; the importer should not care.
Reading a damaged member raises :class:`MemberError` so the caller can quarantine that member
and carry on with the rest. So does a member larger, or compressed far better, than the limits
allow: a 1 MB zip that expands to gigabytes is refused before it is inflated, not after.

A zip may hold two members with the same name; each is its own entry (read by position), so the
second cannot hide the first.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from proctor.comms.formats._files import walk_files
from proctor.comms.model import Limits

_RATIO_FLOOR = 1 << 20  # members under this size are never refused for their ratio


class MemberError(Exception):
    """One member of the export could not be read (bad CRC, truncated, over a limit)."""


class Archive:
    """Member names use ``/`` and are relative to the export root, as in the zip."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = path
        self.limits = limits or Limits()
        self._zip: zipfile.ZipFile | None = None
        self._infos: list[zipfile.ZipInfo] = []
        if path.is_dir():
            self._names = sorted(p.relative_to(path).as_posix() for p in walk_files(path))
        else:
            self._zip = zipfile.ZipFile(path)
            self._infos = sorted(
                (i for i in self._zip.infolist() if not i.filename.endswith("/")), key=lambda i: i.filename
            )
            self._names = [i.filename for i in self._infos]
        seen: dict[str, int] = {}
        self._copies: list[int] = []
        self._first: dict[str, int] = {}
        for index, name in enumerate(self._names):
            seen[name] = seen.get(name, 0) + 1
            self._copies.append(seen[name])
            self._first.setdefault(name, index)

    def names(self) -> list[str]:
        """Every member, in name order; a name the zip holds twice is listed twice."""
        return self._names

    def copy(self, index: int) -> int:
        """1 for the first member of its name, 2 for the second of the same name, and so on."""
        return self._copies[index]

    def read(self, name: str) -> bytes:
        """The first member called ``name``."""
        if name not in self._first:
            raise MemberError(f"cannot read member: no member {name!r}")
        return self.read_at(self._first[name])

    def read_at(self, index: int) -> bytes:
        try:
            if self._zip is not None:
                info = self._infos[index]
                self._check(info)
                return self._zip.read(info)
            file = self.path / self._names[index]
            size = file.stat().st_size
            if size > self.limits.max_member_bytes:
                limit = self.limits.max_member_bytes
                raise MemberError(f"file is {size:,} bytes, over the {limit:,}-byte limit")
            return file.read_bytes()
        except (
            OSError,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            KeyError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ) as exc:  # RuntimeError: an encrypted member
            raise MemberError(f"cannot read member: {exc}") from exc

    def _check(self, info: zipfile.ZipInfo) -> None:
        limit = self.limits.max_member_bytes
        if info.file_size > limit:
            raise MemberError(f"member expands to {info.file_size:,} bytes, over the {limit:,}-byte limit")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > self.limits.max_ratio:
            raise MemberError(
                f"member expands {ratio:,.0f} times ({info.compress_size:,} to {info.file_size:,} bytes), "
                f"over the compression-ratio limit of {self.limits.max_ratio:,.0f}"
            )

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
