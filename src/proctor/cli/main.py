"""The `proctor` entry point: one Typer app, each module a sub-command group, loaded on use.

Only the command that runs is imported (see :mod:`proctor.cli.lazy`): `proctor --help` and a
simple command start without loading every module, the database layer or the web stack. The
platform's own groups are listed below; the modules' groups come from their specs, so this file
names no module.
"""

from __future__ import annotations

from pathlib import Path

import typer

from proctor.cli.common import PasswordStdinOpt, TokenOpt, console, fail, set_credentials
from proctor.cli.lazy import LazyCommand, LazyGroup, module_commands
from proctor.core.errors import ProctorError

PLATFORM_BEFORE = (
    LazyCommand(
        "journal", "proctor.cli.journal_cmd:app", "The tamper-evident journal (SEC 17a-4(f) audit trail)."
    ),
    LazyCommand(
        "controls", "proctor.cli.controls_cmd:app", "Scheduled controls and the evidence that they ran."
    ),
    LazyCommand("alerts", "proctor.cli.alerts_cmd:app", "Alerts raised by every control, and their review."),
    LazyCommand("cases", "proctor.cli.cases_cmd:app", "Cases: investigations grouping alerts."),
    LazyCommand("user", "proctor.cli.user_cmd:app", "Users and roles."),
    LazyCommand("modules", "proctor.cli.modules_cmd:app", "The surveillance modules this workspace uses."),
    LazyCommand(
        "settings",
        "proctor.cli.settings_cmd:app",
        "Supervised settings: journaled, changed with a second approver.",
    ),
    LazyCommand(
        "demo",
        "proctor.cli.demo_cmd:demo",
        "Create a demo workspace with a synthetic firm, run every control, and summarise the findings.",
        group=False,
    ),
)
PLATFORM_AFTER = (
    LazyCommand(
        "serve",
        "proctor.cli.serve_cmd:serve",
        "Serve the web app: dashboard, queues, cases, controls and journal, and the JSON API under /api.",
        group=False,
    ),
)


class ProctorGroup(LazyGroup):
    lazy = {c.name: c for c in (*PLATFORM_BEFORE, *module_commands(), *PLATFORM_AFTER)}

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [*self.lazy, *(n for n in self.commands if n not in self.lazy)]


def mount_modules() -> None:
    """List the module groups from the imported specs (for a module registered at run time)."""
    from proctor.bootstrap import specs

    modules = [LazyCommand(s.name, s.cli, s.cli_help) for s in specs() if s.cli]
    ProctorGroup.lazy = {c.name: c for c in (*PLATFORM_BEFORE, *modules, *PLATFORM_AFTER)}


app = typer.Typer(
    name="proctor",
    help="Supervisory controls for US broker-dealers, with proof that they ran.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    cls=ProctorGroup,
)


@app.callback()
def _credentials(token: str | None = TokenOpt, password_stdin: bool = PasswordStdinOpt) -> None:
    """Supervisory controls for US broker-dealers, with proof that they ran."""
    set_credentials(token, password_stdin)


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
    from proctor.journal.witness import fingerprint
    from proctor.platform.workspace import PUBLIC_KEY_FILE

    root = init_workspace(path, firm=firm, domains=domain or None, modules=chosen)
    key_file = root / PUBLIC_KEY_FILE
    public = key_file.read_text(encoding="utf-8").strip().splitlines()[-1]
    console.print(
        f"workspace created at {root}\n"
        f"journal public key {public}\nfingerprint {fingerprint(public)}\n"
        f"written to {key_file}: keep a copy outside the workspace (it is what `proctor journal verify "
        f"--trusted-key` checks against)\n"
        f"next: proctor user add NAME --role admin --workspace {path}"
    )


def run() -> None:
    try:
        app()
    except ProctorError as error:
        fail(error)
