"""The `proctor` entry point: one Typer app, each module a sub-command group."""

from __future__ import annotations

from pathlib import Path

import typer

from proctor.cli import (
    alerts_cmd,
    cases_cmd,
    comms_cmd,
    controls_cmd,
    demo_cmd,
    journal_cmd,
    reserve_cmd,
    review_cmd,
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
app.add_typer(comms_cmd.app, name="comms")
app.add_typer(review_cmd.app, name="review")
app.add_typer(reserve_cmd.app, name="reserve")
app.command("demo")(demo_cmd.demo)
app.command("serve")(serve_cmd.serve)


@app.command()
def init(
    path: Path = typer.Argument(..., help="Folder for the new workspace."),
    firm: str = typer.Option("Example Securities LLC", "--firm"),
    domain: list[str] = typer.Option([], "--domain", help="The firm's e-mail domain (repeatable)."),
) -> None:
    """Create a workspace: config, database, blob store and journal signing key."""
    from proctor.platform import init_workspace

    root = init_workspace(path, firm=firm, domains=domain or None)
    console.print(f"workspace created at {root}\nnext: proctor user add NAME --role admin --workspace {path}")


def run() -> None:
    try:
        app()
    except ProctorError as error:
        fail(error)
