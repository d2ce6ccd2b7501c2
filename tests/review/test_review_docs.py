"""docs/review.md documents every policy field, and its examples are valid policies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from proctor.review.engine import LexiconEngine
from proctor.review.policy import FIELDS, parse_policy

DOC = Path(__file__).resolve().parents[2] / "docs" / "review.md"


@pytest.fixture(scope="module")
def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize(("section", "field"), [(s, f) for s, fs in FIELDS.items() for f in fs])
def test_every_policy_field_is_documented(doc_text: str, section: str, field: str) -> None:
    assert re.search(rf"\b{re.escape(field)}\b", doc_text), f"{section}.{field} is not in docs/review.md"


def test_the_smallest_example_is_a_valid_policy_that_finds_what_the_doc_says(doc_text: str) -> None:
    block = re.search(r"```yaml\n(id: retail-correspondence.*?)```", doc_text, re.S)
    assert block is not None
    policy = parse_policy(yaml.safe_load(block.group(1)), source="docs/review.md")
    engine = LexiconEngine(policy)
    text = "I guarantee you a 12% return"
    assert {(h.term, text[h.start : h.end]) for h in engine.scan(text)} == {
        ("guarant*", "guarantee"),
        ("guarantee NEAR/5 return", "guarantee you a 12% return"),
    }


def test_every_yaml_section_example_parses_as_part_of_a_policy(doc_text: str) -> None:
    base = {
        "id": "docs",
        "version": "1",
        "title": "Examples from the documentation",
        "populations": [{"name": "all-associated-persons", "everyone": True}],
        "categories": {
            name: {"severity": "high"}
            for name in ("guarantee", "off-channel", "complaint", "insider", "gifts")
        },
        "sampling": {"seed": "docs"},
    }
    sections = 0
    for block in re.findall(r"```yaml\n(.*?)```", doc_text, re.S):
        fragment = yaml.safe_load(block)
        if "id" in fragment:
            continue
        doc = {**base, **fragment}
        if "sampling" in fragment and "retail-registered-representatives" in str(fragment["sampling"]):
            doc["populations"] = [
                *base["populations"],
                {"name": "retail-registered-representatives", "roles": ["registered_representative"]},
            ]
        parse_policy(doc, source="docs/review.md")
        sections += 1
    assert sections >= 6
