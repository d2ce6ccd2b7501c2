"""What keeps the coverage register from calling a gap "covered".

A source registered but never connected has no messages, so no evaluation found it out of scope,
and the register used to list it as covered: the very state (a platform nobody connected) the
online-broker case was about. And a person whose only capturing source is itself a gap is not
covered either, whatever the policies say about him. Both are settled here, after the register's
rows are built, so every row's status follows from the statuses of the sources it depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GAP_TEXT = {
    "source_not_connected": "it is registered but its capture was never connected (or was disconnected)",
    "captured_only_by_gap_sources": "every source that captures it is itself a gap",
}


def source_gaps(source: dict[str, Any], evaluated: int, scoped: int) -> list[str]:
    gaps = []
    if source["capture_state"] != "connected":
        gaps.append("source_not_connected")
    if evaluated and not scoped:
        gaps.append("source_not_in_review_scope")
    return gaps


def settle(
    rows: list[dict[str, Any]],
    exempt: dict[str, dict[str, Any]],
    status: Callable[[list[str], dict[str, Any] | None], dict[str, Any]],
) -> None:
    """An entry captured only by sources that are gaps is a gap (unless itself exempt)."""
    gap_sources = {r["target"] for r in rows if r["kind"] == "source" and r["status"] == "gap"}
    for row in rows:
        if row["kind"] == "source" or not row["captured_by"]:
            continue
        if (
            all(s in gap_sources for s in row["captured_by"])
            and "captured_only_by_gap_sources" not in row["gaps"]
        ):
            row["gaps"] = [*row["gaps"], "captured_only_by_gap_sources"]
            row.update(status(row["gaps"], exempt.get(row["target"])))
