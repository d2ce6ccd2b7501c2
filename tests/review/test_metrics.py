"""Review metrics: timeliness per principal, hit and false-positive rates per term, sampling; and
the demo, which stages the case's gap and a reviewed, an escalated and an overdue item."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from proctor.comms.demo import seed_demo as seed_comms
from proctor.core.clock import FixedClock
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from proctor.review.coverage import load_report
from proctor.review.decisions import decide
from proctor.review.metrics import review_metrics
from proctor.review.plugin import seed_demo
from proctor.review.run import select
from tests.review.review_support import build_desk, item_for


def test_timeliness_backlog_and_per_term_rates(ws: Workspace, clock: FixedClock, tmp_path: Path) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    guarantee = item_for(ws, desk.ids["guarantee"])
    evasion = item_for(ws, desk.ids["evasion"])
    assert guarantee is not None and evasion is not None
    decide(
        ws,
        guarantee["id"],
        "no_issue",
        "Coupon from the prospectus, not a promise.",
        actor="ravi",
        false_positive=True,
    )
    ws.alerts.approve(guarantee["id"], actor="paula")
    clock.current = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)  # after the Thursday deadline
    decide(
        ws,
        evasion["id"],
        "escalate",
        "Off-channel request to a complaining client.",
        actor=evasion["assignee"],
    )

    data = review_metrics(ws)
    (paula,) = data["by_principal"]
    assert (paula["principal"], paula["items"], paula["decided"], paula["decided_on_time"]) == (
        "paula",
        4,
        2,
        1,
    )
    assert (paula["open"], paula["overdue"], paula["on_time_rate"]) == (2, 2, 0.5)
    assert paula["open_by_age_business_days"] == {"0-2": 0, "3-5": 2, "6-10": 0, "11+": 0}
    terms = {(t["rule_id"], t["term"]): t for t in data["terms"]}
    risk_free = terms[("guarantees", "risk free")]
    assert (risk_free["messages_in_scope"], risk_free["messages_hit"], risk_free["hit_rate"]) == (5, 2, 0.4)
    assert (risk_free["items"], risk_free["decided"], risk_free["false_positive_rate"]) == (2, 1, 1.0)
    text_me = terms[("evasion", "text me")]
    assert (text_me["escalated"], text_me["false_positive_rate"]) == (1, 0.0)
    assert data["sampling"] == []


def test_the_demo_stages_the_gap_and_every_review_state(ws: Workspace) -> None:
    seed_comms(ws, "ada")
    summary = seed_demo(ws, "ada")
    assert summary["policies"] == ["lexicon-correspondence", "random-sample-correspondence"]
    assert summary["overdue_items"] >= 1 and summary["items_selected"] > 20
    assert {"reviewed", "escalated", "information_requested", "exemption"} <= set(summary)
    sla = ws.controls.run("review.sla", actor="paula")
    assert sla["outcome"] == "findings"
    coverage = ws.controls.run("review.coverage", actor="paula")
    report = load_report(ws, coverage["summary"]["report_id"])
    assert report is not None
    gaps = {r["target"] for r in report["entries"] if r["status"] == "gap"}
    assert {
        "clientservice@harborstreet.com",
        "support@harborstreet.com",
        "tradesupport@harborstreet.com",
    } <= gaps
    assert {r["target"] for r in report["entries"] if r["status"] == "exempt"} == {"noreply@harborstreet.com"}
    metrics = review_metrics(ws)
    assert {p["principal"] for p in metrics["by_principal"]} == {"paula", "carl"}
    (sample,) = [s for s in metrics["sampling"] if s["policy"] == "random-sample-correspondence"]
    assert sample["sampled"] > 0 and sample["configured_default_rate"] == 0.02
    assert verify_journal(ws.engine, ws.blobs).intact
