"""A plain `re` implementation of the lexicon rules, used only to check the engine.

It is written for clarity, not speed: fold character by character keeping each character's
origin, find exclusions and terms with one regular expression each (overlapping occurrences
included), and map every hit back through the per-character origins. If the engine and this
disagree on any text, one of them has the rules wrong.
"""

from __future__ import annotations

import re
import unicodedata

from proctor.review.policy import ReviewPolicy
from proctor.review.terms import Term

SPACE = r"[ \t\n\r\f\v]+"


def fold(char: str) -> str:
    if char.isascii():
        return char.lower()
    if unicodedata.category(char) == "Cs":
        return "\ufffd"
    step = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in step if unicodedata.category(c) != "Mn")


def term_regex(term: Term) -> str:
    body = SPACE.join(re.escape(w) for w in term.words)
    left = r"(?<!\w)" if re.match(r"\w", term.words[0][0]) else ""
    if term.wildcard:
        right = r"\w*"
    else:
        right = r"(?!\w)" if re.match(r"\w", term.words[-1][-1]) else ""
    return left + body + right


def occurrences(pattern: str, text: str) -> list[tuple[int, int]]:
    """Every (start, end), overlapping ones included: one attempt at each position."""
    return [(m.start(1), m.end(1)) for m in re.finditer(f"(?=({pattern}))", text)]


def reference_scan(policy: ReviewPolicy, text: str) -> list[tuple[str, str, str, str, int, int]]:
    folded_chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for i, char in enumerate(text):
        for c in fold(char):
            folded_chars.append(c)
            origin.append((i, i + 1))
    folded = "".join(folded_chars)

    excl = policy.exclusions
    spans: list[tuple[int, int]] = []
    for term in (*excl.disclaimers, *excl.signatures):
        spans += occurrences(term_regex(term), folded)
    for term in excl.reply_headers:
        spans += [(s, len(folded)) for s, _ in occurrences(term_regex(term), folded)]
    if excl.quoted_replies:
        spans += [m.span() for m in re.finditer(r"(?m)^[ \t]*>[^\n]*", folded)]
    if excl.signature_delimiter:
        spans += [(m.start(), len(folded)) for m in re.finditer(r"(?m)^--[ ]?\r?$", folded)]
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])

    kept_chars: list[str] = []
    kept_origin: list[tuple[int, int]] = []
    pos = 0
    for s, e in merged:
        kept_chars += folded_chars[pos:s]
        kept_origin += origin[pos:s]
        kept_chars.append("\n")
        kept_origin.append((origin[s][0], origin[e - 1][1]))
        pos = e
    kept_chars += folded_chars[pos:]
    kept_origin += origin[pos:]
    kept = "".join(kept_chars)

    def back(s: int, e: int) -> tuple[int, int]:
        start, end = kept_origin[s][0], kept_origin[e - 1][1]
        while end < len(text) and unicodedata.category(text[end]) == "Mn":
            end += 1
        return start, end

    hits: set[tuple[str, str, str, str, int, int]] = set()
    for rule in policy.rules:
        for term in rule.terms:
            for s, e in occurrences(term_regex(term), kept):
                hits.add((rule.id, term.text, rule.category, str(rule.severity), *back(s, e)))
        for near in rule.proximities:
            lefts = occurrences(term_regex(near.left), kept)
            rights = occurrences(term_regex(near.right), kept)
            for ls, le in lefts:
                for rs, re_ in rights:
                    if le <= rs:
                        gap, span = kept[le:rs], (ls, re_)
                    elif re_ <= ls:
                        gap, span = kept[re_:ls], (rs, le)
                    else:
                        continue
                    if len(re.findall(r"\w+", gap)) < near.distance:
                        hits.add((rule.id, near.text, rule.category, str(rule.severity), *back(*span)))
    return sorted(hits, key=lambda h: (h[4], h[5], h[0], h[1]))
