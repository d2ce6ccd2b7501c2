"""The lexicon term language: words, phrases, trailing wildcards and ``NEAR/n`` proximity.

Compliance staff write terms the way e-discovery tools taught them to:

- ``guarantee`` — the whole word, any case, any accents (``Guarantee``, ``GUARANTÉE``);
- ``call my cell`` — the words in order, separated by any spaces, tabs or line breaks;
- ``guarant*`` — any word starting with ``guarant`` (``guaranteed``, ``guarantees``); the ``*``
  may only end the last word, because a wildcard in the middle of a phrase is what ``NEAR`` is for;
- ``guarantee NEAR/5 return`` — both within five words of each other, in either order.

Parsing is pure and raises ``ValueError`` with a plain-language reason; the policy loader adds
the file and field path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from proctor.review.folding import fold_text, is_word_char

MIN_WILDCARD_STEM = 3
MAX_NEAR_DISTANCE = 50
_NEAR = re.compile(r"\s+NEAR/(\d+)\s+")
#: Whitespace that separates the words of a phrase. ASCII only, so every scanner agrees on it.
PHRASE_SPACE = " \t\n\r\f\v"


@dataclass(frozen=True)
class Term:
    """One word or phrase as written (``text``) and as matched (``words``, folded)."""

    text: str
    words: tuple[str, ...]
    wildcard: bool

    @property
    def key(self) -> str:
        """Identity of what the term matches: two spellings that fold alike are one pattern."""
        return " ".join(self.words) + ("*" if self.wildcard else "")

    @property
    def anchor(self) -> str:
        """The first word: a literal every occurrence must contain at its start."""
        return self.words[0]

    @property
    def needs_left_boundary(self) -> bool:
        return is_word_char(self.words[0][0])

    @property
    def needs_right_boundary(self) -> bool:
        return not self.wildcard and is_word_char(self.words[-1][-1])


@dataclass(frozen=True)
class Proximity:
    """``left NEAR/distance right``: both present with fewer than ``distance`` words between."""

    text: str
    left: Term
    right: Term
    distance: int


def parse_term(text: str) -> Term:
    """Parse a word, phrase or wildcard term."""
    raw = text.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1].strip()
    if not raw:
        raise ValueError("a term cannot be empty")
    if _NEAR.search(f" {raw} "):
        raise ValueError("NEAR/n joins exactly two terms")
    words = raw.split()
    wildcard = words[-1].endswith("*")
    if wildcard:
        words[-1] = words[-1][:-1]
    for word in words:
        if "*" in word:
            raise ValueError(f"'*' may only end the last word of a term (found in {text.strip()!r})")
    folded = tuple(fold_text(w) for w in words)
    if any(not w for w in folded) or any(any(c in PHRASE_SPACE for c in w) for w in folded):
        raise ValueError(f"term {text.strip()!r} has a word that folds to nothing or to spaces")
    if wildcard and len(folded[-1]) < MIN_WILDCARD_STEM:
        raise ValueError(
            f"wildcard stem {words[-1]!r} is shorter than {MIN_WILDCARD_STEM} characters and would"
            " match almost every message"
        )
    if "\x00" in raw:
        raise ValueError("a term cannot contain a NUL character")
    return Term(text=text.strip(), words=folded, wildcard=wildcard)


def parse_expression(text: str) -> Term | Proximity:
    """Parse a lexicon entry: a term, or two terms joined by ``NEAR/n``."""
    if not isinstance(text, str):
        raise ValueError(f"a term must be text, not {type(text).__name__}")
    parts = _NEAR.split(f" {text.strip()} ")
    if len(parts) == 1:
        return parse_term(text)
    if len(parts) != 3:
        raise ValueError("NEAR/n joins exactly two terms; write separate entries for more")
    distance = int(parts[1])
    if not 1 <= distance <= MAX_NEAR_DISTANCE:
        raise ValueError(f"NEAR distance must be between 1 and {MAX_NEAR_DISTANCE}, not {distance}")
    return Proximity(
        text=text.strip(), left=parse_term(parts[0]), right=parse_term(parts[2]), distance=distance
    )
