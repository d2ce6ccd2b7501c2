"""The search index decides what a regulator's search finds; `journal verify` checks it against records."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from proctor.comms.search import check_search_index
from proctor.comms.tables import participants, search_rows
from tests.comms.records_support import desk_traffic, ingest_emails, register

PROCTOR = Path(sys.executable).parent / "proctor"
START = datetime(2025, 11, 3, 14, tzinfo=UTC)


def archive(ws, tmp_path: Path) -> list[str]:
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(START, 4))
    with ws.read() as conn:
        return [m for (m,) in conn.execute(sa.select(search_rows.c.message).order_by(search_rows.c.doc))]


def verify_cli(ws) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROCTOR), "journal", "verify", "-w", str(ws.path)], capture_output=True, text=True, check=False
    )


def test_an_intact_index_passes(ws, tmp_path: Path) -> None:
    archive(ws, tmp_path)
    assert check_search_index(ws) == []


def test_a_changed_index_row_is_found_and_named(ws, tmp_path: Path) -> None:
    ids = archive(ws, tmp_path)
    with ws.engine.begin() as conn:
        conn.execute(
            search_rows.update().where(search_rows.c.message == ids[0]).values(text="Nothing to see here.")
        )
    problems = check_search_index(ws)
    assert problems == [f"search index row for record {ids[0]} differs from the record in text"]
    failed = verify_cli(ws)
    assert failed.returncode == 1 and ids[0] in failed.stderr


def test_a_deleted_index_row_or_a_hidden_participant_is_found(ws, tmp_path: Path) -> None:
    ids = archive(ws, tmp_path)
    with ws.engine.begin() as conn:
        conn.execute(search_rows.delete().where(search_rows.c.message == ids[1]))
        doc = conn.execute(sa.select(search_rows.c.doc).where(search_rows.c.message == ids[2])).scalar_one()
        conn.execute(participants.delete().where(participants.c.doc == doc))
    problems = check_search_index(ws)
    assert f"record {ids[1]} is not in the search index: no search can find it" in problems
    assert f"search index row for record {ids[2]} differs from the record in participants" in problems
