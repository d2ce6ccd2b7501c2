"""Searching the alert queue for words gives the same page and total as any other filter."""

from __future__ import annotations

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery


def lexicon_hit(n: int, sender: str) -> AlertDraft:
    return AlertDraft(
        control="review.lexicon",
        rule_id="review.lexicon.guarantee",
        rule_version="3",
        title=f"'guaranteed return' in message {n} from {sender}",
        severity=Severity.MEDIUM,
        subjects=(Subject("person", sender),),
        evidence={"message": n},
        params={"message": n},
    )


def _raise(ws: Workspace) -> list[str]:
    """Seven alerts about jdoe, three about asmith; two of jdoe's assigned to ravi."""
    ids = [ws.alerts.raise_alert(lexicon_hit(n, "jdoe@harborstreet.com"), actor="paula") for n in range(7)]
    for n in range(3):
        ws.alerts.raise_alert(lexicon_hit(100 + n, "asmith@harborstreet.com"), actor="paula")
    for alert_id in ids[:2]:
        ws.alerts.assign(alert_id, "ravi", actor="paula")
    return ids


def test_words_give_the_page_and_the_total_of_every_match(ws: Workspace) -> None:
    ids = _raise(ws)
    rows, total = ws.alerts.query(AlertQuery(text="JDOE@", page_size=3))
    assert total == 7 and len(rows) == 3 and "_total" not in rows[0]
    assert all("jdoe" in r["subject_text"] for r in rows)
    last, total = ws.alerts.query(AlertQuery(text="jdoe@", page_size=3, page=3))
    assert (len(last), total) == (1, 7)
    past, total = ws.alerts.query(AlertQuery(text="jdoe@", page_size=3, page=9))
    assert (past, total) == ([], 7)
    assert ws.alerts.query(AlertQuery(text="nobody")) == ([], 0)
    rows, total = ws.alerts.query(AlertQuery(text=ids[4]))
    assert [r["id"] for r in rows] == [ids[4]] and total == 1


def test_a_reviewer_searching_words_sees_only_his_queue(ws: Workspace) -> None:
    _raise(ws)
    rows, total = ws.alerts.query(AlertQuery(text="jdoe@"), ws.users.get("ravi"))
    assert total == 2 and {r["assignee"] for r in rows} == {"ravi"}
