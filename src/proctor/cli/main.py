"""The `proctor` entry point: one Typer app, each module a sub-command group."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from proctor.cli import (
    alerts_cmd,
    cases_cmd,
    controls_cmd,
    demo_cmd,
    journal_cmd,
    modules_cmd,
    serve_cmd,
    user_cmd,
)
from proctor.cli.common import console, fail
from proctor.core.errors import ProctorError

app = typer.Typer(
    name="proctor",
    help="Supervisory controls for US broker-dealers, with proof that they ran.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(journal_cmd.app, name="journal")
app.add_typer(controls_cmd.app, name="controls")
app.add_typer(alerts_cmd.app, name="alerts")
app.add_typer(cases_cmd.app, name="cases")
app.add_typer(user_cmd.app, name="user")
app.add_typer(modules_cmd.app, name="modules")
app.command("demo")(demo_cmd.demo)


def _mount_modules() -> None:
    """Each module's command group, from its spec: this file names no module."""
    from proctor.bootstrap import specs

    for spec in specs():
        if spec.cli:
            module_path, _, attr = spec.cli.partition(":")
            group = getattr(importlib.import_module(module_path), attr)
            app.add_typer(group, name=spec.name, help=spec.cli_help or None)


_mount_modules()
app.command("serve")(serve_cmd.serve)


@app.command()
def init(
    path: Path = typer.Argument(..., help="Folder for the new workspace."),
    firm: str = typer.Option("Example Securities LLC", "--firm"),
    domain: list[str] = typer.Option([], "--domain", help="The firm's e-mail domain (repeatable)."),
    modules: str = typer.Option(
        "", "--modules", help="Comma-separated modules this workspace uses (default: every module)."
    ),
) -> None:
    """Create a workspace: config, database, blob store and journal signing key."""
    from proctor.bootstrap import init_workspace

    chosen = [m.strip() for m in modules.split(",") if m.strip()] or None
    root = init_workspace(path, firm=firm, domains=domain or None, modules=chosen)
    console.print(f"workspace created at {root}\nnext: proctor user add NAME --role admin --workspace {path}")


def run() -> None:
    try:
        app()
    except ProctorError as error:
        fail(error)
