"""The coverage register tells the truth about sources nobody connected and the people behind them."""

from __future__ import annotations

from pathlib import Path

from proctor.comms.ingest import ingest
from proctor.comms.sources import SourceSpec, add_source
from proctor.platform import Workspace
from proctor.platform.directory import EntrySpec, import_entries
from proctor.review.coverage import coverage_report
from proctor.review.run import select
from tests.review.review_support import build_desk, mail

SAM = "sam@harborstreet.com"


def _rows(ws: Workspace) -> dict[str, dict]:
    return {r["target"]: r for r in coverage_report(ws, ws.clock.now())["entries"]}


def test_a_never_connected_source_with_no_messages_is_a_gap(ws: Workspace, tmp_path: Path) -> None:
    build_desk(ws, tmp_path / "desk")
    add_source(
        ws,
        SourceSpec(
            name="teams.desk",
            kind="chat_workspace",
            owner="IT collaboration",
            covered=("dana@harborstreet.com",),
        ),
        actor="ada",
    )
    row = _rows(ws)["teams.desk"]
    assert (row["status"], row["gaps"], row["messages"]) == ("gap", ["source_not_connected"], 0)
    assert _rows(ws)["dana@harborstreet.com"]["status"] == "covered"  # mbx.desk still captures her


def test_a_person_whose_only_source_is_a_gap_is_not_covered(ws: Workspace, tmp_path: Path) -> None:
    build_desk(ws, tmp_path / "desk")
    import_entries(
        ws, [EntrySpec(SAM, "person", "Sam Ortiz", roles=("registered_representative",))], "ada", "csv"
    )
    add_source(
        ws,
        SourceSpec(
            name="mbx.sam",
            kind="mailbox",
            owner="IT (Exchange journaling)",
            covered=(SAM,),
            capture_state="connected",
            timezone="America/New_York",
        ),
        actor="ada",
    )
    folder = tmp_path / "sam"
    folder.mkdir()
    # the journaling rule points at the wrong mailbox: nothing captured involves Sam
    for n in range(2):
        (folder / f"{n}.eml").write_bytes(
            mail(
                f"wrong{n}", "2026-01-02T10:00:00-05:00", "a@other.example", "b@other.example", "Hi", "Lunch?"
            )
        )
    ingest(ws, folder, source="mbx.sam", actor="ada")
    select(ws, "paula")
    rows = _rows(ws)
    assert rows["mbx.sam"]["gaps"] == ["source_not_in_review_scope"]
    sam = rows[SAM]
    assert sam["captured_by"] == ["mbx.sam"] and sam["policies"]  # a policy names him...
    assert sam["status"] == "gap"  # ...but nothing of his reaches review
    assert sam["gaps"] == ["captured_only_by_gap_sources"]
