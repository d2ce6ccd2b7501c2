"""What follows every import: re-correlate, open deprovisioning tasks, close the ones a roster proves.

One function, called inside the importing transaction, so an HR export that terminates someone and
the tasks it owes are journaled together and a roster that shows an account gone closes its task
in the same commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def refresh(ws: Any, tx: Any, systems: list[str] | None = None, at: datetime | None = None) -> dict[str, int]:
    """`at`: the snapshot instant of the triggering import (default now: a reviewer's decision).
    Links and tasks are dated by it, not by when Proctor happened to process the import."""
    from proctor.access import correlation, tasks

    correlated = correlation.apply(ws, tx, systems, at)
    opened = tasks.open_for_leavers(ws, tx, systems, at)
    closed = tasks.close_proven(ws, tx, systems)
    return {**correlated, "tasks_opened": opened, "tasks_closed": closed}
