"""Reading JSON exports element by element while keeping each element's exact original text.

A chat export is one JSON array per file, but the record is *one message*: its bytes as the
export wrote them. ``json.loads`` would give us the values and lose the bytes, so these helpers
walk the array with ``JSONDecoder.raw_decode`` and report each element's span. A syntax error
mid-array stops the walk and reports where, so the caller can quarantine the unread remainder
instead of losing it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


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


def iter_array(text: str, start: int) -> Iterator[Span]:
    """Elements of the array whose ``[`` is at ``start``; raises SpanError at the first fault."""
    if start >= len(text) or text[start] != "[":
        raise SpanError(f"expected '[' at {_line_col(text, start)}", start, start)
    pos = _skip_ws(text, start + 1)
    if pos < len(text) and text[pos] == "]":
        return
    index = 0
    while True:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise SpanError(f"invalid JSON at {_line_col(text, exc.pos)}: {exc.msg}", exc.pos, pos) from exc
        yield Span(index, value, text[pos:end])
        index += 1
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        elif pos < len(text) and text[pos] == "]":
            return
        else:
            raise SpanError(f"expected ',' or ']' at {_line_col(text, pos)}", pos, pos)


def find_member_array(text: str, key: str) -> int | None:
    """Offset of the ``[`` of top-level member ``key`` in a top-level object, or None."""
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "{":
        return None
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "}":
        try:
            name, pos = _DECODER.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if text[pos] != ":":
                return None
            pos = _skip_ws(text, pos + 1)
            if name == key and text[pos] == "[":
                return pos
            _, pos = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, IndexError):
            return None
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return None


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
    except json.JSONDecodeError:
        single = False
    if single:
        yield Span(0, value, text[pos:end], locator="1")
        return
    for index, (number, line) in enumerate(iter_lines(text)):
        try:
            yield Span(index, json.loads(line), line, locator=f"line {number}")
        except json.JSONDecodeError as exc:
            yield Span(index, None, line, f"line {number}: invalid JSON: {exc.msg}", f"line {number}")


def _array_spans(text: str, start: int) -> Iterator[Span]:
    index = 0
    try:
        for span in iter_array(text, start):
            index = span.index + 1
            yield Span(span.index, span.value, span.text, locator=str(index))
    except SpanError as exc:
        rest = text[exc.resume :]
        yield Span(index, None, rest, str(exc), f"{index + 1}+")
