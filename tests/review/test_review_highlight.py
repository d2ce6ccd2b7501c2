"""Highlight segments: every character once, marked with exactly the hits covering it."""

from __future__ import annotations

from proctor.core.alerts import Severity
from proctor.review.engine import Hit, LexiconEngine
from proctor.review.highlight import highlight
from proctor.review.policy import parse_policy

from .conftest import policy_doc


def test_segments_cover_text_in_order_with_overlaps_split() -> None:
    text = "I GUARANTEE a return, TYOP"
    engine = LexiconEngine(parse_policy(policy_doc()))
    segments = highlight(text, engine.scan(text))
    assert "".join(s.text for s in segments) == text
    assert [(s.text, [h.term for h in s.hits]) for s in segments] == [
        ("I ", []),
        ("GUARANTEE", ["guarant*", "guarantee NEAR/5 return"]),
        (" a return", ["guarantee NEAR/5 return"]),
        (", ", []),
        ("TYOP", ["TYOP"]),
    ]
    assert segments[1].severity == Severity.HIGH and segments[1].categories == ("guarantee",)
    assert segments[4].severity == Severity.MEDIUM
    assert not segments[0].marked


def test_segments_for_accented_text_use_original_characters() -> None:
    text = "Une GARANTI\u0301E totale"
    engine = LexiconEngine(parse_policy(policy_doc()))
    marked = [s.text for s in highlight(text, engine.scan(text)) if s.marked]
    assert marked == ["GARANTI\u0301E"]


def test_no_hits_and_empty_text() -> None:
    assert [s.text for s in highlight("nothing here", [])] == ["nothing here"]
    assert highlight("", []) == []


def test_hits_outside_the_text_are_ignored() -> None:
    stray = Hit("r", "t", "c", Severity.LOW, 5, 50)
    assert [s.marked for s in highlight("short", [stray])] == [False]
