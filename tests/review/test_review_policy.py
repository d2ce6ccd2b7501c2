"""Policy files: strict validation that names the file and field, and a content-based version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proctor.core.errors import InputError
from proctor.review import DEMO_POLICY, DEMO_SAMPLING
from proctor.review.policy import load_policy, parse_policy, policy_version_hash
from proctor.review.terms import parse_expression

from .conftest import policy_doc


def error_for(doc: object) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_policy(doc, source="policies/retail.yaml")
    return caught.value


def test_policy_loads_into_frozen_model() -> None:
    policy = parse_policy(policy_doc())
    assert policy.id == "retail-correspondence"
    assert policy.rule("guarantees").severity == "high"
    assert [t.text for t in policy.rule("guarantees").terms] == ["guarant*", "garantie", "risk free"]
    assert [p.text for p in policy.rule("guarantees").proximities] == ["guarantee NEAR/5 return"]
    assert policy.rule("evasion").evasion
    assert policy.category("complaint").must_review
    with pytest.raises(AttributeError):
        policy.id = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"exclusion": {}}, "exclusion", "unknown field"),
        ({"title": None}, "title", "is required"),
        ({"populations": []}, "populations", "non-empty list"),
        ({"populations": [{"name": "x"}]}, "populations[0]", "people or roles"),
        ({"populations": [{"name": "x", "everyone": True, "directions": ["sideways"]}]},
         "populations[0].directions[0]", "unknown direction"),
        ({"categories": {"complaint": {"severity": "urgent"}}}, "categories.complaint.severity",
         "unknown severity"),
        ({"categories": {"complaint": {"severity": "high", "must_review": True, "review_rate": 0.2}}},
         "categories.complaint.review_rate", "cannot be left to sampling"),
        ({"lexicon": [{"id": "a", "category": "nope", "terms": ["x"]}]}, "lexicon[0].category",
         "unknown category"),
        ({"lexicon": [{"id": "a", "category": "gifts", "terms": ["gift", "g*"]}]}, "lexicon[0].terms[1]",
         "shorter than 3"),
        ({"lexicon": [{"id": "a", "category": "gifts", "terms": ["gu*rantee"]}]}, "lexicon[0].terms[0]",
         "only end the last word"),
        ({"lexicon": [{"id": "a", "category": "gifts", "terms": ["a NEAR/0 b"]}]}, "lexicon[0].terms[0]",
         "between 1 and 50"),
        ({"lexicon": [{"id": "a", "category": "gifts", "terms": ["Café", "cafe"]}]}, "lexicon[0].terms[1]",
         "matches the same text"),
        ({"lexicon": [{"id": "a", "category": "gifts", "terms": ["x"]}, {"id": "a", "category": "gifts",
          "terms": ["y"]}]}, "lexicon[1].id", "defined twice"),
        ({"sampling": {"rate": 0.1}}, "sampling.seed", "is required"),
        ({"sampling": {"seed": "s", "rate": 1.5}}, "sampling.rate", "between 0 and 1"),
        ({"sampling": {"seed": "s", "populations": {"ghosts": 0.1}}}, "sampling.populations.ghosts",
         "no population"),
        ({"heightened": [{"person": "ann@firm.example"}]}, "heightened[0].reason", "is required"),
        ({"heightened": [{"person": "a", "reason": "r", "from": "2024-05-01", "until": "2024-04-01"}]},
         "heightened[0].until", "before it starts"),
        ({"sla_business_days": 0}, "sla_business_days", "whole number"),
        ({"exclusions": {"disclaimers": ["Past performance*"]}}, "exclusions.disclaimers[0]", "literal"),
    ],
)  # fmt: skip
def test_validation_errors_name_the_file_and_field(change: dict, field: str, message: str) -> None:
    error = error_for(policy_doc(**change))
    assert error.file == "policies/retail.yaml"
    assert error.field == field
    assert message in str(error)
    assert "policies/retail.yaml" in str(error)


def test_sampled_category_needs_a_seed() -> None:
    doc = policy_doc(
        categories={**policy_doc()["categories"], "gifts": {"severity": "low", "review_rate": 0.5}}
    )
    assert error_for(doc).field == "categories.gifts.review_rate"


def test_a_policy_must_select_something() -> None:
    assert "must select something" in str(error_for(policy_doc(lexicon=[])))


def test_version_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    yaml_file = tmp_path / "p.yaml"
    yaml_file.write_text(
        "# our policy\nid: retail-correspondence\nversion: '1'\ntitle: Retail correspondence\n"
        "populations: [{name: reps, people: [ann@firm.example, bob@firm.example]}]\n"
        "categories:\n  complaint: {severity: high, must_review: true}\n  guarantee: {severity: high}\n"
        "  off-channel: {severity: medium}\n  gifts: {severity: low}\n"
        "lexicon:\n"
        "  - {id: complaints, category: complaint, terms: [complain*, unauthorized trade]}\n"
        "  - {id: guarantees, category: guarantee, terms: [guarant*, garantie, risk free,"
        " guarantee NEAR/5 return]}\n"
        "  - {id: evasion, category: off-channel, evasion: true, terms: [call my cell, text me, TYOP]}\n"
        "  - {id: gifts, category: gifts, terms: [gift card]}\n"
        "exclusions:\n  disclaimers: [Past performance does not guarantee future results.]\n"
        "  signatures: [Sent from my BlackBerry]\n",
        encoding="utf-8",
    )
    json_file = tmp_path / "p.json"
    json_file.write_text(json.dumps(policy_doc()), encoding="utf-8")
    from_yaml, from_json = load_policy(yaml_file), load_policy(json_file)
    assert policy_version_hash(from_yaml) == policy_version_hash(from_json)
    changed = policy_doc()
    changed["lexicon"][3]["terms"] = ["gift card", "gift certificate"]
    assert policy_version_hash(parse_policy(changed)) != policy_version_hash(from_json)


def test_unreadable_and_malformed_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_policy(broken)
    assert caught.value.file == str(broken)


def test_rates_accept_percentages() -> None:
    policy = parse_policy(policy_doc(sampling={"seed": "s1", "rate": "2.5%"}))
    assert policy.sampling is not None and policy.sampling.default_rate == pytest.approx(0.025)


@pytest.mark.parametrize("path", [DEMO_POLICY, DEMO_SAMPLING])
def test_demo_policies_are_valid(path: Path) -> None:
    policy = load_policy(path)
    assert len(policy_version_hash(policy)) == 64


def test_demo_lexicon_covers_every_category_with_severity_and_evasion_terms() -> None:
    policy = load_policy(DEMO_POLICY)
    categories = {c.name: c for c in policy.categories}
    assert set(categories) == {"complaint", "guarantee", "off-channel", "gifts", "insider", "suitability"}
    assert categories["complaint"].must_review and categories["insider"].must_review
    evasion = [t.text for r in policy.rules if r.evasion for t in r.terms]
    assert {"call my cell", "text me", "TYOP"} <= set(evasion)
    assert policy.exclusions.disclaimers and policy.exclusions.quoted_replies


def test_term_language() -> None:
    near = parse_expression("guarant* NEAR/4 double")
    assert near.distance == 4 and near.left.wildcard and near.left.words == ("guarant",)  # type: ignore[union-attr]
    quoted = parse_expression('"Call  my\\tCELL"'.replace("\\t", "\t"))
    assert quoted.words == ("call", "my", "cell")  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="exactly two"):
        parse_expression("a NEAR/2 b NEAR/3 c")
