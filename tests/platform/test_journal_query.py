"""Reading journal events as values: by type, subject and position, payload parsed once."""

from __future__ import annotations

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.journal.query import JournalQuery, events, head_seq, last_event


def _raise(ws, n: int) -> str:
    draft = AlertDraft(
        "platform.demo", "demo.rule", "1", f"Finding {n}", Severity.LOW, (Subject("source", f"desk-{n}"),), {}
    )
    return ws.alerts.raise_alert(draft, actor="ada")


def test_events_by_subject_in_order_with_their_payload(ws) -> None:
    first, second = _raise(ws, 1), _raise(ws, 2)
    with ws.read() as conn:
        found = list(events(conn, JournalQuery(subject_kind="alert", subject_ids=[first, second])))
    assert [e.subject_id for e in found] == [first, second]
    assert found[0].payload["after"]["title"] == "Finding 1" and found[0].actor == "ada"
    with ws.read() as conn:
        newest = list(events(conn, JournalQuery(subject_kind="alert", newest_first=True, limit=1)))
        assert newest[0].subject_id == second
        assert last_event(conn, newest[0].event_type, first).subject_id == first  # type: ignore[union-attr]
        assert last_event(conn, "no.such.event") is None
        assert head_seq(conn) is not None and head_seq(conn) >= found[-1].seq  # type: ignore[operator]
        later = list(events(conn, JournalQuery(after_seq=found[0].seq, subject_ids=[first, second])))
        assert found[0] not in later and found[1] in later
