"""Case and accent folding, and the offset maps that lead a hit back to the original text.

A principal must see the hit highlighted exactly where it sits in the message as sent, even
though the lexicon matched a folded, trimmed copy ("GARANTÍE" matched as "garantie", a quoted
reply removed). Every transformation therefore returns an :class:`OffsetMap` from the derived
text to the text it came from, and hits travel back through the maps in reverse order.

Folding is defined one character at a time so a term and a message fold identically:
NFKD, Unicode case folding, NFKD again, then combining marks dropped. ASCII text folds to its
lower-case self with offsets unchanged, which is the fast path for most business mail.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_FOLD_CACHE: dict[str, str] = {}


def fold_char(char: str) -> str:
    """The folded form of one character (may be empty, e.g. a lone combining accent)."""
    cached = _FOLD_CACHE.get(char)
    if cached is not None:
        return cached
    if char.isascii():
        folded = char.lower()
    elif unicodedata.category(char) == "Cs":
        folded = "\ufffd"  # a lone surrogate cannot be encoded; keep one placeholder character
    else:
        step = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
        folded = "".join(c for c in step if unicodedata.category(c) != "Mn")
    if len(_FOLD_CACHE) < 65536:
        _FOLD_CACHE[char] = folded
    return folded


def fold_text(text: str) -> str:
    """Fold a whole string (used for lexicon terms and exclusion texts)."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(c) for c in text)


def is_word_char(char: str) -> bool:
    """A letter, digit or underscore in any script: the same notion of "word" as `re`'s ``\\w``."""
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise map from positions in a derived text to positions in its source text.

    Segment ``k`` covers derived ``[dst[k], dst[k] + dst_len[k])`` and came from source
    ``[src[k], src[k] + src_len[k])``. Equal lengths mean character-for-character (linear);
    otherwise the whole derived segment stands for the whole source segment (an expanded ligature,
    or an excluded block replaced by one line break).
    """

    dst: tuple[int, ...]
    src: tuple[int, ...]
    dst_len: tuple[int, ...]
    src_len: tuple[int, ...]

    def _segment(self, pos: int) -> int:
        return bisect_right(self.dst, pos) - 1  # the first segment always starts at 0

    def start(self, pos: int) -> int:
        """Source position of the derived character at ``pos``."""
        k = self._segment(pos)
        if self.dst_len[k] == self.src_len[k]:
            return self.src[k] + (pos - self.dst[k])
        return self.src[k]

    def end(self, pos: int) -> int:
        """Source position just after the derived character at ``pos - 1`` (an exclusive end)."""
        k = self._segment(pos - 1)
        if self.dst_len[k] == self.src_len[k]:
            return self.src[k] + (pos - self.dst[k])
        return self.src[k] + self.src_len[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)

    def forward_many(self, positions: list[int]) -> list[int]:
        """:meth:`forward` for ascending positions, in one walk over the segments."""
        out: list[int] = []
        k, last = 0, len(self.src) - 1
        for pos in positions:
            while k < last and self.src[k + 1] <= pos:
                k += 1
            if self.dst_len[k] == self.src_len[k]:
                out.append(self.dst[k] + (pos - self.src[k]))
            else:
                out.append(self.dst[k])
        return out


class _MapBuilder:
    """Accumulates segments, merging adjacent linear ones so maps of mostly-ASCII text stay tiny."""

    def __init__(self) -> None:
        self.dst: list[int] = []
        self.src: list[int] = []
        self.dst_len: list[int] = []
        self.src_len: list[int] = []

    def add(self, dst: int, src: int, dst_len: int, src_len: int) -> None:
        if dst_len == 0:
            return
        if (
            self.dst
            and dst_len == src_len
            and self.dst_len[-1] == self.src_len[-1]
            and self.dst[-1] + self.dst_len[-1] == dst
            and self.src[-1] + self.src_len[-1] == src
        ):
            self.dst_len[-1] += dst_len
            self.src_len[-1] += src_len
            return
        self.dst.append(dst)
        self.src.append(src)
        self.dst_len.append(dst_len)
        self.src_len.append(src_len)

    def build(self) -> OffsetMap:
        if not self.dst:
            return OffsetMap((0,), (0,), (0,), (0,))
        return OffsetMap(tuple(self.dst), tuple(self.src), tuple(self.dst_len), tuple(self.src_len))


def fold_with_map(text: str) -> tuple[str, OffsetMap | None]:
    """Fold ``text``; the map is None when offsets are unchanged.

    ASCII text is returned as is (the scanners match ASCII case-insensitively), so the common
    case costs one ``isascii`` check and no copy.
    """
    if text.isascii():
        return text, None
    parts: list[str] = []
    builder = _MapBuilder()
    out = 0
    pos = 0
    for run in _NON_ASCII_RUN.finditer(text):
        if run.start() > pos:
            chunk = text[pos : run.start()].lower()
            parts.append(chunk)
            builder.add(out, pos, len(chunk), len(chunk))
            out += len(chunk)
        for i in range(run.start(), run.end()):
            folded = fold_char(text[i])
            parts.append(folded)
            builder.add(out, i, len(folded), 1)
            out += len(folded)
        pos = run.end()
    if pos < len(text):
        chunk = text[pos:].lower()
        parts.append(chunk)
        builder.add(out, pos, len(chunk), len(chunk))
    return "".join(parts), builder.build()


def extend_over_marks(text: str, end: int) -> int:
    """Move an end offset past combining marks, so a highlight never cuts "í" written as i + ´."""
    while end < len(text) and unicodedata.category(text[end]) == "Mn":
        end += 1
    return end


def strip_spans(text: str, spans: list[tuple[int, int]], filler: str = "\n") -> tuple[str, OffsetMap | None]:
    """Remove merged, sorted ``spans`` from ``text``, leaving one ``filler`` per span.

    The filler keeps the words either side of a removed block from running together.
    """
    if not spans:
        return text, None
    parts: list[str] = []
    builder = _MapBuilder()
    out = 0
    pos = 0
    for start, end in spans:
        if start > pos:
            parts.append(text[pos:start])
            builder.add(out, pos, start - pos, start - pos)
            out += start - pos
        parts.append(filler)
        builder.add(out, start, len(filler), end - start)
        out += len(filler)
        pos = end
    if pos < len(text):
        parts.append(text[pos:])
        builder.add(out, pos, len(text) - pos, len(text) - pos)
    return "".join(parts), builder.build()


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping spans."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
