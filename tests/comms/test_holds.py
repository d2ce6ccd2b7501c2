"""Legal holds: by custodian, by source and dates, by listed records; later matches are held too."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.comms.holds import (
    HoldCriteria,
    held_ids,
    hold_records,
    list_holds,
    place_hold,
    release_hold,
    sweep_holds,
)
from proctor.comms.tables import messages
from proctor.core.errors import InputError, InvalidTransition, PermissionDenied
from proctor.journal.verify import verify_journal
from tests.comms.records_support import desk_traffic, email, ingest_emails, register

START = datetime(2025, 11, 3, 14, tzinfo=UTC)


def all_ids(ws) -> dict[str, str]:
    """Record id -> the external party it was sent to."""
    with ws.read() as conn:
        return {
            r.id: next(p["address"] for p in r.participants if p["role"] == "to")
            for r in conn.execute(sa.select(messages.c.id, messages.c.participants))
        }


@pytest.fixture
def archive(ws, tmp_path: Path):
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(START, 9))
    return ws


def test_a_custodian_hold_lists_every_record_the_custodian_took_part_in(archive) -> None:
    ws = archive
    row = place_hold(
        ws,
        "paula",
        "SEC inquiry HO-14412",
        "SEC document request of 2026-01-05",
        HoldCriteria(custodians=("Wei@NorthFund.com",)),
    )
    expected = {rid for rid, to in all_ids(ws).items() if to == "wei@northfund.com"}
    assert (row["kind"], row["status"], row["records"]) == ("custodian", "active", 6)
    assert set(hold_records(ws, row["id"])) == expected
    assert row["criteria"]["custodians"] == ["wei@northfund.com"]
    with ws.read() as conn:
        assert set(held_ids(conn, all_ids(ws))) == expected
    assert verify_journal(ws.engine, ws.blobs).intact


def test_records_captured_after_placement_are_held_too(archive, tmp_path: Path) -> None:
    ws = archive
    hold = place_hold(
        ws,
        "paula",
        "Arbitration 26-00311",
        "customer arbitration claim filed",
        HoldCriteria(custodians=("ops@lakeside-capital.com",)),
    )
    later = email(
        "ravi@harborstreet.com",
        "ops@lakeside-capital.com",
        "Re: settlement",
        "Call me.",
        START + timedelta(days=30),
        901,
    )
    ingest_emails(ws, tmp_path / "later", [later])
    new_id = hashlib.sha256(later).hexdigest()
    assert new_id not in hold_records(ws, hold["id"])
    with ws.read() as conn:
        assert held_ids(conn, [new_id]) == {new_id: [hold["id"]]}
    assert sweep_holds(ws, "paula") == {hold["id"]: 1}
    assert new_id in hold_records(ws, hold["id"])
    assert sweep_holds(ws, "paula") == {}
    assert [h["records"] for h in list_holds(ws)] == [4]


def test_a_hold_by_source_and_date_range(archive) -> None:
    ws = archive
    row = place_hold(
        ws,
        "carl",
        "FINRA 8210 2026-0142",
        "request covers the first two days",
        HoldCriteria(sources=("desk-mail",), since=START, until=START + timedelta(hours=14)),
    )
    assert (row["kind"], row["records"]) == ("source", 3)


def test_a_hold_on_listed_records_refuses_unknown_ids(archive) -> None:
    ws = archive
    some = sorted(all_ids(ws))[:2]
    row = place_hold(
        ws, "paula", "Internal review 7", "two e-mails kept for review", HoldCriteria(records=tuple(some))
    )
    assert (row["kind"], sorted(hold_records(ws, row["id"]))) == ("records", some)
    with pytest.raises(InputError, match="no such record"):
        place_hold(
            ws,
            "paula",
            "Internal review 8",
            "a record that does not exist",
            HoldCriteria(records=("0" * 64,)),
        )


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        (HoldCriteria(), "criteria"),
        (HoldCriteria(since=START), "criteria"),
        (HoldCriteria(records=("a" * 64,), sources=("desk-mail",)), "records"),
        (HoldCriteria(sources=("desk-mail",), since=START, until=START - timedelta(days=1)), "since"),
    ],
)
def test_criteria_that_would_hold_everything_or_nothing_sensible_are_refused(
    archive, criteria, field
) -> None:
    with pytest.raises(InputError) as caught:
        place_hold(archive, "paula", "Matter", "a reason long enough", criteria)
    assert caught.value.field == field


def test_only_people_who_govern_records_place_and_release_holds(archive) -> None:
    ws = archive
    with pytest.raises(PermissionDenied):
        place_hold(ws, "ravi", "Matter", "a reviewer tries", HoldCriteria(sources=("desk-mail",)))
    hold = place_hold(ws, "paula", "Matter 9", "principal places it", HoldCriteria(sources=("desk-mail",)))
    with pytest.raises(PermissionDenied):
        release_hold(ws, "otto", hold["id"], "auditors change nothing")
    with pytest.raises(InputError, match="reason"):
        release_hold(ws, "carl", hold["id"], "done")


def test_releasing_keeps_what_the_hold_covered_on_record(archive) -> None:
    ws = archive
    hold = place_hold(
        ws, "paula", "Matter 10", "litigation hold notice 10", HoldCriteria(sources=("desk-mail",))
    )
    released = release_hold(ws, "carl", hold["id"], "matter closed by settlement on 2026-01-04")
    assert (released["status"], released["released_by"]) == ("released", "carl")
    assert len(hold_records(ws, hold["id"])) == 9
    with ws.read() as conn:
        assert held_ids(conn, all_ids(ws)) == {}
    with pytest.raises(InvalidTransition):
        release_hold(ws, "carl", hold["id"], "matter closed by settlement again")
    assert [h["status"] for h in list_holds(ws, "released")] == ["released"]
    assert verify_journal(ws.engine, ws.blobs).intact


def test_a_query_hold_holds_what_full_text_search_finds_now_and_later(archive, tmp_path: Path) -> None:
    ws = archive
    first = email(
        "ravi@harborstreet.com",
        "wei@northfund.com",
        "Private placement",
        "Confidential: the Lakeside offering closes Friday.",
        START + timedelta(days=2),
        700,
    )
    ingest_emails(ws, tmp_path / "offering", [first])
    hold = place_hold(
        ws,
        "paula",
        "SEC inquiry HO-14412",
        "offering communications requested",
        HoldCriteria(query="lakeside offering", sources=("desk-mail",)),
    )
    assert (hold["kind"], hold["records"]) == ("query", 1)
    assert hold_records(ws, hold["id"]) == [hashlib.sha256(first).hexdigest()]
    second = email(
        "rita@harborstreet.com",
        "ops@lakeside-capital.com",
        "Re: offering",
        "The Lakeside offering allocation is attached.",
        START + timedelta(days=3),
        701,
    )
    ingest_emails(ws, tmp_path / "offering-2", [second])
    assert sweep_holds(ws, "carl") == {hold["id"]: 1}
    assert hashlib.sha256(second).hexdigest() in hold_records(ws, hold["id"])
