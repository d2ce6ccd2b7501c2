"""Reading JSON exports element by element while keeping each element's exact original text.

A chat export is one JSON array per file, but the record is *one message*: its bytes as the
export wrote them. ``json.loads`` would give us the values and lose the bytes, so these helpers
walk the array with ``JSONDecoder.raw_decode`` and report each element's span. A syntax error
mid-array stops the walk and reports where, so the caller can quarantine the unread remainder
instead of losing it. An element nested deeper than the limit (or than the decoder can follow)
is one bad element: it is reported on its own and the walk goes on after it.

Text reaches here decoded with ``surrogateescape``, so an invalid byte inside one element spoils
only that element (its text holds the escaped byte, which :func:`raw_bytes` restores).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Span:
    """One element of a JSON array (or one line of JSON Lines): value and exact text.

    When ``error`` is set the text could not be read as JSON; ``value`` is None and ``text`` is
    what must be quarantined (one bad line, or the unread rest of an array).
    """

    index: int
    value: Any
    text: str
    error: str | None = None
    locator: str = ""


class SpanError(ValueError):
    """The JSON stopped making sense at ``position``; everything from ``resume`` on is unread."""

    def __init__(self, message: str, position: int, resume: int) -> None:
        super().__init__(message)
        self.position = position
        self.resume = resume


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line} column {col}"


def raw_bytes(text: str) -> bytes:
    """The exported bytes of a span of text decoded with ``surrogateescape``."""
    return text.encode("utf-8", "surrogateescape")


def decode(data: bytes) -> str:
    """Export bytes as text; an invalid byte is kept (escaped) for the one element holding it."""
    return strip_bom(data).decode("utf-8", "surrogateescape")


def depth(value: Any) -> int:
    """How deeply a decoded JSON value nests (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node if isinstance(child, (dict, list)))
    return deepest


def too_deep(text: str, value: Any, limit: int = MAX_DEPTH) -> bool:
    # Cheap first: a value cannot nest deeper than it has brackets.
    if text.count("[") + text.count("{") <= limit:
        return False
    return depth(value) > limit


def skip_value(text: str, pos: int) -> int:
    """The end of the JSON value starting at ``pos``, found by brackets and strings alone.

    Used only after the decoder gave up on a value (too deep to follow), so the walk can go on
    after it; linear and without recursion.
    """
    level = 0
    i = pos
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "[{":
            level += 1
        elif c in "]}":
            level -= 1
            if level <= 0:
                return i + 1
        elif level == 0 and c in ",":
            return i
        i += 1
    return n


def iter_array(text: str, start: int, limit: int = MAX_DEPTH) -> Iterator[Span]:
    """Elements of the array whose ``[`` is at ``start``; raises SpanError at the first fault.

    An element nested deeper than ``limit`` comes back with ``error`` set and the walk goes on.
    """
    if start >= len(text) or text[start] != "[":
        raise SpanError(f"expected '[' at {_line_col(text, start)}", start, start)
    pos = _skip_ws(text, start + 1)
    if pos < len(text) and text[pos] == "]":
        return
    index = 0
    while True:
        error = None
        try:
            value, end = _DECODER.raw_decode(text, pos)
            if too_deep(text[pos:end], value, limit):
                error = f"element {index + 1} nests deeper than {limit} levels"
                value = None
        except json.JSONDecodeError as exc:
            raise SpanError(f"invalid JSON at {_line_col(text, exc.pos)}: {exc.msg}", exc.pos, pos) from exc
        except RecursionError:
            end = skip_value(text, pos)
            value, error = None, f"element {index + 1} nests deeper than the JSON reader can follow"
        yield Span(index, value, text[pos:end], error)
        index += 1
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        elif pos < len(text) and text[pos] == "]":
            return
        else:
            raise SpanError(f"expected ',' or ']' at {_line_col(text, pos)}", pos, pos)


def find_member_array(text: str, key: str) -> int | None:
    """Offset of the ``[`` of the first top-level member ``key`` in a top-level object, or None."""
    found = find_member_arrays(text, key)
    return found[0] if found else None


def find_member_arrays(text: str, key: str) -> list[int]:
    """Offsets of the ``[`` of every top-level member ``key`` (JSON allows a key twice, and a
    reader that kept only one would lose the other's elements without a word)."""
    out: list[int] = []
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "{":
        return out
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "}":
        try:
            name, pos = _DECODER.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if text[pos] != ":":
                return out
            pos = _skip_ws(text, pos + 1)
            if name == key and text[pos] == "[":
                out.append(pos)
            try:
                _, pos = _DECODER.raw_decode(text, pos)
            except RecursionError:
                pos = skip_value(text, pos)
        except (json.JSONDecodeError, IndexError, RecursionError):
            return out
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return out


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """Non-blank lines of a JSON Lines text, numbered from 1 as an editor shows them."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.rstrip("\r")
        if stripped.strip():
            yield number, stripped


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: exports leave optional blocks null."""
    return value if isinstance(value, dict) else {}


def strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def iter_documents(text: str, list_keys: tuple[str, ...] = ()) -> Iterator[Span]:
    """Items of a JSON export however it is shaped: an array, an object holding the array under
    one of ``list_keys`` (a Graph API page's ``value``), a single object, or JSON Lines.

    Never raises: unreadable JSON comes back as spans with ``error`` set, so a caller can
    quarantine exactly the part it could not read and keep everything before and after it.
    """
    pos = _skip_ws(text, 0)
    if pos >= len(text):
        return
    array_at: int | None = pos if text[pos] == "[" else None
    if array_at is None and text[pos] == "{":
        for key in list_keys:
            array_at = find_member_array(text, key)
            if array_at is not None:
                break
    if array_at is not None:
        yield from _array_spans(text, array_at)
        return
    try:
        value, end = _DECODER.raw_decode(text, pos)
        single = not text[end:].strip()
    except (json.JSONDecodeError, RecursionError):
        single = False
    if single:
        if too_deep(text[pos:end], value):
            yield Span(0, None, text[pos:end], f"1: nests deeper than {MAX_DEPTH} levels", "1")
        else:
            yield Span(0, value, text[pos:end], locator="1")
        return
    for index, (number, line) in enumerate(iter_lines(text)):
        yield line_span(index, number, line)


def line_span(index: int, number: int, line: str) -> Span:
    """One line of JSON Lines as a span; invalid or too deeply nested JSON is the span's error."""
    where = f"line {number}"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Span(index, None, line, f"{where}: invalid JSON: {exc.msg}", where)
    except RecursionError:
        return Span(index, None, line, f"{where}: nests deeper than the JSON reader can follow", where)
    if too_deep(line, value):
        return Span(index, None, line, f"{where}: nests deeper than {MAX_DEPTH} levels", where)
    return Span(index, value, line, locator=where)


def _array_spans(text: str, start: int) -> Iterator[Span]:
    index = 0
    try:
        for span in iter_array(text, start):
            index = span.index + 1
            yield Span(span.index, span.value, span.text, span.error, locator=str(index))
    except SpanError as exc:
        rest = text[exc.resume :]
        yield Span(index, None, rest, str(exc), f"{index + 1}+")
