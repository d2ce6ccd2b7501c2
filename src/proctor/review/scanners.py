"""Multi-pattern scanners: Hyperscan, and Aho-Corasick where Hyperscan is unavailable.

Both report *candidates* — (pattern id, start, end) character offsets — for the same pattern
list, and the engine applies one set of boundary rules to either, so a firm gets the same hits
whichever library its platform supports. Hyperscan is used for speed (one pass over the text for
thousands of terms); pyahocorasick finds each term's first word and `re` confirms the rest.

Patterns are either lexicon-style terms (folded words, flexible whitespace between them) or
line-anchored regular expressions used for exclusions (quoted reply lines, signature delimiters).
"""

from __future__ import annotations

import importlib
import re
import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

from proctor.review.errors import ReviewError
from proctor.review.terms import PHRASE_SPACE, Term


def _load_hyperscan() -> Any:
    """The hyperscan module, or None where it cannot be imported (no wheel for the platform)."""
    try:
        return importlib.import_module("hyperscan")
    except ImportError:  # pragma: no cover - depends on the platform
        return None


_hs: Any = _load_hyperscan()

_HS_SPACE = rb"[\t\n\x0b\x0c\r ]+"
_RE_SPACE = "[" + re.escape(PHRASE_SPACE) + "]+"
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")
#: Phrase gaps of this many whitespace characters or more are confirmed whatever follows them.
_TRIGGER_GAP = 5

Candidate = tuple[int, int, int]


def _is_ascii_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _scan_table() -> bytes:
    """Byte translation for :func:`_scan_bytes` (bytes from 0x80 up, UTF-8 parts, are kept)."""
    table = bytearray(range(256))
    for byte in range(128):
        char = chr(byte).lower()
        if char in PHRASE_SPACE:
            table[byte] = 0x20
        elif _is_ascii_word(char):
            table[byte] = ord(char)
        else:
            table[byte] = 0x01
    return bytes(table)


_SCAN_TABLE = _scan_table()


@dataclass(frozen=True)
class Pattern:
    """One thing to find: a term, or a multi-line regular expression (exclusions only)."""

    id: int
    term: Term | None = None
    regex: str | None = None


def hyperscan_available() -> bool:
    return _hs is not None


def _hs_words(words: Sequence[str], sep: bytes) -> bytes:
    return sep.join(b"".join(_hs_escape(c) for c in word) for word in words)


def _hs_escape(char: str) -> bytes:
    if _is_ascii_word(char):
        return char.encode()
    if char.isascii():
        return b"\\x%02x" % ord(char)
    return char.encode("utf-8")


def _re_term(term: Term, flags: int = 0, right_edge: bool = False) -> re.Pattern[str]:
    body = _RE_SPACE.join(re.escape(w) for w in term.words)
    edge = r"(?!\w)" if right_edge and term.needs_right_boundary else ""
    return re.compile(body + edge, flags)


def _scan_bytes(text: str) -> bytes:
    """The byte form the lexicon database scans: one byte per byte of ``text`` in UTF-8.

    ASCII letters are lower-cased, ASCII whitespace becomes a space, every other character that
    is not part of a word (ASCII punctuation, and punctuation or symbols of other scripts) becomes
    ``\x01`` bytes. Word boundaries are then plain bytes, so terms compile as literals.
    """
    data = text.encode("utf-8").translate(_SCAN_TABLE)
    if not text.isascii():
        for char in set(_NON_ASCII_CHAR.findall(text)):
            if not (char.isalnum() or char == "_"):
                encoded = char.encode("utf-8")
                data = data.replace(encoded, b"\x01" * len(encoded))
    return data


