"""Backtest over the real CERT LDAP leavers: every injected post-termination event is found."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from proctor.access import people, systems
from proctor.access.accounts import import_roster
from proctor.access.activity_store import import_activity
from proctor.core.clock import FixedClock
from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery
from tests.access.cert_backtest import activity, extract, rosters
from tests.conftest import SHARED_DATA

TARBALL = SHARED_DATA / "cert_ldap" / "LDAP.tar.gz"
END = datetime(2011, 6, 1, tzinfo=UTC)


def test_cert_leavers_backtest_full_recall_and_precision(
    sqlite_ws: Workspace, clock: FixedClock, tmp_path: Path
) -> None:
    if not TARBALL.exists():
        pytest.skip(f"shared data not present: {TARBALL}")
    ws = sqlite_ws
    bt = extract(TARBALL, tmp_path / "cert")
    assert len(bt.months) == 18 and len(bt.terminations) == 238
    clock.current = datetime(2011, 6, 1, 6, tzinfo=UTC)
    for instant, path in bt.months:
        people.import_hr(ws, path, actor="ada", as_of=instant, column_map="cert_ldap")
    systems.add_system(ws, "idp", kind="connected", actor="ada")
    systems.add_system(
        ws, "annuity", kind="vendor", npi=True, actor="ada", vendor_contact="ops@annuity.example"
    )
    idp_roster, vendor_roster = rosters(bt)
    (tmp_path / "idp.csv").write_bytes(idp_roster)
    (tmp_path / "vendor.csv").write_bytes(vendor_roster)
    first = bt.months[0][0]
    import_roster(ws, "idp", tmp_path / "idp.csv", actor="ada", as_of=first)
    import_roster(ws, "annuity", tmp_path / "vendor.csv", actor="ada", as_of=first)
    okta, vendor = activity(bt, END)
    (tmp_path / "okta.log").write_bytes(okta)
    (tmp_path / "vendor.log.csv").write_bytes(vendor)
    for name, system in (("okta.log", "idp"), ("vendor.log.csv", "annuity")):
        row = import_activity(ws, tmp_path / name, system, actor="ada", as_of=END)
        assert row["quarantined"] == [] and row["stored"] == row["lines"]
    run = ws.controls.run("access.post_termination", actor="ada", as_of=END, params={"lookback_days": 600})
    rows, _ = ws.alerts.query(AlertQuery(control="access.post_termination", page_size=5000))
    alerts = [ws.alerts.get(r["id"]) for r in rows if r["rule_id"] == "access.post_termination"]
    predicted = {
        (a["evidence"]["employee_id"], a["evidence"]["system"], a["evidence"]["day"]) for a in alerts
    }
    hit = predicted & bt.truth
    recall, precision = len(hit) / len(bt.truth), len(hit) / len(predicted)
    seen = {
        (a["evidence"]["system"], e["login_id"], e["ts"]) for a in alerts for e in a["evidence"]["timeline"]
    }
    missed = [i for i in bt.injected if (i[0], i[1], i[2].strftime("%Y-%m-%dT%H:%M:%S.%fZ")) not in seen]
    assert len(bt.truth) > 200 and run["input_count"] > 50_000
    assert recall == 1.0, sorted(bt.truth - predicted)[:5]
    assert missed == []
    assert precision >= 0.95, sorted(predicted - bt.truth)[:5]
