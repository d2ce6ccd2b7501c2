"""Selection on the workspace: what is selected and why, once, and again when the lexicon changes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from proctor.core.clock import FixedClock
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.review import load_policy, policy_version_hash, sample_draw
from proctor.review.run import select
from proctor.review.tables import evaluations, items
from proctor.store.schema import alerts
from tests.conftest import make_workspace
from tests.review.review_support import (
    POLICY,
    Desk,
    build_desk,
    ingest_traffic,
    item_for,
    propose_and_approve,
)


def selected_tags(ws: Workspace, desk: Desk) -> set[str]:
    return {tag for tag, mid in desk.ids.items() if item_for(ws, mid) is not None}


def test_selection_raises_one_alert_per_selected_message_with_reasons_hits_and_deadline(
    ws: Workspace, tmp_path: Path
) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    run = ws.controls.run("review.selection", actor="paula")
    assert run["outcome"] == "findings"
    assert selected_tags(ws, desk) == {"guarantee", "complaint", "evasion", "to_ravi"}
    complaint = item_for(ws, desk.ids["complaint"])
    assert complaint is not None
    assert complaint["rule_id"] == "review.desk-correspondence.must_review"
    assert complaint["severity"] == "high"
    assert complaint["title"] == "Must review (complaint): Complaint"
    evidence = complaint["evidence"]
    marked = {evidence["text"][h["start"] : h["end"]] for h in evidence["hits"]}
    assert marked == {"Complaint", "complain", "unauthorized trade"}
    assert {s["id"] for s in complaint["subjects"]} == {
        "rkim@outlook.example",
        "lee@harborstreet.com",
        desk.ids["complaint"],
    }
    # selected Monday 5 January 14:00 UTC; 3 business days: end of Thursday 8 January in New York
    assert complaint["due_at"] == datetime(2026, 1, 9, 4, 59, 59, tzinfo=UTC)
    evasion = item_for(ws, desk.ids["evasion"])
    assert evasion is not None and evasion["rule_id"].endswith(".evasion")
    assert verify_journal(ws.engine, ws.blobs).intact


def test_every_message_is_evaluated_once_and_the_evaluation_is_kept(ws: Workspace, tmp_path: Path) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    first = select(ws, "paula")
    again = select(ws, "paula")
    assert [v.evaluated for v in first.versions] == [5]
    assert [v.evaluated for v in again.versions] == [0]
    assert again.alert_ids == []
    with ws.read() as conn:
        rows = {r.message_id: r for r in conn.execute(sa.select(evaluations))}
    assert len(rows) == 5
    routine = rows[desk.ids["routine"]]
    assert routine.in_scope and not routine.selected and routine.terms == []
    guarantee = rows[desk.ids["guarantee"]]
    assert guarantee.selected and guarantee.alert_id is not None
    assert sorted(map(tuple, guarantee.terms)) == [
        ("guarantees", "guaranteed return"),
        ("guarantees", "risk free"),
    ]
    assert guarantee.reasons[0]["kind"] == "lexicon"


def test_new_messages_are_picked_up_after_the_bookmark(ws: Workspace, tmp_path: Path) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    ingest_traffic(
        ws,
        desk,
        [
            (
                "late",
                "2026-01-02T15:00:00-05:00",
                "rkim@outlook.example",
                "dana@harborstreet.com",
                "Formal complaint",
                "I am filing a complaint about my account.",
            )
        ],
    )
    run = select(ws, "paula")
    assert [v.evaluated for v in run.versions] == [1]
    assert item_for(ws, desk.ids["late"]) is not None


def test_a_lexicon_change_reselects_matching_historical_messages_but_never_twice(
    ws: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    assert item_for(ws, desk.ids["routine"]) is None
    before = item_for(ws, desk.ids["guarantee"])
    assert before is not None
    ws.alerts.assign(before["id"], "ravi", actor="paula")
    ws.alerts.close(before["id"], "no_action", "Bond is investment grade; wording reviewed.", actor="ravi")

    clock.advance(timedelta(days=2))
    changed = copy.deepcopy(POLICY)
    changed["version"] = "2"
    changed["lexicon"].append({"id": "settlement", "category": "guarantee", "terms": ["settles T+1"]})
    version_2 = propose_and_approve(ws, desk, changed, "desk-policy-v2.yaml")
    run = select(ws, "paula")

    assert [(v.version_id, v.evaluated) for v in run.versions] == [(version_2, 5)]
    routine = item_for(ws, desk.ids["routine"])
    assert routine is not None, "the new term selects a message captured before the change"
    assert routine["params_hash"] and routine["evidence"]["policy"]["version_id"] == version_2
    assert run.versions[0].alerts_raised == 1
    assert run.versions[0].already_selected == 4
    with ws.read() as conn:
        per_message = conn.execute(
            sa.select(items.c.message_id, sa.func.count()).group_by(items.c.message_id)
        ).all()
        earlier = conn.execute(
            sa.select(evaluations.c.earlier_alert_id).where(
                evaluations.c.version_id == version_2, evaluations.c.message_id == desk.ids["guarantee"]
            )
        ).scalar()
    assert all(n == 1 for _, n in per_message), "a message is never raised twice under one policy"
    assert earlier == before["id"]


def test_a_catch_up_run_selects_only_what_was_sent_by_then_and_its_deadlines_have_passed(
    ws: Workspace, tmp_path: Path
) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    as_of = datetime(2026, 1, 2, 16, 0, tzinfo=UTC)  # Friday 11:00 in New York
    early = select(ws, "paula", as_of=as_of - timedelta(days=7))
    assert early.alert_ids == [] and early.versions[0].sent_after_as_of == 5
    run = select(ws, "paula", as_of=as_of)
    assert selected_tags(ws, desk) == {"guarantee", "complaint"}
    assert run.versions[0].sent_after_as_of == 3
    rest = select(ws, "paula")
    assert [v.evaluated for v in rest.versions] == [3]
    assert selected_tags(ws, desk) == {"guarantee", "complaint", "evasion", "to_ravi"}


def test_no_active_policy_is_itself_an_alert(ws: Workspace, tmp_path: Path) -> None:
    build_desk(ws, tmp_path / "desk", policy=None)
    run = ws.controls.run("review.selection", actor="paula")
    assert run["outcome"] == "no_input"
    assert run["summary"]["problem"] == "no active review policy"
    with ws.read() as conn:
        titles = [t for (t,) in conn.execute(sa.select(alerts.c.title))]
    assert titles == ["Control review.selection received no input"]


def test_items_are_routed_to_the_least_loaded_delegate_who_was_not_a_party(
    ws: Workspace, tmp_path: Path
) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    to_ravi = item_for(ws, desk.ids["to_ravi"])
    assert to_ravi is not None and to_ravi["assignee"] == "rita", "ravi received it: skipped"
    assert [n["text"] for n in ws.alerts.notes(to_ravi["id"])] == [
        "Routing: delegate of paula with the fewest open review items (0); "
        "skipped ravi (sent or received the message)"
    ]
    with ws.read() as conn:
        routes = conn.execute(sa.select(items.c.principal, items.c.routed_to)).all()
    assert sorted(routes) == [("paula", "ravi"), ("paula", "ravi"), ("paula", "rita"), ("paula", "rita")]


SAMPLING = {
    "id": "desk-sample",
    "version": "2026.1",
    "title": "Random sample of the desk's correspondence",
    "sla_business_days": 10,
    "populations": [{"name": "reps", "roles": ["registered_representative"]}],
    "sampling": {"seed": "2026-Q1-desk-7c1e", "rate": "30%"},
}


def quarterly_notes(count: int) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (
            f"note{n}",
            f"2026-01-02T{9 + n % 8:02d}:{n % 60:02d}:00-05:00",
            "dana@harborstreet.com",
            f"client{n}@gmail.example",
            f"Quarterly review {n}",
            f"Hi, are you free for our quarterly review? Your account {n} is on track.",
        )
        for n in range(count)
    ]


def sampled(ws: Workspace, doc: dict, desk: Desk, name: str) -> set[str]:
    version_id = propose_and_approve(ws, desk, doc, name)
    select(ws, "paula")
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(evaluations.c.message_id, evaluations.c.reasons).where(
                evaluations.c.version_id == version_id, evaluations.c.selected.is_(True)
            )
        ).all()
    for _, reasons in rows:
        (reason,) = reasons
        assert reason["kind"] == "sample" and reason["rate"] == 0.3 and reason["draw"] < 0.3
    return {m for m, _ in rows}


def test_sampling_with_the_same_seed_selects_the_same_messages_anywhere(
    ws: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    desk = build_desk(ws, tmp_path / "desk", policy=None)
    ingest_traffic(ws, desk, quarterly_notes(40))
    here = sampled(ws, SAMPLING, desk, "sample.yaml")
    assert 4 <= len(here) <= 24

    elsewhere = make_workspace(tmp_path / "elsewhere", FixedClock(clock.now() + timedelta(days=3)))
    try:
        staff = [
            ("ada", "admin"),
            ("paula", "principal"),
            ("carl", "principal"),
            ("ravi", "reviewer"),
            ("rita", "reviewer"),
        ]
        for name, role in staff:
            elsewhere.users.add(name, role, actor="ada", password="correct horse")
        other = build_desk(elsewhere, tmp_path / "other-desk", policy=None)
        ingest_traffic(elsewhere, other, quarterly_notes(40))
        assert sampled(elsewhere, SAMPLING, other, "sample.yaml") == here
    finally:
        elsewhere.close()

    reseeded = {**SAMPLING, "sampling": {**SAMPLING["sampling"], "seed": "2026-Q1-desk-9d02"}}
    assert sampled(ws, reseeded, desk, "reseeded.yaml") != here, "a new seed draws a new sample"
    policy = load_policy(desk.root / "sample.yaml")
    version = policy_version_hash(policy)
    for tag, message_id in desk.ids.items():
        if tag.startswith("note"):
            assert (sample_draw(policy.sampling.seed, version, message_id) < 0.3) == (message_id in here)
