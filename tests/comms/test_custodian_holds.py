"""A custodian hold holds the person: every identity in the directory and every source covering him."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from proctor.comms.holds import HoldCriteria, held_ids, hold_records, place_hold
from proctor.comms.sources import SourceSpec, add_source
from proctor.comms.tables import messages
from proctor.platform.directory import EntrySpec, import_entries
from tests.comms.records_support import email, ingest_emails, register

START = datetime(2025, 11, 3, 14, tzinfo=UTC)
WEI = "wei.chen@harborstreet.com"


def _archive(ws, tmp_path: Path) -> dict[str, str]:
    """Wei's three identities, his own mailbox, a namesake at a client, and unrelated traffic."""
    import_entries(
        ws,
        [
            EntrySpec(WEI, "person", "Wei Chen", aliases=("wchen@harborstreet.com",)),
            EntrySpec("wchen.bbg", "chat_account", "Wei Chen (Bloomberg)", owner=WEI),
            EntrySpec("wei.chen@northfund.com", "person", "Wei Chen"),
            EntrySpec("ravi@harborstreet.com", "person", "Ravi Rao"),
        ],
        "ada",
        "test",
    )
    register(ws)  # desk-mail covers ravi
    add_source(
        ws,
        SourceSpec(
            name="wei-mailbox",
            kind="mailbox",
            owner="paula",
            covered=(WEI,),
            capture_state="connected",
            timezone="America/New_York",
        ),
        actor="ada",
    )
    at = [START + timedelta(hours=n) for n in range(5)]
    desk = [
        email(WEI, "client@northfund.com", "Primary address", "Allocation 1.", at[0], 1),
        email("ravi@harborstreet.com", "wchen@harborstreet.com", "Alias", "Allocation 2.", at[1], 2),
        email("ravi@harborstreet.com", "rita@harborstreet.com", "Unrelated", "Lunch?", at[2], 3),
    ]
    # in his own mailbox, a message to a distribution list he is on: his address appears nowhere
    own = [email("ops@lakeside-capital.com", "desk-list@harborstreet.com", "Via the list", "Fill.", at[3], 4)]
    ingest_emails(ws, tmp_path / "desk", desk)
    ingest_emails(ws, tmp_path / "own", own, source="wei-mailbox")
    with ws.read() as conn:
        return {r.subject: r.id for r in conn.execute(sa.select(messages.c.id, messages.c.subject))}


def test_a_custodian_hold_covers_his_aliases_accounts_and_mailbox(ws, tmp_path: Path) -> None:
    ids = _archive(ws, tmp_path)
    row = place_hold(
        ws,
        "paula",
        "SEC inquiry HO-2001",
        "SEC document request for Wei Chen",
        HoldCriteria(custodians=(WEI,)),
    )
    wanted = {ids["Primary address"], ids["Alias"], ids["Via the list"]}
    assert set(hold_records(ws, row["id"])) == wanted
    with ws.read() as conn:
        assert set(held_ids(conn, ids.values())) == wanted  # disposal sees the same person
    person = row["custodians"][0]
    assert person["person"] == WEI
    assert person["identities"] == ["wchen.bbg", "wchen@harborstreet.com", WEI]
    assert person["sources"] == ["wei-mailbox"]
    assert any("wei.chen@northfund.com has the same name" in d for d in person["to_confirm"])


def test_naming_an_alias_holds_the_same_person(ws, tmp_path: Path) -> None:
    ids = _archive(ws, tmp_path)
    row = place_hold(
        ws,
        "paula",
        "Arbitration 26-00312",
        "customer arbitration naming Wei Chen",
        HoldCriteria(custodians=("WChen@harborstreet.com",)),
    )
    assert ids["Via the list"] in hold_records(ws, row["id"])
    assert row["custodians"][0]["person"] == WEI


def test_an_address_the_directory_does_not_know_is_listed_for_confirmation(ws, tmp_path: Path) -> None:
    _archive(ws, tmp_path)
    row = place_hold(
        ws,
        "paula",
        "Inquiry 26-77",
        "regulator request naming a client",
        HoldCriteria(custodians=("client@northfund.com",)),
    )
    assert row["records"] == 1
    assert row["custodians"][0]["to_confirm"] == [
        "client@northfund.com is not in the firm directory: other addresses of this person are unknown"
    ]
