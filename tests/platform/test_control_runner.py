"""Controls are evidence: every run recorded, and silent failures raise alerts themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.conftest import make_workspace

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.controls import ControlOutcome, ControlRegistry, ControlSpec
from proctor.platform import builtin
from proctor.platform.alerts import AlertQuery

DAY = timedelta(days=1)


def quiet_source_check(ctx):
    seen = ctx.params.get("messages", 12)
    findings = []
    if seen < 10:
        findings.append(
            AlertDraft(
                "demo.volume",
                "demo.volume.low",
                "1",
                "Source sales-desk went quiet",
                Severity.HIGH,
                (Subject("source", "sales-desk"),),
                {"messages": seen},
            )
        )
    return ControlOutcome(
        input_count=seen, input_hash=f"h{seen}", findings=findings, summary={"messages": seen}
    )


def broken_check(ctx):
    raise RuntimeError("feed parser crashed on row 17")


@pytest.fixture
def runner_ws(tmp_path, clock):
    registry = ControlRegistry()
    registry.extend(
        [
            ControlSpec("demo.volume", "Source volume", "demo", DAY, quiet_source_check),
            ControlSpec("demo.broken", "A control whose feed parser crashes", "demo", DAY, broken_check),
        ]
    )
    registry.extend(builtin.CONTROLS)
    ws = make_workspace(tmp_path / "ws", clock, registry=registry)
    ws.users.add("ada", "admin", actor="ada", password="correct horse")
    ws.users.add("ravi", "reviewer", actor="ada", password="correct horse")
    yield ws
    ws.close()


def test_each_run_is_recorded_with_counts_and_hash(runner_ws):
    as_of = datetime(2026, 1, 5, 23, 59, tzinfo=UTC)
    run = runner_ws.controls.run("demo.volume", actor="ada", as_of=as_of)
    assert run["outcome"] == "passed"
    assert run["input_count"] == 12 and run["input_hash"] == "h12"
    assert run["as_of"] == as_of
    history = runner_ws.controls.history("demo.volume")
    assert [h["id"] for h in history] == [run["id"]]


def test_findings_become_alerts_once(runner_ws):
    first = runner_ws.controls.run("demo.volume", actor="ada", params={"messages": 3})
    second = runner_ws.controls.run("demo.volume", actor="ada", params={"messages": 3})
    assert first["outcome"] == "findings" and first["alerts_raised"] == 1
    assert second["alerts_raised"] == 0 and second["alert_ids"] == first["alert_ids"]


def test_a_crashing_control_is_recorded_as_failed_with_a_critical_alert(runner_ws):
    run = runner_ws.controls.run("demo.broken", actor="ada")
    assert run["outcome"] == "failed"
    assert "feed parser crashed on row 17" in run["error"]
    alert = runner_ws.alerts.get(run["alert_ids"][0])
    assert alert["severity"] == "critical" and alert["rule_id"] == "platform.control.failed"


def test_no_input_where_input_is_expected_raises_an_alert(runner_ws):
    run = runner_ws.controls.run("demo.volume", actor="ada", params={"messages": 0})
    assert run["outcome"] == "no_input"
    rules = {runner_ws.alerts.get(a)["rule_id"] for a in run["alert_ids"]}
    assert "platform.control.no_input" in rules


def test_a_control_that_stops_running_is_caught_by_control_health(runner_ws, clock):
    start = clock.now()
    runner_ws.controls.run("demo.volume", actor="ada", as_of=start)
    runner_ws.controls.run("demo.broken", actor="ada", as_of=start)
    clock.advance(3 * DAY)
    runner_ws.controls.run("demo.broken", actor="ada")  # demo.volume silently stopped
    status = {r["control"]: r for r in runner_ws.controls.status()}
    assert status["demo.volume"]["missed"] is True
    assert status["demo.broken"]["missed"] is False
    run = runner_ws.controls.run("platform.control_health", actor="ada")
    titles = [runner_ws.alerts.get(a)["title"] for a in run["alert_ids"]]
    assert "Control demo.volume missed its schedule" in titles


def test_journal_integrity_control_raises_on_tampering(runner_ws):
    import sqlalchemy as sa

    from proctor.store.schema import users

    assert runner_ws.controls.run("platform.journal_integrity", actor="ada")["outcome"] == "passed"
    with runner_ws.engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.name == "ravi").values(role="admin"))
    run = runner_ws.controls.run("platform.journal_integrity", actor="ada")
    assert run["outcome"] == "findings"
    alert = runner_ws.alerts.get(run["alert_ids"][0])
    assert alert["severity"] == "critical" and "user ravi" in alert["title"]


def test_reviewers_cannot_run_controls(runner_ws):
    from proctor.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        runner_ws.controls.run("demo.volume", actor="ravi")
    rows, total = runner_ws.alerts.query(AlertQuery())
    assert total == 0 and rows == []
