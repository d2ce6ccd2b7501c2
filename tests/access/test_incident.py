"""Reg S-P incidents: clocks, presumption of notice and its rebuttal, AG delay, notices, the pack."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from proctor.access import incidents as inc
from proctor.access.evidence_pack import export_pack
from proctor.access.notices import CONTENT_ITEMS, FirmContact
from proctor.core.clock import FixedClock
from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery
from tests.access.activity_firm import insurer_firm, load_insurer_log
from tests.access.firm import at, t
from tests.conftest import REPO

CONTACT = FirmContact(
    "Harbor Street Securities LLC",
    "Privacy Office",
    "1-800-555-0142",
    "privacy@harborstreet.example",
    "100 Harbor Street, Boston, MA 02110",
)
AWARE = "2017-05-17T12:00:00+00:00"


@pytest.fixture
def incident(sqlite_ws: Workspace, clock: FixedClock, tmp_path: Path) -> tuple[Workspace, str]:
    ws = sqlite_ws
    for name, role in (("carl", "principal"), ("otto", "auditor"), ("fiona", "finop")):
        ws.users.add(name, role, actor="ada", password="correct horse")
    insurer_firm(ws, clock, tmp_path)
    load_insurer_log(ws, clock, tmp_path)
    for control in ("access.post_termination", "access.npi_exposure"):
        ws.controls.run(control, actor="ada", as_of=t(AWARE))
    rows, _ = ws.alerts.query(AlertQuery(module="access", page_size=100))
    ids = [r["id"] for r in rows if r["rule_id"] in ("access.post_termination", "access.npi_exposure.leaver")]
    row = inc.open_incident(ws, ids, actor="paula", aware_at=t(AWARE))
    return ws, row["id"]


def _clocks(ws: Workspace, clock: FixedClock, when: str) -> list[str]:
    at(clock, when)
    run = ws.controls.run("access.incident_clocks", actor="ada", as_of=t(when))
    return sorted(
        ws.alerts.get(a)["evidence"]["clock"] + ":" + ws.alerts.get(a)["evidence"]["stage"]
        for a in run["alert_ids"]
    )


def test_open_sets_both_clocks_and_names_the_affected_customers(incident: tuple[Workspace, str]) -> None:
    ws, iid = incident
    row = inc.get(ws, iid)
    assert row["customer_deadline"] == t("2017-06-16T12:00:00+00:00")
    assert row["provider"] == "access@insurer.example"
    assert row["provider_deadline"] == t("2017-05-20T12:00:00+00:00")
    assert [(a["login_id"], a["employee_id"]) for a in row["accounts"]] == [
        ("MSI002", "E2"),
        ("MSI003", "E3"),
        ("msi003", "E3"),
    ]
    shown = inc.show(ws, iid, actor="otto")
    got = {c["customer"]: (c["seen"], c["downloaded"], c["printed"]) for c in shown["customers"]}
    assert got == {"C-448812": (1, 1, 1), "C-7": (0, 1, 0)}  # C-8 was viewed while still employed
    with pytest.raises(PermissionDenied):
        inc.show(ws, iid, actor="fiona")  # no NPI view for a FINOP
    with pytest.raises(PermissionDenied):
        inc.open_incident(ws, row["alert_ids"], actor="otto")  # auditors read, never act


def test_clocks_warn_before_they_run_out(incident: tuple[Workspace, str], clock: FixedClock) -> None:
    ws, iid = incident
    assert _clocks(ws, clock, "2017-05-18T12:00:00+00:00") == []
    assert _clocks(ws, clock, "2017-05-19T13:00:00+00:00") == ["provider:24h"]
    assert _clocks(ws, clock, "2017-05-20T13:00:00+00:00") == ["provider:overdue"]
    inc.record_provider_notice(
        ws,
        iid,
        actor="paula",
        received_at=t("2017-05-20T13:00:00+00:00"),
        aware_at=None,
        summary="Insurer confirms 2 accounts used after termination; now disabled.",
    )
    assert inc.get(ws, iid)["provider_notified_at"] is not None
    assert _clocks(ws, clock, "2017-06-10T12:00:00+00:00") == ["customer:7d"]
    assert _clocks(ws, clock, "2017-06-15T12:00:00+00:00") == ["customer:48h"]
    assert _clocks(ws, clock, "2017-06-16T12:00:01+00:00") == ["customer:overdue"]


def test_the_presumption_of_notice_is_rebutted_only_with_a_second_persons_approval(
    incident: tuple[Workspace, str], clock: FixedClock
) -> None:
    ws, iid = incident
    findings = (
        "The insurer's logs show the printed record was retrieved by the departed representative's "
        "new firm's compliance team and destroyed; signed attestation on file."
    )
    inc.propose_rebuttal(ws, iid, findings, actor="paula")
    with pytest.raises(PermissionDenied, match="proposer cannot approve"):
        inc.approve_rebuttal(ws, iid, actor="paula")
    with pytest.raises(PermissionDenied):
        inc.approve_rebuttal(ws, iid, actor="ravi")
    inc.approve_rebuttal(ws, iid, actor="carl", comment="Investigation is reasonable.")
    assert inc.get(ws, iid)["notice_status"] == "rebutted"
    assert _clocks(ws, clock, "2017-06-15T12:00:00+00:00") == ["provider:overdue"]
    kinds = [s["kind"] for s in inc.steps(ws, iid)]
    assert kinds == ["opened", "rebuttal_proposed", "rebuttal_approved"]


def test_the_attorney_general_delay_is_a_dated_fact_that_moves_the_deadline(
    incident: tuple[Workspace, str],
) -> None:
    ws, iid = incident
    inc.record_ag_delay(
        ws,
        iid,
        actor="paula",
        requested_at=t("2017-06-01T15:00:00+00:00"),
        days=30,
        reference="DOJ letter 2017-0601",
    )
    assert inc.deadline(inc.get(ws, iid)) == t("2017-07-16T12:00:00+00:00")
    with pytest.raises(InputError, match="1 to 30 days"):
        inc.record_ag_delay(
            ws,
            iid,
            actor="paula",
            requested_at=t("2017-06-02T15:00:00+00:00"),
            days=45,
            reference="DOJ letter 2",
        )


def test_close_needs_the_duties_discharged(incident: tuple[Workspace, str], clock: FixedClock) -> None:
    ws, iid = incident
    with pytest.raises(InvalidTransition, match="determine"):
        inc.close(ws, iid, actor="paula", rationale="All done with this incident.")
    inc.determine_sensitive(
        ws, iid, True, actor="paula", rationale="Policy record with name and policy number."
    )
    with pytest.raises(InvalidTransition, match="customer notice is required"):
        inc.close(ws, iid, actor="paula", rationale="All done with this incident.")
    with pytest.raises(InvalidTransition, match="draft the notices first"):
        inc.record_notices_sent(ws, iid, actor="paula", sent_at=t(AWARE), method="mail")
    inc.draft_notices(
        ws, iid, CONTACT, "We had the insurer disable every account the same day.", actor="paula"
    )
    inc.record_notices_sent(
        ws, iid, actor="paula", sent_at=t("2017-05-20T10:00:00+00:00"), method="first-class mail"
    )
    with pytest.raises(InvalidTransition, match="service provider"):
        inc.close(ws, iid, actor="paula", rationale="All done with this incident.")
    inc.record_provider_notice(
        ws,
        iid,
        actor="paula",
        received_at=t("2017-05-19T09:00:00+00:00"),
        aware_at=t("2017-05-17T15:00:00+00:00"),
        summary="Insurer's breach notice received.",
    )
    at(clock, "2017-05-21T12:00:00+00:00")
    inc.close(ws, iid, actor="paula", rationale="Notices sent on time; accounts disabled; procedure amended.")
    assert inc.get(ws, iid)["status"] == "closed"


def _verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / "verify_proof.py"), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_examiner_pack_verifies_and_any_altered_file_fails(
    incident: tuple[Workspace, str], tmp_path: Path
) -> None:
    ws, iid = incident
    inc.notify_provider(ws, iid, actor="paula")
    inc.determine_sensitive(
        ws, iid, True, actor="paula", rationale="Policy record with name and policy number."
    )
    inc.draft_notices(
        ws, iid, CONTACT, "We had the insurer disable every account the same day.", actor="paula"
    )
    out = tmp_path / "pack"
    result = export_pack(ws, iid, out, actor="otto")
    assert result["customers"] == 2 and result["accounts"] == 3
    notice = (out / "notices" / "customer-C-448812.txt").read_text()
    assert all(f"[{key}]" in notice for key, _ in CONTENT_ITEMS)
    assert "downloaded, printed" in notice and "1-800-555-0142" in notice
    history = (out / "access_history" / "insurer__MSI002.json").read_text()
    assert '"termination_effective": "2017-05-01T21:00:00' in history
    assert (out / "affected_customers.csv").read_text().splitlines()[1].startswith("C-448812,customer")
    ok = _verify(out)
    assert ok.returncode == 0, ok.stdout[-2000:]
    roles = {
        "notices/customer-C-448812.txt",
        "affected_customers.csv",
        "records/incident/" + iid + ".json",
        "timeline.json",
        next(str(p.relative_to(out)) for p in out.glob("activity/**/*.parquet")),
    }
    with pytest.raises(InputError, match="new or empty"):
        export_pack(ws, iid, out, actor="otto")
    for rel in sorted(roles):
        target = out / rel
        original = target.read_bytes()
        target.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        assert _verify(out).returncode == 1, rel
        target.write_bytes(original)
    assert _verify(out).returncode == 0


def test_notice_needs_every_contact_item(incident: tuple[Workspace, str]) -> None:
    ws, iid = incident
    with pytest.raises(InputError, match="phone"):
        inc.draft_notices(
            ws,
            iid,
            FirmContact("Firm", "Office", "", "a@b.example", "1 Main St"),
            "We disabled the accounts the same day.",
            actor="paula",
        )
    assert timedelta(days=30) == inc.CUSTOMER_NOTICE
