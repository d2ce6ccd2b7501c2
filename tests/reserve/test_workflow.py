"""The reserve workflow on a workspace (SQLite and PostgreSQL): inputs to sign-off, change control,
hindsight re-run, all journaled."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.core.errors import PermissionDenied
from proctor.journal.verify import verify_journal
from proctor.platform.alerts import AlertQuery
from proctor.platform.approvals import ApprovalError
from proctor.reserve import governance, service
from proctor.reserve.errors import ReserveError
from proctor.reserve.writer import write_book
from proctor.store.schema import journal_events
from tests.reserve.books import FIRM, carrying_firm

WEEK1 = date(2025, 12, 26)  # Friday after Christmas
WEEK2 = date(2026, 1, 2)  # Friday after New Year's Day


def _load(ws, tmp_path: Path, as_of: date, tables, name: str, **kw):
    folder = tmp_path / name
    write_book(folder, tables, FIRM)
    return service.load_inputs(ws, folder, as_of, actor="fiona", **kw)


def _titles(ws) -> list[str]:
    rows, _ = ws.alerts.query(AlertQuery(page_size=500))
    return [r["title"] for r in rows]


def test_compute_explain_and_sign_off(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, WEEK1, carrying_firm(), "w1")
    outcome = service.compute_of_record(ws, WEEK1, actor="fiona")
    customer = outcome.rows["customer"]
    assert customer["status"] == "COMPUTED"
    assert customer["requirement"] == 5_713_000 and customer["deficiency"] == 1_213_000
    # Monday 29 and Tuesday 30 December are business days: due Tuesday 10:00 New York (15:00 UTC)
    assert customer["deadline"].isoformat() == "2025-12-30T15:00:00+00:00"
    assert customer["notice"]["rule"] == "SEA Rule 15c3-3(i)"
    assert any("Deficiency of $12,130.00 in the customer reserve" in t for t in _titles(ws))

    result = service.explain_item(ws, customer["id"], "1", actor="otto")
    assert result["total"] == 11_175_000
    assert {c["component"] for c in result["components"]} >= {"accounts.short_market_value"}
    with ws.read() as conn:
        viewed = conn.execute(
            sa.select(journal_events.c.event_type).where(
                journal_events.c.event_type == "reserve.lineage.viewed"
            )
        ).all()
    assert len(viewed) == 1

    with pytest.raises(PermissionDenied):
        service.sign_off(ws, customer["id"], actor="ada", statement="Looks right to the admin.")
    signed = service.sign_off(ws, customer["id"], actor="fiona", statement="Tied to GL and stock record.")
    assert signed["status"] == "SIGNED_OFF"
    assert verify_journal(ws.engine, ws.blobs).intact


def test_dropped_short_market_value_holds_then_correction_and_variance(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, WEEK1, carrying_firm(), "w1")
    service.compute_of_record(ws, WEEK1, actor="fiona")
    bad = carrying_firm()
    for row in bad["accounts"]:
        del row["short_market_value"]
    first = _load(ws, tmp_path, WEEK2, bad, "w2-new-feed")
    held = service.compute_of_record(ws, WEEK2, actor="fiona")
    assert held.gates.hold and held.rows["customer"]["status"] == "HOLD"
    assert held.rows["customer"]["requirement"] is None  # nothing computed, not zero
    assert any("is on HOLD" in t for t in _titles(ws))
    with pytest.raises(ReserveError, match="HOLD"):
        service.sign_off(ws, held.rows["customer"]["id"], actor="fiona", statement="Signing a hold.")

    fixed = carrying_firm()
    fixed["accounts"][0]["credit_balance"] = "400000.00"
    fixed["trial_balance"][0]["balance"] = "411000.00"
    _load(
        ws, tmp_path, WEEK2, fixed, "w2-fixed", supersedes=first["id"], reason="Reloaded from the prior feed."
    )
    row = service.compute_of_record(ws, WEEK2, actor="fiona").rows["customer"]
    assert row["status"] == "COMPUTED"
    assert [b["key"] for b in row["variance"]] == ["line:1", "line:16"]
    with pytest.raises(ReserveError, match="explain these variances"):
        service.sign_off(ws, row["id"], actor="fiona", statement="Reviewed.")
    for key in ("line:1", "line:16"):
        service.explain_variance(
            ws, row["id"], key, "Customer C001 deposited 300,000 on 31 December.", actor="fiona"
        )
    assert (
        service.sign_off(ws, row["id"], actor="fiona", statement="Reviewed and tied out.")["status"]
        == "SIGNED_OFF"
    )


def test_formula_change_needs_two_distinct_approvers_and_replays(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, WEEK1, carrying_firm(), "w1")
    service.compute_of_record(ws, WEEK1, actor="fiona")
    prop = governance.propose(
        ws,
        actor="fiona",
        kind="mapping",
        changes=[{"op": "map_component", "component": "other.dividend_payable", "item": "1"}],
        reason="Unclaimed customer dividends payable are customer credits (Item 1).",
        new_version="firm.2",
    )
    assert prop["diff"] == [{"what": "item 1 mapping", "old": None, "new": "other.dividend_payable"}]
    with pytest.raises(ApprovalError, match="proposer cannot approve"):
        governance.approve(ws, prop["id"], actor="fiona")
    with pytest.raises(ReserveError, match="only an approved version"):
        service.compute_of_record(ws, WEEK1, actor="fiona", rules_digest=prop["new_digest"])
    what_if = service.compute_of_record(
        ws, WEEK1, actor="fiona", rules_digest=prop["new_digest"], kind="what_if"
    )
    assert what_if.rows["customer"]["lines"]["1"] == 11_175_000 + 7_000
    governance.approve(ws, prop["id"], actor="carl")
    with pytest.raises(ApprovalError, match="already approved"):
        governance.approve(ws, prop["id"], actor="carl")
    done = governance.approve(ws, prop["id"], actor="paula")
    assert done["status"] == "approved"
    customer_replay = [r for r in done["replay"] if r["book"] == "customer"]
    assert customer_replay[0]["line_changes"] == {"1": 7_000, "16": 7_000}
    assert service.rules_of_record(ws).digest == prop["new_digest"]


def test_hindsight_rerun_after_a_data_correction(ws, tmp_path: Path) -> None:
    first = _load(ws, tmp_path, WEEK1, carrying_firm(), "w1")
    service.compute_of_record(ws, WEEK1, actor="fiona")
    corrected = carrying_firm()
    corrected["accounts"][3]["withholding_payable"] = "20150.00"  # withholding the old feed understated
    corrected["trial_balance"][1]["balance"] = "20150.00"
    _load(ws, tmp_path, WEEK1, corrected, "w1-fix", supersedes=first["id"], reason="Withholding understated.")
    findings = governance.rerun_hindsight(ws, WEEK1, WEEK1, actor="fiona")
    customer = next(f for f in findings if f["book"] == "customer")
    assert customer["corrected_requirement"] - customer["original_requirement"] == 2_000_000
    assert customer["hindsight_deficiency"] == 1_213_000 + 2_000_000
    assert customer["notice"]["subject"].startswith(
        "Rule 15c3-3(i) notice: customer reserve hindsight deficiency"
    )
    assert any("Hindsight deficiency" in t for t in _titles(ws))
    assert verify_journal(ws.engine, ws.blobs).intact
