"""The case replayed: five former representatives alerted, the printed record critical, the pack verifies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from proctor.access.activity_demo import NEW_LEAVERS, PRINTED_RECORD, SAM, seed_activity
from proctor.access.demo import seed_demo
from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery
from tests.conftest import REPO


def test_the_case_is_caught_the_day_the_insurers_log_arrives(ws: Workspace) -> None:
    seed_demo(ws, "ada")
    summary = seed_activity(ws, "ada")
    rows, _ = ws.alerts.query(AlertQuery(module="access", page_size=500))
    alerts = [ws.alerts.get(r["id"]) for r in rows]
    post = [a for a in alerts if a["control"] == "access.post_termination"]
    people = {a["evidence"]["employee_id"] for a in post}
    assert people == {SAM[0], *(eid for eid, *_ in NEW_LEAVERS)}  # all five, nobody else
    assert len(post) == 11  # one per person, system and day
    critical = [a for a in alerts if a["rule_id"] == "access.npi_exposure.leaver"]
    assert len(critical) == 1 and critical[0]["severity"] == "critical"
    assert critical[0]["evidence"]["records"] == [PRINTED_RECORD] and PRINTED_RECORD in critical[0]["title"]
    assert set(critical[0]["evidence"]["actions"]) == {"download", "print"}
    active = {"E2001", "E2002", "E2004", "E1001", "E1002"}
    assert not [a for a in post if a["evidence"]["employee_id"] in active]
    incident = summary["incident"]
    from proctor.access.incidents import get

    row = get(ws, incident)
    assert row["provider"] == "access-admin@northgate-insurance.example"
    assert row["customer_deadline"] - row["aware_at"] == __import__("datetime").timedelta(days=30)
    assert row["provider_deadline"] is not None
    pack = Path(summary["pack"])
    check = subprocess.run(
        [sys.executable, str(REPO / "tools" / "verify_proof.py"), str(pack)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout[-2000:]
    assert (pack / "notices" / f"customer-{PRINTED_RECORD}.txt").exists()
