"""What every command prints: whole ids and hashes, actions in words, counts that match the disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from proctor.bootstrap import specs
from proctor.cli import common
from proctor.cli.output import make_console
from proctor.comms.production import export_production
from proctor.comms.record_filter import RecordFilter
from proctor.core import roles
from proctor.core.errors import PermissionDenied
from proctor.reserve import service
from tests.comms.records_support import desk_traffic, ingest_emails, register

SHA = "9f2c" * 16  # a SHA-256 as a FINOP pastes it into a ticket


def test_output_that_is_not_a_terminal_is_not_wrapped(capsys: pytest.CaptureFixture[str]) -> None:
    common.print_table(
        "Blobs", ["id", "sha256", "path"], [{"id": "ALR-000123", "sha256": SHA, "path": "x/" * 40}]
    )
    common.console.print(f"input set RSI-000042 stored {SHA} " + "word " * 30)
    out = capsys.readouterr().out
    assert SHA in out and "x/" * 40 in out
    assert any(
        line.startswith("input set RSI-000042") and line.rstrip().endswith("word")
        for line in out.splitlines()
    )


def test_a_terminal_keeps_rich_wrapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    assert make_console().width == 72


def test_every_permission_is_named_in_words() -> None:
    specs()  # grants every module's permissions, with their descriptions
    granted = set().union(*roles.PERMISSIONS.values())
    assert sorted(p for p in granted if p not in roles.DESCRIPTIONS) == []


def test_a_refusal_names_the_action_not_the_permission(ws) -> None:
    specs()
    with pytest.raises(PermissionDenied) as refused:
        service.load_inputs(ws, Path("/nonexistent"), datetime(2026, 1, 2).date(), actor="ravi")
    assert str(refused.value).endswith("ravi (reviewer) may not work on reserve computations")
    assert "reserve.work" not in str(refused.value)


def test_an_export_says_how_many_files_it_wrote(ws, tmp_path: Path) -> None:
    register(ws)
    ingest_emails(ws, tmp_path / "mail", desk_traffic(datetime(2025, 11, 3, 14, tzinfo=UTC), 4))
    out = tmp_path / "production"
    result = export_production(
        ws, "paula", out, RecordFilter(sources=("desk-mail",)), request="FINRA 8210 2026-7"
    )
    on_disk = [p for p in out.rglob("*") if p.is_file()]
    assert result["files"] == len(on_disk)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert result["items"] == len(manifest["items"]) < len(on_disk)  # proofs and the manifest count too


def test_the_demo_is_one_firm_and_its_first_coverage_run_warns_of_nothing(ws) -> None:
    from proctor.comms.demo import seed_demo as seed_comms
    from proctor.review import DEMO_POLICY, DEMO_SAMPLING
    from proctor.review.coverage import coverage_report
    from proctor.review.plugin import seed_demo as seed_review

    for path in (DEMO_POLICY, DEMO_SAMPLING):
        text = path.read_text("utf-8")
        assert "harborpoint" not in text.lower() and "Harbor Point" not in text
    seed_comms(ws, "ada")
    seed_review(ws, "ada")
    report = coverage_report(ws, ws.clock.now())
    assert report["warnings"] == []
