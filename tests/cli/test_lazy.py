"""`proctor` loads a command group only when it runs; what it lists must match what it loads."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from proctor.bootstrap import specs
from proctor.cli.command import Run, command
from proctor.cli.lazy import module_commands
from proctor.cli.main import app

runner = CliRunner()


def test_module_groups_read_from_source_match_the_imported_specs() -> None:
    from_source = [(c.name, c.target, c.help) for c in module_commands()]
    assert from_source == [(s.name, s.cli, s.cli_help) for s in specs() if s.cli]


def test_help_lists_every_group_without_importing_modules_or_the_database_layer() -> None:
    code = (
        "import sys\n"
        "from proctor.cli.main import app\n"
        "import typer.main\n"
        "cmd = typer.main.get_command(app)\n"
        "try:\n"
        "    cmd(['--help'], prog_name='proctor')\n"
        "except SystemExit:\n"
        "    pass\n"
        "modules = ('proctor.comms', 'proctor.review', 'proctor.reserve', 'proctor.platform.workspace')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'polars', 'fastapi')"
        " or m.startswith(modules))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    for spec in specs():
        if spec.cli:
            assert f" {spec.name} " in out


def test_a_lazily_listed_group_runs_and_shows_its_own_help() -> None:
    result = runner.invoke(app, ["controls", "--help"])
    assert result.exit_code == 0, result.output
    assert "Scheduled controls and the evidence that they ran." in result.output
    assert "history" in result.output


def test_the_command_helper_opens_the_workspace_resolves_the_user_and_prints_json(ws) -> None:
    sub = typer.Typer()

    @command(sub, "whoami", json=True)
    def whoami(cmd: Run, shout: bool = typer.Option(False, "--shout")) -> dict[str, str]:
        name = cmd.actor.upper() if shout else cmd.actor
        return {"user": name, "firm": cmd.ws.config.firm_name}

    @command(sub, "noop", actor=False)
    def noop(cmd: Run) -> None:
        assert cmd.ws.path == ws.path  # opened here, closed by the helper

    result = runner.invoke(sub, ["whoami", "--workspace", str(ws.path), "--as", "paula", "--json", "--shout"])
    assert result.exit_code == 0, result.output
    assert '"user": "PAULA"' in result.output and "Harbor Street Securities LLC" in result.output
    assert "--as" not in runner.invoke(sub, ["noop", "--help"]).output


def test_a_failure_with_output_prints_it_then_exits_with_its_status(ws) -> None:
    sub = typer.Typer()

    @command(sub, "hold", json=True, actor=False)
    def hold(cmd: Run) -> dict[str, str]:
        cmd.then_raise = typer.Exit(3)  # a HOLD: the figures are shown, and scripts see it failed
        return {"status": "HOLD", "firm": cmd.ws.config.firm_name}

    @command(sub, "other", actor=False)
    def other(cmd: Run) -> None:
        assert cmd.ws.path == ws.path

    result = runner.invoke(sub, ["hold", "--workspace", str(ws.path), "--json"])
    assert result.exit_code == 3 and '"status": "HOLD"' in result.output


# Kernels, parsers, report writers and matchers: loaded by what runs a control or reads a file.
HEAVY = (
    "numba",
    "polars",
    "pyarrow",
    "numpy",
    "fpdf",
    "jinja2",
    "extract_msg",
    "rapidfuzz",
    "hyperscan",
    "alembic",
)


@pytest.mark.parametrize("args", [["alerts", "list", "--as", "paula"], ["controls", "status"]])
def test_simple_commands_open_a_workspace_without_kernels_parsers_or_report_writers(ws, args) -> None:
    code = (
        "import sys\n"
        "from proctor.cli.main import run\n"
        f"sys.argv = ['proctor', *{args!r}, '--workspace', {str(ws.path)!r}]\n"
        "try:\n"
        "    run()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out, out[-500:]