class HyperscanScanner:
    """Exclusion patterns (literal text and line-anchored expressions) in one Hyperscan database.

    The text is scanned as it is, with ``SOM_LEFTMOST | CASELESS | UTF8``; ``\b`` is added only
    where a term's edge is an ASCII word character (Hyperscan's ``\b`` is ASCII-only, so it can
    only narrow the candidates; the engine's own boundary check handles other scripts).
    """

    name = "hyperscan"
    exact = False

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        if _hs is None:  # pragma: no cover
            raise RuntimeError("hyperscan is not installed")
        self._lock = threading.Lock()
        self._db = None
        flags = _hs.HS_FLAG_SOM_LEFTMOST | _hs.HS_FLAG_CASELESS | _hs.HS_FLAG_UTF8
        expressions: list[bytes] = []
        for pattern in patterns:
            if pattern.term is None:
                assert pattern.regex is not None
                expressions.append(pattern.regex.encode())
                continue
            term = pattern.term
            left = rb"\b" if _is_ascii_word(term.words[0][0]) else b""
            right = rb"\b" if not term.wildcard and _is_ascii_word(term.words[-1][-1]) else b""
            expressions.append(left + _hs_words(term.words, _HS_SPACE) + right)
        if expressions:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(
                expressions=expressions,
                ids=[p.id for p in patterns],
                elements=len(expressions),
                flags=[flags | (0 if p.term else _hs.HS_FLAG_MULTILINE) for p in patterns],
            )
            self._db = db

    def scan(self, text: str) -> list[Candidate]:
        if self._db is None or not text:
            return []
        found: list[Candidate] = []
        append = found.append

        def on_match(pid: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            append((pid, start, end))

        data = text.encode("utf-8")
        with self._lock:  # one scratch space per database; scans are serialised
            self._db.scan(data, match_event_handler=on_match)
        if len(data) != len(text) and found:
            to_char = _ByteToChar(text)
            found = [(pid, to_char(s), to_char(e)) for pid, s, e in found]
        return found


class HyperscanLexicon:
    """The lexicon as one database of Hyperscan *literals*, with exact word boundaries.

    Hyperscan matches plain literals several times faster than expressions with ``\b`` or
    ``[\\s]+``, and compiles them in about a second instead of ten for 5,000 terms. So the text is
    scanned in its :func:`_scan_bytes` form, where a word boundary is a space or ``\x01`` byte,
    and each term becomes literals: its words joined by single spaces, preceded and followed by
    each boundary byte where the term starts or ends with a word character. ``SOM_LEFTMOST``
    gives the start of each occurrence.

    Two kinds of literal need `re` to confirm them on the folded text: a term containing
    punctuation (``\x01`` stands for any punctuation), and a *trigger*, which catches phrases
    whose words are separated by more than one whitespace character: the words up to the wider
    gap, then 2, 3 or 4 spaces and the next word's first character, or five spaces and anything.
    (A single "two spaces" trigger would be simpler, but fires on every line ending in a common
    word followed by a blank line, and each report costs a Python call.) Everything else
    Hyperscan reports is a hit as it stands (``exact``).
    """

    name = "hyperscan"
    exact = True

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        if _hs is None:  # pragma: no cover
            raise RuntimeError("hyperscan is not installed")
        self._lock = threading.Lock()
        self._db = None
        literals: list[bytes] = []
        #: Per literal id: (pattern id, bytes of left boundary, bytes of right boundary), or None
        #: when the literal must be confirmed; then ``_confirm[id]`` holds (pattern id, pad, regex).
        self._plain: list[tuple[int, int, int] | None] = []
        self._confirm: dict[int, tuple[int, int, re.Pattern[str]]] = {}
        for pattern in patterns:
            term = pattern.term
            if term is None:
                raise ValueError("the lexicon database takes terms only")
            body = _scan_bytes(" ".join(term.words))
            confirm = _re_term(term, re.IGNORECASE, right_edge=True)
            lefts = (b" ", b"\x01") if term.needs_left_boundary else (b"",)
            rights = (b" ", b"\x01") if term.needs_right_boundary else (b"",)
            for left in lefts:
                for right in rights:
                    if b"\x01" in body:
                        self._confirm[len(literals)] = (pattern.id, len(left), confirm)
                        self._plain.append(None)
                    else:
                        self._plain.append((pattern.id, len(left), len(right)))
                    literals.append(left + body + right)
                for gap in range(1, len(term.words)):
                    head = left + _scan_bytes(" ".join(term.words[:gap]))
                    first = _scan_bytes(term.words[gap][0])
                    triggers = [head + b" " * n + first for n in range(2, _TRIGGER_GAP)]
                    for trigger in [*triggers, head + b" " * _TRIGGER_GAP]:
                        self._confirm[len(literals)] = (pattern.id, len(left), confirm)
                        self._plain.append(None)
                        literals.append(trigger)
        if literals:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(
                expressions=literals,
                ids=list(range(len(literals))),
                elements=len(literals),
                flags=_hs.HS_FLAG_SOM_LEFTMOST,
                literal=True,
            )
            self._db = db

    def scan(self, text: str) -> list[Candidate]:
        if self._db is None or not text:
            return []
        found: list[Candidate] = []
        pending: list[Candidate] = []
        append, defer = found.append, pending.append
        plain = self._plain

        def on_match(lid: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            known = plain[lid]
            if known is None:
                defer((lid, start, end))
            else:
                append((known[0], start + known[1], end - known[2]))

        data = _scan_bytes(text)
        with self._lock:  # one scratch space per database; scans are serialised
            self._db.scan(data, match_event_handler=on_match)
        if len(data) != len(text) and (found or pending):
            to_char = _ByteToChar(text)
            found = [(pid, to_char(s), to_char(e)) for pid, s, e in found]
            pending = [(lid, to_char(s), to_char(e)) for lid, s, e in pending]
        for lid, start, _end in pending:
            pid, pad, confirm = self._confirm[lid]
            match = confirm.match(text, start + pad)
            if match is not None:
                found.append((pid, start + pad, match.end()))
        return found


class _ByteToChar:
    """Converts UTF-8 byte offsets to character offsets using the positions of non-ASCII chars."""

    _NON_ASCII = re.compile(r"[^\x00-\x7f]")

    def __init__(self, text: str) -> None:
        self._byte_pos: list[int] = []
        self._extra: list[int] = []
        extra = 0
        for match in self._NON_ASCII.finditer(text):
            char = match.group()
            self._byte_pos.append(match.start() + extra)
            extra += len(char.encode("utf-8")) - 1
            self._extra.append(extra)

    def __call__(self, offset: int) -> int:
        k = bisect_left(self._byte_pos, offset)
        return offset - (self._extra[k - 1] if k else 0)


class AhoCorasickScanner:
    """Aho-Corasick over each term's first word, confirmed by `re`; regexes run with `re`.

    Candidates are not boundary-checked here (``exact`` is False): the engine checks them.
    """

    name = "aho-corasick"
    exact = False

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self._automaton: ahocorasick.Automaton | None = None
        self._verify: dict[int, re.Pattern[str] | None] = {}
        self._regexes = [(p.id, re.compile(p.regex, re.MULTILINE)) for p in patterns if p.regex is not None]
        by_anchor: dict[str, list[int]] = {}
        for pattern in patterns:
            if pattern.term is None:
                continue
            by_anchor.setdefault(pattern.term.anchor, []).append(pattern.id)
            term = pattern.term
            self._verify[pattern.id] = _re_term(term) if len(term.words) > 1 else None
        if by_anchor:
            automaton = ahocorasick.Automaton()
            for anchor, ids in by_anchor.items():
                automaton.add_word(anchor, (len(anchor), tuple(ids)))
            automaton.make_automaton()
            self._automaton = automaton

    def scan(self, text: str) -> list[Candidate]:
        found: list[Candidate] = []
        if not text:
            return found
        if self._automaton is not None:
            lowered = text.translate(_ASCII_LOWER)
            for last, (length, ids) in self._automaton.iter(lowered):
                start = last + 1 - length
                for pid in ids:
                    verify = self._verify[pid]
                    if verify is None:
                        found.append((pid, start, last + 1))
                        continue
                    match = verify.match(lowered, start)
                    if match is not None:
                        found.append((pid, start, match.end()))
        for pid, regex in self._regexes:
            found.extend((pid, m.start(), m.end()) for m in regex.finditer(text))
        return found


Scanner = HyperscanScanner | HyperscanLexicon | AhoCorasickScanner


def make_scanner(
    patterns: Sequence[Pattern], backend: str | None = None, *, lexicon: bool = False
) -> Scanner:
    """The fastest scanner available, or the one named (``hyperscan`` / ``aho-corasick``).

    ``lexicon`` declares that every pattern is a term and the text is already folded apart from
    ASCII letters, which lets Hyperscan use its literal database.
    """
    if backend is None:
        backend = "hyperscan" if hyperscan_available() else "aho-corasick"
    if backend == "hyperscan":
        return HyperscanLexicon(patterns) if lexicon else HyperscanScanner(patterns)
    if backend == "aho-corasick":
        return AhoCorasickScanner(patterns)
    raise ReviewError(f"unknown lexicon backend {backend!r}; expected hyperscan or aho-corasick")
