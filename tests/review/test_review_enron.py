"""The demo lexicon policy over the real Enron subset: it selects messages, for stated reasons.

Reads ``../shared/data/enron/maildir.tar.gz`` (public FERC/CMU corpus) and skips when absent.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import tarfile
from collections import Counter
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from proctor.review import DEMO_POLICY, LexiconEngine, evaluate_many, highlight, load_policy
from proctor.review.scanners import hyperscan_available

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "enron" / "maildir.tar.gz"

pytestmark = pytest.mark.realdata


def _body(message: email.message.Message) -> str:
    payload = message.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode(message.get_content_charset() or "latin-1", errors="replace")


def _normalised(raw: bytes) -> dict[str, Any]:
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    sender = (getaddresses([parsed.get("From", "")]) or [("", "")])[0][1].lower()
    recipients = [
        a.lower() for _, a in getaddresses(parsed.get_all("To", []) + parsed.get_all("Cc", [])) if a
    ]
    firm = [a.endswith("@enron.com") for a in [sender, *recipients]]
    direction = "internal" if all(firm) else "outbound" if firm[0] else "inbound"
    return {
        "id": parsed["Message-ID"],
        "content_hash": hashlib.sha256(raw).hexdigest(),
        "sender": sender,
        "recipients": recipients,
        "source": "exchange-journal",
        "direction": direction,
        "sent_at": parsedate_to_datetime(parsed["Date"]),
        "text": _body(parsed),
    }


@pytest.fixture(scope="module")
def enron() -> list[dict[str, Any]]:
    if not DATA.exists():
        pytest.skip(f"Enron subset not present at {DATA}")
    with tarfile.open(DATA, "r:gz") as archive:
        return [
            _normalised(archive.extractfile(m).read())  # type: ignore[union-attr]
            for m in archive
            if m.isfile()
        ]


def test_demo_policy_selects_enron_messages_with_highlightable_hits(enron: list[dict[str, Any]]) -> None:
    assert len(enron) == 11238
    policy = load_policy(DEMO_POLICY)
    selections = [s for s in evaluate_many(policy, enron) if s]
    kinds = Counter(k for s in selections for k in s.kinds)
    assert 100 < len(selections) < 2000, "a usable lexicon selects a few percent, not everything"
    assert kinds["lexicon"] and kinds["must_review"] and kinds["evasion"]
    by_id = {m["id"]: m for m in enron}
    for selection in selections[:200]:
        text = by_id[selection.message_id]["text"]
        marked = [s for s in highlight(text, selection.hits) if s.marked]
        assert marked, selection.message_id
        for hit in selection.hits:
            assert 0 <= hit.start < hit.end <= len(text)


def test_disclaimer_and_quoted_history_do_not_select(enron: list[dict[str, Any]]) -> None:
    engine = LexiconEngine(load_policy(DEMO_POLICY))
    with_disclaimer = [m["text"] for m in enron if "This e-mail is the property of Enron Corp." in m["text"]]
    assert with_disclaimer
    for text in with_disclaimer:
        for hit in engine.scan(text):
            disclaimer_at = text.find("This e-mail is the property of Enron Corp.")
            assert not disclaimer_at <= hit.start < disclaimer_at + 200, text[hit.start : hit.end]


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed here")
def test_fallback_finds_the_same_hits_on_the_corpus(enron: list[dict[str, Any]]) -> None:
    policy = load_policy(DEMO_POLICY)
    texts = [m["text"] for m in enron]
    fast = LexiconEngine(policy, backend="hyperscan").scan_many(texts)
    fallback = LexiconEngine(policy, backend="aho-corasick").scan_many(texts)
    assert fast == fallback
    assert sum(len(h) for h in fast) > 300
