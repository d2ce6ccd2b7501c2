"""The shared governance pieces: approvals, the business calendars, tabular intake, dates, rule tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.platform.approvals import SIX_EYES, ApprovalError, approve, reject, tally
from proctor.platform.calendar import FEDERAL_RESERVE, HOLIDAYS, NYSE
from proctor.platform.dates import parse_day, parse_instant
from proctor.platform.intake import Column, as_text, first_bad_row, read_csv, read_frame
from proctor.platform.ruletables import VersionRow, content_digest, in_force, read_document

# --- approvals --------------------------------------------------------------------------------------


def test_four_eyes_refuses_the_proposer_and_a_role_without_approval_rights(ws) -> None:
    facts = {"what": "retention version harbor-2026.1", "proposer": "paula", "status": "proposed"}
    with pytest.raises(ApprovalError, match="the proposer cannot approve it; a different person must"):
        approve(ws, "paula", **facts)
    with pytest.raises(PermissionDenied, match="approve changes"):
        approve(ws, "ravi", **facts)
    decision = approve(ws, "carl", **facts)
    assert decision.complete and decision.approvers == ["carl"]
    assert decision.records()[0]["role"] == "principal"
    with pytest.raises(InvalidTransition, match="is approved, not awaiting approval"):
        approve(ws, "carl", **{**facts, "status": "approved"})


def test_six_eyes_needs_two_distinct_approvers(ws) -> None:
    facts = {"what": "formula proposal RCP-1", "proposer": "fiona", "status": "proposed"}
    first = approve(ws, "carl", **facts, rule=SIX_EYES)
    assert not first.complete
    with pytest.raises(ApprovalError, match="carl has already approved"):
        approve(ws, "carl", **facts, approvals=first.records(), rule=SIX_EYES)
    assert approve(ws, "paula", **facts, approvals=first.records(), rule=SIX_EYES).complete
    assert not tally("x", "fiona", ["carl"], 2).complete


def test_a_rejection_is_refused_to_the_proposer_unless_the_workflow_lets_them_withdraw(ws) -> None:
    facts = {"what": "policy version RPV-1", "proposer": "paula", "status": "proposed"}
    with pytest.raises(ApprovalError, match="a different person must decide on it"):
        reject(ws, "paula", **facts)
    reject(ws, "paula", **facts, proposer_may_withdraw=True)
    reject(ws, "carl", **facts)


# --- calendars --------------------------------------------------------------------------------------


def test_bank_and_market_calendars_differ_where_their_holidays_do() -> None:
    good_friday, columbus, veterans = date(2026, 4, 3), date(2026, 10, 12), date(2026, 11, 11)
    assert not NYSE.is_business_day(good_friday) and FEDERAL_RESERVE.is_business_day(good_friday)
    assert NYSE.is_business_day(columbus) and not FEDERAL_RESERVE.is_business_day(columbus)
    assert NYSE.is_business_day(veterans) and not FEDERAL_RESERVE.is_business_day(veterans)
    # 4 July 2026 is a Saturday: the market closes on Friday 3 July, the Federal Reserve does not.
    assert date(2026, 7, 3) in NYSE.holidays_of(2026)
    assert date(2026, 7, 3) not in FEDERAL_RESERVE.holidays_of(2026)
    assert HOLIDAYS["juneteenth_fed"].since == 2021 and HOLIDAYS["juneteenth_nyse"].since == 2022


def test_closures_deadlines_and_counting() -> None:
    closed = FEDERAL_RESERVE.with_closures({date(2026, 1, 6)})
    assert closed.add_business_days(date(2026, 1, 2), 2) == date(2026, 1, 7)
    assert closed.deposit_deadline(date(2026, 1, 2)).isoformat() == "2026-01-07T10:00:00-05:00"
    assert NYSE.add_business_days(date(2026, 1, 17), 0) == date(2026, 1, 20)  # Saturday -> Tuesday after MLK
    assert NYSE.business_days_between(date(2026, 1, 16), date(2026, 1, 20)) == 1
    assert NYSE.deadline(datetime(2026, 1, 16, 20, 0, tzinfo=UTC), 1) == datetime(
        2026, 1, 21, 4, 59, 59, tzinfo=UTC
    )


# --- intake -----------------------------------------------------------------------------------------

COLUMNS = (
    Column("employee_id", required=True, check=lambda v: None if v.startswith("E") else "is not an E-number"),
    Column("name", required=True),
    Column("terminated_on"),
)


def test_a_strict_read_names_file_row_and_field_and_a_blank_cell_is_missing() -> None:
    table = read_csv(
        b"employee_id,name,terminated_on\nE1,Dana Whitfield,\nE2,Lee Park,2026-01-09\n", "hr.csv", COLUMNS
    )
    assert [r["terminated_on"] for r in table] == [None, "2026-01-09"]
    with pytest.raises(InputError, match=r"hr\.csv, row 3, field 'employee_id': is not an E-number"):
        read_csv(b"employee_id,name\nE1,Dana\n42,Lee\n", "hr.csv", COLUMNS)
    with pytest.raises(InputError, match=r"row 1: header lacks name"):
        read_csv(b"employee_id\nE1\n", "hr.csv", COLUMNS)
    with pytest.raises(InputError, match="unknown column"):
        read_csv(b"employee_id,name,desk\nE1,Dana,equities\n", "hr.csv", COLUMNS)
    with pytest.raises(InputError, match="not UTF-8"):
        read_csv(b"employee_id,name\nE1,\xff\n", "hr.csv", COLUMNS)


def test_quarantine_keeps_going_and_counts_what_it_set_aside() -> None:
    data = b"employee_id,name\nE1,Dana\n42,Lee\nE3,Kim,extra\nE4,Ana\n"
    table = read_csv(data, "hr.csv", COLUMNS, quarantine=True)
    assert [r["employee_id"] for r in table] == ["E1", "E4"]
    assert [(q.row, q.field, q.reason) for q in table.quarantined] == [
        (3, "employee_id", "is not an E-number"),
        (4, None, "more fields than the header"),
    ]
    assert table.counts() == {"read": 4, "accepted": 2, "quarantined": 2}


def test_frames_are_text_with_missing_as_null_and_floats_refused(tmp_path: Path) -> None:
    path = tmp_path / "balances.csv"
    path.write_text("account,amount\nA1,10.00\nA2,\nA3,x\n", encoding="utf-8")
    _raw, frame = read_frame(path)
    assert frame["amount"].to_list() == ["10.00", None, "x"]
    assert first_bad_row(frame, pl.col("amount").str.contains(r"^[0-9]+\.[0-9]{2}$"), "amount") == 2
    with pytest.raises(InputError, match="not floating point"):
        as_text(pl.DataFrame({"amount": [1.5]}), "balances.parquet")


# --- dates and rule tables --------------------------------------------------------------------------


def test_one_parser_for_dates_and_instants_on_the_command_line() -> None:
    assert parse_day("2026-01-05", "--until") == date(2026, 1, 5)
    assert parse_instant("2026-01-05", "--as-of") == datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC)
    assert parse_instant("2026-01-05", "--since", bare_date="start") == datetime(2026, 1, 5, tzinfo=UTC)
    assert parse_instant("2026-01-05T09:30:00-05:00", "--as-of") == datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
    assert parse_instant(None, "--as-of") is None
    with pytest.raises(InputError, match="field '--as-of': not an ISO-8601"):
        parse_instant("5 Jan", "--as-of")
    with pytest.raises(InputError, match="field '--until': not a date"):
        parse_day("2026-02-30", "--until")


def test_the_version_in_force_is_the_latest_approved_effective_one() -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    rows = [
        VersionRow("2025.1", "approved", date(2025, 1, 1), at),
        VersionRow("2026.1", "approved", date(2026, 1, 1), at),
        VersionRow("2026.2", "approved", date(2026, 1, 1), datetime(2026, 1, 3, tzinfo=UTC)),
        VersionRow("2026.3", "proposed", date(2026, 1, 1), None),
        VersionRow("2027.1", "approved", date(2027, 1, 1), at),
    ]
    assert in_force(rows, date(2026, 6, 1)).version == "2026.2"  # type: ignore[union-attr]
    assert in_force(rows, date(2024, 6, 1)) is None
    assert content_digest({"b": 1, "a": date(2026, 1, 1)}) == content_digest({"a": "2026-01-01", "b": 1})
    with pytest.raises(InputError, match=r"schedule\.yaml: not valid YAML"):
        read_document("version: [", "schedule.yaml")
