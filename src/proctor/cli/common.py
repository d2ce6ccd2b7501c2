"""What every command shares: finding the workspace, the acting user, JSON output, errors.

Errors a user can fix print as one line and exit 2 (1 for integrity failures), never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from proctor.core.clock import parse_iso
from proctor.core.errors import InputError, ProctorError
from proctor.platform import Workspace
from proctor.platform.config import CONFIG_NAME

console = Console()
err_console = Console(stderr=True)

DEMO_DIR = "proctor-demo"

WorkspaceOpt = typer.Option(
    None, "--workspace", "-w", envvar="PROCTOR_WORKSPACE", help="Workspace folder (default: ./proctor-demo)."
)
ActorOpt = typer.Option(
    None, "--as", help="User the action is attributed to (default: the config's default_user)."
)
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
AsOfOpt = typer.Option(None, "--as-of", help="Evaluate as of this instant (ISO-8601; a date means its end).")


def workspace_path(path: Path | None) -> Path:
    if path is not None:
        return path
    cwd = Path.cwd()
    if (cwd / CONFIG_NAME).exists():
        return cwd
    if (cwd / DEMO_DIR / CONFIG_NAME).exists():
        return cwd / DEMO_DIR
    raise InputError(
        "no workspace found: pass --workspace PATH, set PROCTOR_WORKSPACE, or run `proctor demo`"
    )


def open_ws(path: Path | None) -> Workspace:
    from proctor.bootstrap import open_workspace

    return open_workspace(workspace_path(path))


def actor_for(ws: Workspace, as_: str | None) -> str:
    name = as_ or os.environ.get("PROCTOR_USER") or ws.config.default_user
    if not name:
        raise InputError("no acting user: pass --as USER or set cli.default_user in proctor.toml")
    ws.users.get(name)
    return name


def parse_as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        raise InputError(f"not an ISO-8601 date or time: {text!r}", field="--as-of") from None


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return str(value)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=_default, indent=2, sort_keys=True) + "\n")


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]], styles: dict[str, str] | None = None
) -> None:
    table = Table(title=title, header_style="bold")
    for col in columns:
        table.add_column(col.replace("_", " "), style=(styles or {}).get(col))
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in columns))
    console.print(table)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Any]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total)

        class Advance:
            def __call__(self, n: int = 1, description: str | None = None) -> None:
                progress.update(task, advance=n, description=description or progress.tasks[task].description)

            def total(self, total: int) -> None:
                progress.update(task, total=total)

        yield Advance()


def fail(error: ProctorError) -> None:
    err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    raise SystemExit(error.exit_code)
