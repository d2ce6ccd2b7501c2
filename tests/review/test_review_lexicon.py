"""What a principal expects the lexicon to find — and not find — in real-looking messages."""

from __future__ import annotations

import pytest

from proctor.review.engine import LexiconEngine, compile_lexicon
from proctor.review.errors import ReviewError
from proctor.review.policy import parse_policy

from .conftest import policy_doc


def found(text: str, backend: str, **overrides: object) -> list[tuple[str, str, str]]:
    """(rule id, term, matched text) for each hit, in order."""
    engine = LexiconEngine(parse_policy(policy_doc(**overrides)), backend=backend)
    return [(h.rule_id, h.term, text[h.start : h.end]) for h in engine.scan(text)]


def test_whole_words_only(backend: str) -> None:
    assert found("You can text me later", backend) == [("evasion", "text me", "text me")]
    assert found("Please retext meaning", backend) == []
    assert found("context menu", backend) == []


def test_case_is_ignored(backend: str) -> None:
    assert found("CALL MY CELL tonight", backend) == [("evasion", "call my cell", "CALL MY CELL")]
    assert found("tyop. talk soon", backend) == [("evasion", "TYOP", "tyop")]


def test_accents_are_folded_both_ways(backend: str) -> None:
    assert found("Une garantíe de rendement", backend) == [("guarantees", "garantie", "garantíe")]
    assert found("GARANTÍE", backend) == [("guarantees", "garantie", "GARANTÍE")]
    decomposed = "la garanti\u0301e"  # i followed by a combining acute accent
    assert found(decomposed, backend) == [("guarantees", "garantie", "garanti\u0301e")]
    accented_term = [{"id": "g", "category": "guarantee", "terms": ["Garantíe"]}]
    assert found("plain garantie", backend, lexicon=accented_term) == [("g", "Garantíe", "garantie")]


def test_wildcard_matches_any_ending_and_highlights_the_whole_word(backend: str) -> None:
    hits = found("We guaranteed it; guarantees are guarantors' job", backend)
    assert [(t, m) for _, t, m in hits] == [
        ("guarant*", "guaranteed"),
        ("guarant*", "guarantees"),
        ("guarant*", "guarantors"),
    ]
    assert found("unguaranteed", backend) == []


def test_phrases_match_across_line_breaks_and_repeated_spaces(backend: str) -> None:
    text = "If urgent, call\nmy   cell or\ttext\r\n me"
    assert found(text, backend) == [
        ("evasion", "call my cell", "call\nmy   cell"),
        ("evasion", "text me", "text\r\n me"),
    ]
    assert found("call, my cell", backend) == []


def test_proximity_within_n_words_in_either_order(backend: str) -> None:
    near = [h for h in found("I guarantee you a 12% return", backend) if "NEAR" in h[1]]
    assert near == [("guarantees", "guarantee NEAR/5 return", "guarantee you a 12% return")]
    reverse = found("The return, I guarantee it", backend)
    assert ("guarantees", "guarantee NEAR/5 return", "return, I guarantee") in reverse
    too_far = found("guarantee that we will all see a very good return", backend)
    assert all("NEAR" not in term for _, term, _ in too_far)


def test_proximity_counts_words_between_not_characters(backend: str) -> None:
    four_between = "guarantee one two three four return"
    five_between = "guarantee one two three four five return"
    assert any("NEAR" in t for _, t, _ in found(four_between, backend))
    assert not any("NEAR" in t for _, t, _ in found(five_between, backend))


def test_disclaimer_containing_guarantee_does_not_hit(backend: str) -> None:
    text = "Thanks for the call.\n\nPast performance does not\nguarantee future results.\n"
    assert found(text, backend) == []


def test_text_outside_the_disclaimer_still_hits_with_original_offsets(backend: str) -> None:
    text = "Past performance does not guarantee future results. But I guarantee this one."
    hits = found(text, backend)
    assert hits == [("guarantees", "guarant*", "guarantee")]
    engine = LexiconEngine(parse_policy(policy_doc()), backend=backend)
    (hit,) = engine.scan(text)
    assert hit.start == text.rindex("guarantee")


def test_quoted_reply_lines_are_excluded(backend: str) -> None:
    text = "Sounds good, see you Monday.\n> Can you guarantee the return?\n>> text me\nBest, Ann"
    assert found(text, backend) == []


def test_original_message_block_is_excluded_to_the_end(backend: str) -> None:
    text = "No problem.\n\n-----Original Message-----\nFrom: Bob\nI can guarantee a risk free return"
    assert found(text, backend) == []


def test_signature_delimiter_and_signature_lines_are_excluded(backend: str) -> None:
    text = "Will do\n-- \nAnn Lee | Guaranteed Income Desk\nSent from my BlackBerry"
    assert found(text, backend) == []
    assert found("Will do\nSent from my BlackBerry", backend) == []


def test_exclusions_can_be_switched_off(backend: str) -> None:
    text = "ok\n> I guarantee it"
    assert found(text, backend, exclusions={"quoted_replies": False}) == [
        ("guarantees", "guarant*", "guarantee")
    ]


def test_evasion_terms_hit_like_any_other_term(backend: str) -> None:
    hits = found("Don't email me about this, TYOP or text me", backend)
    assert [t for _, t, _ in hits] == ["TYOP", "text me"]


def test_offsets_survive_accents_ligatures_and_removed_quotes(backend: str) -> None:
    text = "Ré: ﬁne\n> quoted guarantee\nStraße ok — I GUARANTEE a return"
    engine = LexiconEngine(parse_policy(policy_doc()), backend=backend)
    spans = {(h.term, text[h.start : h.end]) for h in engine.scan(text)}
    assert spans == {("guarant*", "GUARANTEE"), ("guarantee NEAR/5 return", "GUARANTEE a return")}


def test_hits_carry_category_and_severity(backend: str) -> None:
    engine = LexiconEngine(parse_policy(policy_doc()), backend=backend)
    (hit,) = engine.scan("I want to complain")
    assert (hit.rule_id, hit.category, hit.severity) == ("complaints", "complaint", "high")


def test_batched_scan_keeps_messages_apart(backend: str) -> None:
    engine = LexiconEngine(parse_policy(policy_doc()), backend=backend)
    texts = ["please call", "my cell is off", "", "text me"]
    assert [[h.term for h in hits] for hits in engine.scan_many(texts)] == [[], [], [], ["text me"]]


def test_without_hyperscan_the_engine_falls_back_to_aho_corasick(monkeypatch: pytest.MonkeyPatch) -> None:
    from proctor.review import scanners

    monkeypatch.setattr(scanners, "_hs", None)
    engine = LexiconEngine(parse_policy(policy_doc()))
    assert engine.backend == "aho-corasick"
    assert [h.term for h in engine.scan("Call my cell")] == ["call my cell"]


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ReviewError, match="unknown lexicon backend"):
        LexiconEngine(parse_policy(policy_doc()), backend="grep")


def test_engine_is_compiled_once_per_policy_version() -> None:
    first = compile_lexicon(parse_policy(policy_doc()))
    assert compile_lexicon(parse_policy(policy_doc())) is first
    assert compile_lexicon(parse_policy(policy_doc(title="Revised"))) is not first


def test_excluded_spans_point_into_the_original_text(backend: str) -> None:
    text = "Ça va.\n> GARANTÍE quoted\nok"
    engine = LexiconEngine(parse_policy(policy_doc()), backend=backend)
    assert [text[s:e] for s, e in engine.excluded_spans(text)] == ["> GARANTÍE quoted"]
