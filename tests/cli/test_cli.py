"""The command line as a compliance officer uses it: clear output, JSON, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROCTOR = Path(sys.executable).parent / "proctor"


def run(*args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(PROCTOR), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "COLUMNS": "200", "PROCTOR_NEW_PASSWORD": "correct horse", **(env or {})},
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    assert (
        run(
            "init", "firm", "--firm", "Harbor Street Securities LLC", "--domain", "harborstreet.com", cwd=root
        ).returncode
        == 0
    )
    ws = root / "firm"
    assert (
        run(
            "user",
            "add",
            "ada",
            "--role",
            "admin",
            "--password-stdin",
            "-w",
            str(ws),
            cwd=root,
            stdin="correct horse\n",
        ).returncode
        == 0
    )
    for name, role in (("paula", "principal"), ("ravi", "reviewer")):
        result = run("user", "add", name, "--role", role, "--as", "ada", "-w", str(ws), cwd=root)
        assert result.returncode == 0, result.stderr
    return ws


def test_init_refuses_to_overwrite(workspace):
    result = run("init", str(workspace), cwd=workspace.parent)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_is_one_line_exit_2(workspace):
    result = run(
        "user", "add", "eve", "--role", "superuser", "--as", "ada", "-w", str(workspace), cwd=workspace
    )
    assert result.returncode == 2
    assert "unknown role 'superuser'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = run(
        "controls", "run", "--all", "--as-of", "yesterday", "--as", "ada", "-w", str(workspace), cwd=workspace
    )
    assert result.returncode == 2 and "--as-of" in result.stderr


def test_missing_workspace_is_explained(tmp_path):
    result = run("alerts", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "no workspace found" in result.stderr


def test_controls_run_status_and_json(workspace):
    result = run("controls", "run", "--all", "--as", "paula", "--json", "-w", str(workspace), cwd=workspace)
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert {r["control"] for r in runs} >= {"platform.journal_integrity", "platform.control_health"}
    status = json.loads(run("controls", "status", "--json", "-w", str(workspace), cwd=workspace).stdout)
    assert all(not s["missed"] for s in status)
    listing = json.loads(run("controls", "list", "--json", "-w", str(workspace), cwd=workspace).stdout)
    assert any(c["rule"] == "SEA 17a-4(f)(2)(i)(A)" for c in listing)


def test_alerts_list_json_and_filters(workspace):
    result = run(
        "alerts", "list", "--json", "--status", "open", "--as", "paula", "-w", str(workspace), cwd=workspace
    )
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert set(page) == {"total", "page", "page_size", "alerts"}
    bad = run("alerts", "list", "--sort", "colour", "--as", "paula", "-w", str(workspace), cwd=workspace)
    assert bad.returncode == 2 and "cannot sort by 'colour'" in bad.stderr


def test_journal_verify_exit_codes(workspace):
    ok = run("journal", "verify", "--json", "-w", str(workspace), cwd=workspace)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["intact"] is True


def test_unknown_alert_is_not_found(workspace):
    result = run("alerts", "show", "ALR-NOPE", "--as", "paula", "-w", str(workspace), cwd=workspace)
    assert result.returncode == 2 and "no alert 'ALR-NOPE'" in result.stderr


def test_demo_runs_and_verifies(tmp_path):
    result = run("demo", "--workspace", str(tmp_path / "demo"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "journal: intact" in result.stdout
    again = run("demo", "--workspace", str(tmp_path / "demo"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    (tmp_path / "precious").mkdir()
    refused = run("demo", "--workspace", str(tmp_path / "precious"), cwd=tmp_path)
    assert refused.returncode == 2 and "not a demo workspace" in refused.stderr
