"""Reading journal events as values: by type, subject and position, payload parsed once."""

from __future__ import annotations

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.journal.query import (
    JournalQuery,
    event_count,
    events,
    first_seqs,
    head_seq,
    last_event,
    subject_events,
    timeline,
)


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


def test_a_records_history_a_timeline_across_records_and_the_leaf_that_stored_each(ws) -> None:
    first, second = _raise(ws, 1), _raise(ws, 2)
    ws.alerts.assign(first, "ravi", actor="paula")
    with ws.read() as conn:
        history = subject_events(conn, first, "alert")
        assert [e.event_type for e in history] == ["alert.raised", "alert.assigned"]
        assert history[-1].actor == "paula" and history[-1].payload["after"]["assignee"] == "ravi"
        assert subject_events(conn, first, "case") == []

        both = timeline(
            conn,
            [
                JournalQuery(subject_kind="alert", subject_ids=[second]),
                JournalQuery(subject_kind="alert", subject_ids=[first, second]),  # overlaps: each event once
            ],
        )
        assert [e.seq for e in both] == sorted({e.seq for e in both}) and len(both) == 3
        assert [e.subject_id for e in both] == [first, second, first]

        assert list(events(conn, JournalQuery(subject_kind="alert", subject_ids=[]))) == []  # none, not all

        stored = first_seqs(conn, "alert", [first, second, "ALR-nobody"])
        assert stored == {first: history[0].seq, second: both[1].seq}
        assert event_count(conn) == len(list(events(conn, JournalQuery())))
