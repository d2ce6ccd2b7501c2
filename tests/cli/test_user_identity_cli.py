"""`proctor user identity add|remove`: the same service the admin's users page calls, journaled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from proctor.platform import Workspace
from proctor.store.schema import journal_events

PROCTOR = Path(sys.executable).parent / "proctor"


def proctor(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROCTOR), *args, "-w", str(ws.path)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


def test_an_admin_adds_and_removes_an_identity_from_the_command_line(ws: Workspace) -> None:
    added = proctor(ws, "user", "identity", "add", "paula", "Paula.Reyes@harborstreet.com", "--as", "ada")
    assert added.returncode == 0, added.stderr
    assert "paula: paula.reyes@harborstreet.com" in added.stdout
    assert ws.users.get("paula").identities == frozenset({"paula.reyes@harborstreet.com"})
    taken = proctor(ws, "user", "identity", "add", "rita", "paula.reyes@harborstreet.com", "--as", "ada")
    assert taken.returncode == 2 and "already an identity of paula" in taken.stderr
    refused = proctor(
        ws, "user", "identity", "remove", "paula", "paula.reyes@harborstreet.com", "--as", "paula"
    )
    assert refused.returncode != 0 and ws.users.get("paula").identities
    removed = proctor(
        ws, "user", "identity", "remove", "paula", "paula.reyes@harborstreet.com", "--as", "ada"
    )
    assert removed.returncode == 0, removed.stderr
    assert ws.users.get("paula").identities == frozenset()
    with ws.read() as conn:
        events = [
            (r.event_type, r.actor)
            for r in conn.execute(
                sa.select(journal_events.c.event_type, journal_events.c.actor)
                .where(
                    journal_events.c.subject_id == "paula",
                    journal_events.c.event_type.like("user.identity_%"),
                )
                .order_by(journal_events.c.seq)
            )
        ]
    assert events == [("user.identity_added", "ada"), ("user.identity_removed", "ada")]
