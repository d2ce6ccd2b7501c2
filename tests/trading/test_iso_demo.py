"""The ISO demo day, seeded through the real importers, raises each failure of case 003 and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from proctor.core.clock import FixedClock
from proctor.core.errors import InvalidTransition, PermissionDenied
from proctor.platform.alerts import AlertQuery
from proctor.platform.directory import import_hierarchy
from proctor.trading import iso_service
from proctor.trading.iso_demo import seed_iso_demo
from proctor.trading.rejects import TagRule

CONTROLS = (
    "trading.trade_through",
    "trading.iso_outbound",
    "trading.depth_blindness",
    "trading.iso_rejects",
    "trading.modifier_review",
)


@pytest.fixture
def seeded(ws: Any, clock: FixedClock, tmp_path: Path) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    clock.current = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # the morning after the demo day
    (tmp_path / "h.csv").write_text("person,principal,delegates\nlee.park@harborstreet.com,carl,rita\n")
    import_hierarchy(ws, tmp_path / "h.csv", "ada")
    out = seed_iso_demo(ws, "ada")
    runs = {name: ws.controls.run(name, actor="paula") for name in CONTROLS}
    rows, _ = ws.alerts.query(AlertQuery(page_size=1000, module="trading"))
    return ws, {**out, "runs": runs}, [ws.alerts.get(r["id"]) for r in rows]


def _about(alerts: list[dict[str, Any]], trade_id: str) -> dict[str, dict[str, Any]]:
    return {a["control"] + ":" + a["rule_id"]: a for a in alerts if trade_id in a["title"]}


def test_each_failure_alerts_with_trade_venues_and_gap(seeded: Any) -> None:
    _, out, alerts = seeded
    s = out["scenarios"]
    late = _about(alerts, s["a_late_isos"])["trading.iso_outbound:reg_nms.611.b.6"]
    assert "ISOs to N, P 1400 ms from the execution" in late["title"]
    assert late["evidence"]["max_gap_ms"] == 1400.0 and late["evidence"]["desk"] == "OTC-ELECTRONIC"
    missed = _about(alerts, s["a_missed_venue"])["trading.iso_outbound:reg_nms.611.b.6"]
    assert "no valid ISO to P" in missed["title"] and missed["evidence"]["covered"] == ["N"]
    assert "trading.iso_outbound:reg_nms.611.b.6.unmarked" in _about(alerts, s["a_reverse_unmarked"])
    blind = _about(alerts, s["b_depth_blind"])["trading.depth_blindness:reg_nms.611.a.1.depth"]
    assert blind["evidence"]["venue"] == "Q" and blind["evidence"]["protected_level"] == 9
    manual = _about(alerts, s["c_manual_desk"])["trading.trade_through:reg_nms.611(a)"]
    assert manual["evidence"]["desk"] == "OTC-MANUAL" and manual["evidence"]["trader"] == "mike.manual"
    rejected = _about(alerts, s["d_rejected_not_rerouted"])[
        "trading.iso_rejects:reg_nms.611.a.1.rejected_iso"
    ]
    assert rejected["evidence"]["venue"] == "P"
    assert (
        "modifier 4"
        in _about(alerts, s["e_modifier_without_evidence"])[
            "trading.modifier_review:finra.3110.modifier_review"
        ]["title"]
    )


def test_lawful_look_alikes_raise_nothing(seeded: Any) -> None:
    _, out, alerts = seeded
    for name, trade_id in out["scenarios"].items():
        if name.startswith("lawful"):
            assert _about(alerts, trade_id) == {}, name
    normal = [a for a in alerts if "T0303-0" in a["title"] and int(a["title"].split("T0303-")[1][:3]) <= 40]
    assert normal == []


def test_reject_burst_alerts_in_one_run_and_desk_alerts_go_to_the_desk_supervisor(seeded: Any) -> None:
    _, out, alerts = seeded
    spikes = {
        a["title"].split(" rejected")[0] for a in alerts if a["rule_id"] == "finra.3110.iso_rejects.spike"
    }
    assert "ISO reject spike: venue K" in spikes and "ISO reject spike: clearing_firm CFAA" in spikes
    assert len(out["runs"]["trading.iso_rejects"]["new_alert_ids"]) >= 2
    desk = [a for a in alerts if (a["evidence"] or {}).get("desk")]
    assert {a["control"] for a in desk} >= {"trading.trade_through", "trading.iso_outbound"}
    assert all(a["assignee"] == "paula" for a in desk)  # OTC-MANUAL and OTC-ELECTRONIC -> paula


def test_manual_desk_trade_through_is_assigned_to_the_desk_supervisor(seeded: Any) -> None:
    _, out, alerts = seeded
    manual = _about(alerts, out["scenarios"]["c_manual_desk"])["trading.trade_through:reg_nms.611(a)"]
    assert manual["evidence"]["desk"] == "OTC-MANUAL"
    assert manual["assignee"] == "paula"  # OTC-MANUAL's principal in the supervision hierarchy
    routing = out["runs"]["trading.trade_through"]["after_raise"]
    assert routing["routed"][manual["id"]] == "paula" and routing["unrouted"] == {}
    assert out["imports"]["fix:2026-03-03"]["quarantined"] == 1  # the mangled line, counted


def test_bad_clearing_firm_tag_is_caught_before_the_next_order_once_approved(seeded: Any) -> None:
    ws, _, _ = seeded
    order = {"cl_ord_id": "NEXT1", "venue": "K", "clearing_firm": "CFAA", "is_iso": True}
    rule = TagRule("K", "clearing_firm", denied=("CFAA",), citation="EDGX reject text", reason="40 rejects")
    row = iso_service.add_tag_rule(ws, rule, actor="paula")
    assert iso_service.pre_route_check(ws, order) == []  # proposed only: checks nothing yet
    with pytest.raises(PermissionDenied):
        iso_service.approve_tag_rule(ws, row["id"], actor="paula")
    iso_service.approve_tag_rule(ws, row["id"], actor="carl")
    assert iso_service.pre_route_check(ws, order) == ["clearing_firm 'CFAA' is refused by venue K"]
    assert iso_service.pre_route_check(ws, {**order, "clearing_firm": "CLR1"}) == []


def test_a_rejected_tag_rule_never_checks_an_order(seeded: Any) -> None:
    ws, _, _ = seeded
    order = {"cl_ord_id": "NEXT2", "venue": "K", "clearing_firm": "CFBB", "is_iso": True}
    rule = TagRule(
        "K", "clearing_firm", denied=("CFBB",), citation="EDGX reject text", reason="a typo'd firm"
    )
    row = iso_service.add_tag_rule(ws, rule, actor="paula")
    with pytest.raises(PermissionDenied):
        iso_service.reject_tag_rule(ws, row["id"], actor="paula")  # not the proposer
    assert iso_service.reject_tag_rule(ws, row["id"], actor="carl")["status"] == "rejected"
    assert iso_service.pre_route_check(ws, order) == []
    with pytest.raises(InvalidTransition):
        iso_service.approve_tag_rule(ws, row["id"], actor="carl")
