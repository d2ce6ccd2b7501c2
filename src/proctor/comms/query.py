"""The search language, parsed once and rendered for SQLite FTS5 or PostgreSQL full-text search.

Users type what they would into any search box, and a stray hyphen or apostrophe must never turn
into a syntax error or, worse, a silently different query. So the text is parsed here into a
small structure and each database gets a rendering in which every term is quoted:

* ``wire transfer``: both words, anywhere in the subject or text;
* ``"guaranteed return"``: the exact phrase;
* ``refund OR chargeback``: either word (``OR`` in capitals binds the terms either side);
* ``-newsletter`` or ``NOT newsletter``: leave out messages with the word;
* ``guarant*``: a prefix.

Words are matched by stem (English), so ``guarantee`` also finds ``guaranteed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from proctor.core.errors import InputError

_TOKEN = re.compile(r'-?"[^"]*"?\*?|\S+')
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass
class ParsedQuery:
    """All `groups` must match (each group: any of its terms); no `excluded` term may match."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded


def _term(token: str) -> Term | None:
    prefix = token.endswith("*")
    body = token[:-1] if prefix else token
    phrase = body.startswith('"')
    text = body.strip('"').strip()
    if not _WORD.search(text):
        return None
    return Term(text=text, phrase=phrase or " " in text, prefix=prefix)


def _check_quotes(text: str) -> None:
    """An unbalanced quote is refused: guessing where the phrase ends silently changes the query."""
    if text.count('"') % 2:
        at = text.rfind('"') + 1
        raise InputError(
            f"unbalanced quote: the phrase opened at character {at} is never closed (add the closing \")",
            field="QUERY",
        )


def parse_query(text: str) -> ParsedQuery:
    _check_quotes(text)
    parsed = ParsedQuery()
    join_next = False
    negate_next = False
    for token in _TOKEN.findall(text.strip()):
        if token == "OR":
            join_next = bool(parsed.groups)
            continue
        if token == "AND":
            continue
        if token == "NOT":
            negate_next = True
            continue
        negate = negate_next or (token.startswith("-") and len(token) > 1)
        term = _term(token[1:] if token.startswith("-") and len(token) > 1 else token)
        negate_next = False
        if term is None:
            join_next = False
            continue
        if negate:
            parsed.excluded.append(term)
        elif join_next:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        join_next = False
    if parsed.empty and text.strip():
        raise InputError(
            f"the search {text.strip()!r} has no word to find, only operators (OR, AND, NOT, -, *)",
            field="QUERY",
        )
    if parsed.excluded and not parsed.groups:
        raise InputError(
            "a search needs at least one word to find; -word only leaves messages out", field="QUERY"
        )
    return parsed


def _fts_term(term: Term) -> str:
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + ("*" if term.prefix else "")


def to_fts5(parsed: ParsedQuery) -> str:
    """An FTS5 MATCH expression in which every term is a quoted string (no syntax can leak)."""
    parts = []
    for group in parsed.groups:
        alternatives = [_fts_term(t) for t in group]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    expression = " AND ".join(parts)
    for term in parsed.excluded:
        expression += f" NOT {_fts_term(term)}"
    return expression


def prefix_word(term: Term) -> str:
    """The last word of a prefix term, reduced to letters and digits for to_tsquery(':*')."""
    words = re.findall(r"\w+", term.text, re.UNICODE)
    return words[-1] if words else ""
