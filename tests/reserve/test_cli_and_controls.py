"""`proctor reserve` commands, the reserve controls, the demo, and the migration."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from proctor.cli import reserve_cmd
from proctor.core.controls import ControlRegistry
from proctor.platform import builtin
from proctor.reserve import plugin, service
from proctor.reserve.writer import write_book
from proctor.store.schema import metadata
from tests.conftest import make_workspace
from tests.reserve.books import FIRM, carrying_firm

root = typer.Typer()
root.add_typer(reserve_cmd.app, name="reserve")
runner = CliRunner()
WEEK = date(2025, 12, 26)


@pytest.fixture
def cli_ws(tmp_path: Path, clock):
    registry = ControlRegistry()
    registry.extend(plugin.CONTROLS)
    registry.extend(builtin.CONTROLS)
    ws = make_workspace(tmp_path / "ws", clock, registry=registry)
    for name, role in (("ada", "admin"), ("fiona", "finop"), ("carl", "principal"), ("paula", "principal")):
        ws.users.add(name, role, actor="ada", password="correct horse")
    yield ws
    ws.close()


def _cli(ws, *args: str):
    result = runner.invoke(root, ["reserve", *args, "--workspace", str(ws.path)], catch_exceptions=True)
    return result


def test_cli_load_compute_explain_report(cli_ws, tmp_path: Path) -> None:
    write_book(tmp_path / "in", carrying_firm(), FIRM)
    assert (
        _cli(
            cli_ws, "inputs", "load", str(tmp_path / "in"), "--as-of", "2025-12-26", "--as", "fiona"
        ).exit_code
        == 0
    )
    out = _cli(
        cli_ws,
        "compute",
        "--as-of",
        "2025-12-26",
        "--as",
        "fiona",
        "--json",
        "--pdf",
        str(tmp_path / "a.pdf"),
        "--html",
        str(tmp_path / "a.html"),
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["requirement"] == "57130.00" and doc["deficiency"] == "12130.00"
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF") and "Exhibit A" in (
        tmp_path / "a.html"
    ).read_text()
    pab = json.loads(
        _cli(cli_ws, "compute", "--as-of", "2025-12-26", "--pab", "--as", "fiona", "--json").output
    )
    assert pab["book"] == "pab" and pab["requirement"] == "17800.00"
    explained = _cli(cli_ws, "explain", "1", "--as-of", "2025-12-26", "--as", "fiona", "--json")
    assert json.loads(explained.output)["total"] == 11_175_000
    assert _cli(cli_ws, "report", doc["computation_id"], "--out", str(tmp_path / "r.json")).exit_code == 0
    rules = json.loads(_cli(cli_ws, "rules", "--json").output)
    assert rules["version"] == "exhibit-a-2025.1" and rules["unconfirmed"]


def test_cli_hold_exits_nonzero_and_bad_input_names_the_row(cli_ws, tmp_path: Path) -> None:
    tables = carrying_firm()
    for row in tables["accounts"]:
        row["short_market_value"] = "0.00"
    write_book(tmp_path / "in", tables, FIRM)
    _cli(cli_ws, "inputs", "load", str(tmp_path / "in"), "--as-of", "2025-12-26", "--as", "fiona")
    held = _cli(cli_ws, "compute", "--as-of", "2025-12-26", "--as", "fiona")
    assert held.exit_code == 3 and "HOLD" in held.output
    (tmp_path / "in" / "fails.csv").write_text(
        "fail_id,book,direction,security_id,contract_value,market_value,age_days\n"
        "F1,customer,deliver,X,12.5x,1.00,3\n#TRAILER|rows=1|contract_value=0\n"
    )
    bad = _cli(cli_ws, "inputs", "load", str(tmp_path / "in"), "--as-of", "2025-12-26", "--as", "fiona")
    assert bad.exit_code != 0
    assert "fails.csv, row 1, field 'contract_value'" in str(bad.exception)


def test_cli_change_control(cli_ws, tmp_path: Path) -> None:
    change = json.dumps({"op": "set_param", "name": "variance_abs", "value": "100000.00"})
    prop = json.loads(
        _cli(
            cli_ws,
            "propose",
            "--change",
            change,
            "--reason",
            "Tighten the variance review for a small book.",
            "--version",
            "firm.2",
            "--kind",
            "parameter",
            "--as",
            "fiona",
            "--json",
        ).output
    )
    assert _cli(cli_ws, "approve", prop["id"], "--as", "carl").exit_code == 0
    done = json.loads(_cli(cli_ws, "approve", prop["id"], "--as", "paula", "--json").output)
    assert done["status"] == "approved"
    listing = json.loads(_cli(cli_ws, "proposals", "--json").output)
    assert [p["status"] for p in listing] == ["approved"]


def test_controls_no_input_then_hold_then_deficiency(cli_ws, tmp_path: Path, clock) -> None:
    clock.current = datetime(2025, 12, 31, 14, 0, tzinfo=UTC)
    assert cli_ws.controls.run("reserve.computation_gates", actor="fiona")["outcome"] == "no_input"
    tables = carrying_firm()
    tables["trial_balance"] = tables["trial_balance"][1:]
    write_book(tmp_path / "in", tables, FIRM)
    loaded = service.load_inputs(cli_ws, tmp_path / "in", WEEK, actor="fiona")
    run = cli_ws.controls.run("reserve.computation_gates", actor="fiona")
    assert run["outcome"] == "findings"
    write_book(tmp_path / "fixed", carrying_firm(), FIRM)
    service.load_inputs(
        cli_ws,
        tmp_path / "fixed",
        WEEK,
        actor="fiona",
        supersedes=loaded["id"],
        reason="GL extract was missing the customer payables line.",
    )
    assert cli_ws.controls.run("reserve.computation_gates", actor="fiona")["outcome"] == "passed"
    service.compute_of_record(cli_ws, WEEK, actor="fiona")
    assert cli_ws.controls.run("reserve.deposit_deadline", actor="fiona")["outcome"] == "findings"


def test_demo_seeds_the_case_week_and_a_formula_change(cli_ws) -> None:
    summary = plugin.seed_demo(cli_ws, "ada")
    assert summary["hold"]["reasons"][0].startswith("mandatory.accounts.short_market_value")
    assert summary["proposal"]["status"] == "approved" and summary["proposal"]["replayed"] == 12
    assert summary["hindsight"] and summary["hindsight"][0]["hindsight_deficiency"] > 0
    escalated = cli_ws.controls.run("reserve.variance_review", actor="paula")
    assert escalated["outcome"] == "findings"


def test_migration_matches_the_tables(cli_ws) -> None:
    inspector = sa.inspect(cli_ws.engine)
    for table in [t for t in metadata.sorted_tables if t.name.startswith("reserve_")]:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for col in table.columns:
            assert columns[col.name]["nullable"] == (col.nullable and not col.primary_key), (
                table.name,
                col.name,
            )
