"""A proposed retention schedule is replayed against the archive before anyone approves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from proctor.comms.retention_changes import apply_schedule, approve_schedule, propose_schedule
from proctor.comms.retention_replay import replay
from proctor.core.errors import NotFound
from tests.comms.records_support import desk_traffic, ingest_emails, register

SEVEN_YEARS = """\
version: "harbor-2026.1"
effective_from: "2026-01-01"
source: "Harbor Street WSP 7.2"
default: {retain_years: 6, accessible_years: 2, citation: "FINRA Rule 4511(b)"}
rules:
  - {kind: mailbox, retain_years: 7, accessible_years: 2, citation: "17 CFR 240.17a-4(b)(4); WSP 7.2"}
"""
BACK_TO_THREE = SEVEN_YEARS.replace("harbor-2026.1", "harbor-2026.2").replace(
    "retain_years: 7", "retain_years: 3"
)


def _propose(ws, tmp_path: Path, text: str, reason: str) -> str:
    path = tmp_path / "schedule.yaml"
    path.write_text(text, "utf-8")
    return str(propose_schedule(ws, "paula", path, reason)["version"])


def test_a_shorter_period_shows_how_many_kept_records_it_would_release_at_once(ws, tmp_path: Path) -> None:
    register(ws)
    # Twelve e-mails a quarter apart from June 2022; the workspace clock reads 5 January 2026.
    ingest_emails(
        ws, tmp_path / "mail", desk_traffic(datetime(2022, 6, 1, 14, tzinfo=UTC), 12, timedelta(days=90))
    )
    approve_schedule(ws, "carl", _propose(ws, tmp_path, SEVEN_YEARS, "WSP 7.2 keeps e-mail seven years"))
    apply_schedule(ws, "paula")  # every record now kept seven years
    version = _propose(ws, tmp_path, BACK_TO_THREE, "Back to the regulatory three years for e-mail")

    shown = replay(ws, version)
    assert shown["in_force"] == "harbor-2026.1" and shown["status"] == "proposed"
    (mailbox,) = shown["kinds"]
    assert (mailbox["kind"], mailbox["records"]) == ("mailbox", 12)
    assert (mailbox["retain_years_in_force"], mailbox["retain_years_proposed"], mailbox["change"]) == (
        3 + 4,
        3,
        "shorter",
    )
    # Sent 1 June, 30 August and 28 November 2022: more than three years before 5 January 2026.
    assert mailbox["released_at_once"] == 3 and shown["released_at_once"] == 3
    assert "before legal holds" in shown["note"]


def test_a_longer_period_releases_nothing(ws, tmp_path: Path) -> None:
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(datetime(2025, 6, 2, 14, tzinfo=UTC), 4))
    (mailbox,) = replay(ws, _propose(ws, tmp_path, SEVEN_YEARS, "WSP 7.2 keeps e-mail seven years"))["kinds"]
    assert (mailbox["change"], mailbox["released_at_once"], mailbox["records"]) == ("longer", 0, 4)


def test_an_unknown_version_is_named(ws) -> None:
    with pytest.raises(NotFound, match="no retention version 'harbor-1999'"):
        replay(ws, "harbor-1999")
