"""Small policies that read like the ones a compliance department writes."""

from __future__ import annotations

from typing import Any

import pytest

from proctor.review.scanners import hyperscan_available

BACKENDS = ["hyperscan", "aho-corasick"] if hyperscan_available() else ["aho-corasick"]


def policy_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "retail-correspondence",
        "version": "1",
        "title": "Retail correspondence",
        "populations": [{"name": "reps", "people": ["ann@firm.example", "bob@firm.example"]}],
        "categories": {
            "complaint": {"severity": "high", "must_review": True},
            "guarantee": {"severity": "high"},
            "off-channel": {"severity": "medium"},
            "gifts": {"severity": "low"},
        },
        "lexicon": [
            {"id": "complaints", "category": "complaint", "terms": ["complain*", "unauthorized trade"]},
            {
                "id": "guarantees",
                "category": "guarantee",
                "terms": ["guarant*", "garantie", "risk free", "guarantee NEAR/5 return"],
            },
            {
                "id": "evasion",
                "category": "off-channel",
                "evasion": True,
                "terms": ["call my cell", "text me", "TYOP"],
            },
            {"id": "gifts", "category": "gifts", "terms": ["gift card"]},
        ],
        "exclusions": {
            "disclaimers": ["Past performance does not guarantee future results."],
            "signatures": ["Sent from my BlackBerry"],
        },
    }
    doc.update(overrides)
    return doc


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
