"""A person added to the directory brings his already-evaluated history into review."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.platform.directory import EntrySpec, import_entries
from proctor.review.run import select
from proctor.review.tables import evaluations
from proctor.store.schema import journal_events
from tests.review.review_support import build_desk, ingest_traffic, item_for

NEW_HIRE = [
    (
        "new_hire_guarantee",
        "2026-01-02T14:10:00-05:00",
        "sam@harborstreet.com",
        "pat@gmail.example",
        "Your IRA",
        "Pat, this note is risk free and has a guaranteed return.",
    ),
    (
        "new_hire_routine",
        "2026-01-02T14:20:00-05:00",
        "sam@harborstreet.com",
        "ops@harborstreet.com",
        "Wire",
        "Please send the wire form.",
    ),
]


def _evaluation(ws: Workspace, message_id: str) -> dict:
    with ws.read() as conn:
        rows = conn.execute(sa.select(evaluations).where(evaluations.c.message_id == message_id)).all()
    assert len(rows) == 1  # one evaluation per message and version, updated, never duplicated
    return dict(rows[0]._mapping)


def test_a_person_added_later_is_selected_from_his_history(ws: Workspace, tmp_path: Path, clock) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    ingest_traffic(ws, desk, NEW_HIRE)
    select(ws, "paula")
    guarantee = desk.ids["new_hire_guarantee"]
    assert _evaluation(ws, guarantee)["in_scope"] is False
    assert item_for(ws, guarantee) is None

    clock.advance(timedelta(days=3))  # HR's feed adds the new representative on Thursday
    import_entries(
        ws,
        [EntrySpec("sam@harborstreet.com", "person", "Sam Ortiz", roles=("registered_representative",))],
        "ada",
        "csv",
    )
    run = select(ws, "paula")
    assert run.versions[0].evaluated == 2  # both of his messages, evaluated again
    after = _evaluation(ws, guarantee)
    assert after["in_scope"] is True and after["selected"] is True
    assert item_for(ws, guarantee) is not None
    assert _evaluation(ws, desk.ids["new_hire_routine"])["in_scope"] is True
    with ws.read() as conn:
        events = conn.execute(
            sa.select(journal_events.c.event_type).where(journal_events.c.event_type == "review.reevaluated")
        ).all()
    assert len(events) == 2
    assert select(ws, "paula").versions[0].evaluated == 0  # done once, not on every run
    assert verify_journal(ws.engine, ws.blobs).intact
