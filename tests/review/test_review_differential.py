"""Hyperscan, Aho-Corasick and a plain `re` reference must find exactly the same hits.

Random lexicons and random messages are built from a vocabulary chosen to hit the hard cases:
accents written precomposed and decomposed, ligatures and ß that fold to two letters, Greek and
Cyrillic, words glued to underscores and digits, every kind of whitespace between phrase words,
quoted replies, signature delimiters, reply headers and disclaimers cut by line breaks.
"""

from __future__ import annotations

import random

import pytest

from proctor.review.engine import LexiconEngine
from proctor.review.policy import parse_policy
from proctor.review.scanners import hyperscan_available
from proctor.review.terms import parse_term

from .reference import reference_scan

WORDS = [
    "guarantee", "guaranteed", "return", "returns", "garantie", "garantíe", "garanti\u0301e", "text",
    "me", "call", "my", "cell", "risk", "free", "straße", "strasse", "ﬁnance", "finance", "naïve",
    "naive", "café", "σοφία", "ΣΟΦΊΑ", "привет", "øre", "ore", "tyop", "a", "aa", "x_y", "20%", "$100",
    "e-mail", "Ⅻ", "İstanbul", "istanbul", "deal", "price", "can't", "can`t", "«guarantee»", "naïve—deal",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "  ", "\n", "\t", " \n  ", "\r\n", ", ", ". ", "-", "_", "", "\u00a0", "\n\n",
              "\u2014", "\u201c", "\u201d ", "\u2026", "\u2028", " \u00b7 ", "'", "$"]  # fmt: skip
TERM_WORDS = ["guarantee", "return", "garantie", "text", "me", "call", "my", "cell", "risk", "free",
              "strasse", "finance", "naive", "cafe", "σοφια", "привет", "ore", "tyop", "aa", "a",
              "x_y", "20%", "$100", "e-mail", "xii", "istanbul", "deal", "price", "can't",
              "naive—deal"]  # fmt: skip
DISCLAIMERS = ["risk free deal", "past performance does not guarantee returns", "call me"]


def _term(rng: random.Random) -> str:
    words = rng.sample(TERM_WORDS, rng.choice([1, 1, 1, 2, 2, 3]))
    if rng.random() < 0.25 and len(words[-1]) >= 4:
        words[-1] = words[-1][: rng.randint(3, len(words[-1]) - 1)] + "*"
    if rng.random() < 0.3:
        words = [w.upper() for w in words]
    return " ".join(words)


def _policy(rng: random.Random, number: int) -> dict:
    rules = []
    for i in range(rng.randint(1, 4)):
        by_key: dict[str, str] = {}
        for _ in range(rng.randint(1, 8)):
            term = _term(rng)
            by_key.setdefault(parse_term(term).key, term)
        terms = list(by_key.values())
        if rng.random() < 0.5:
            terms.append(f"{_term(rng)} NEAR/{rng.randint(1, 6)} {_term(rng)}")
        rules.append({"id": f"r{i}", "category": rng.choice(["c1", "c2"]), "terms": terms})
    return {
        "id": f"random-{number}",
        "version": "1",
        "title": "Randomised lexicon",
        "populations": [{"name": "all", "everyone": True}],
        "categories": {"c1": {"severity": "high"}, "c2": {"severity": "low"}},
        "lexicon": rules,
        "exclusions": {
            "quoted_replies": rng.random() < 0.7,
            "signature_delimiter": rng.random() < 0.7,
            "reply_headers": ["-----Original Message-----"] if rng.random() < 0.7 else [],
            "disclaimers": rng.sample(DISCLAIMERS, rng.randint(0, 2)),
        },
    }


def _text(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(0, 40)):
        roll = rng.random()
        if roll < 0.04:
            parts.append(
                rng.choice(["\n> ", "\n  >", "\n-- \n", "\n--\r\n", "\n-----Original Message-----\n"])
            )
        elif roll < 0.08:
            parts.append(rng.choice(DISCLAIMERS).replace(" ", rng.choice([" ", "\n", "  "])))
        else:
            word = rng.choice(WORDS)
            parts.append(rng.choice([word, word.upper(), word.title()]))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def _tuples(hits: list) -> list[tuple]:
    return [tuple(h) for h in hits]


@pytest.mark.parametrize("seed", range(12))
def test_engines_and_reference_agree_on_random_lexicons_and_texts(seed: int) -> None:
    rng = random.Random(seed)
    for number in range(6):
        policy = parse_policy(_policy(rng, number), source="random")
        texts = [_text(rng) for _ in range(25)]
        expected = [reference_scan(policy, t) for t in texts]
        backends = ["aho-corasick", "hyperscan"] if hyperscan_available() else ["aho-corasick"]
        for backend in backends:
            engine = LexiconEngine(policy, backend=backend)
            batched = [_tuples(h) for h in engine.scan_many(texts)]
            for text, want, got in zip(texts, expected, batched, strict=True):
                assert got == want, f"{backend} batched on {text!r}"
                assert _tuples(engine.scan(text)) == want, f"{backend} single on {text!r}"


def test_randomised_texts_really_exercise_hits_and_exclusions() -> None:
    """Guard against a generator so tame that agreement would prove nothing."""
    rng = random.Random(99)
    total_hits = 0
    excluded = 0
    for number in range(10):
        policy = parse_policy(_policy(rng, number), source="random")
        engine = LexiconEngine(policy, backend="aho-corasick")
        for _ in range(20):
            text = _text(rng)
            total_hits += len(engine.scan(text))
            excluded += len(engine.excluded_spans(text))
    assert total_hits > 100
    assert excluded > 20
