"""`proctor demo`: a synthetic firm, every control run, and a summary of what they found."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import typer

from proctor.cli.common import DEMO_DIR, console, print_table
from proctor.core.errors import InputError

DEMO_MARK = ".proctor-demo"


def _brief(key: str, value: Any) -> str:
    """One short phrase per summary entry: scalars as they are, collections by size or status."""
    label = key.replace("_", " ")
    if isinstance(value, dict):
        parts = [
            f"{k}={v}" for k, v in value.items() if isinstance(v, (str, int, float)) and len(str(v)) < 40
        ]
        return f"{label}: {', '.join(parts[:4])}" if parts else f"{label}: {len(value)} entries"
    if isinstance(value, list):
        return f"{len(value)} {label}"
    return f"{label}: {value}"


def demo(
    workspace: Path = typer.Option(
        Path(DEMO_DIR),
        "--workspace",
        "-w",
        envvar="PROCTOR_WORKSPACE",
        help="Folder for the demo workspace (recreated if it is a demo).",
    ),
) -> None:
    """Create a demo workspace with a synthetic firm, run every control, and summarise the findings."""
    from proctor.bootstrap import init_workspace, open_workspace, seed_demos, specs
    from proctor.journal.verify import verify_journal
    from proctor.platform.demo import DEMO_PASSWORD, seed_staff, work_alerts

    started = time.monotonic()
    if workspace.exists():
        if not (workspace / DEMO_MARK).exists():
            raise InputError(
                "folder exists and is not a demo workspace; choose another --workspace", file=str(workspace)
            )
        shutil.rmtree(workspace)
    witness_folder = workspace.resolve().parent / f"{workspace.name}-witness"  # outside the workspace
    shutil.rmtree(witness_folder, ignore_errors=True)  # the demo's own heads, recreated with it
    init_workspace(
        workspace, firm="Harbor Street Securities LLC", domains=["harborstreet.com"], default_user="paula"
    )
    (workspace / DEMO_MARK).write_text("This workspace is recreated by `proctor demo`.\n")
    with (workspace / "proctor.toml").open("a", encoding="utf-8") as toml:
        toml.write(
            f"\n[journal]\n# Signed tree heads are published here (another volume in production).\n"
            f'witness = "{witness_folder}"\n'
        )
    ws = open_workspace(workspace)
    with console.status("Creating the firm's compliance staff"):
        seed_staff(ws)
    with console.status("Seeding the modules' synthetic firm data"):
        seeded = seed_demos(ws, "ada")
    runs = []
    with console.status("Running every control") as status:
        for spec in ws.registry.all():
            status.update(f"Running {spec.name}")
            runs.append(ws.controls.run(spec.name, actor="paula"))
    with console.status("Working alerts"):
        worked = work_alerts(ws, {s.name: s.alert_role for s in specs() if s.alert_role})
    report = verify_journal(ws.engine, ws.blobs)
    print_table("Controls run", ["control", "outcome", "input_count", "findings", "alerts_raised"], runs)
    for name, summary in seeded.items():
        console.print(
            f"[bold]{name}[/]: " + "; ".join(_brief(k, v) for k, v in summary.items()), highlight=False
        )
    from proctor.platform.alerts import AlertQuery

    rows, total = ws.alerts.query(AlertQuery(page_size=1000))
    by_sev: dict[str, int] = {}
    for row in rows:
        by_sev[row["severity"]] = by_sev.get(row["severity"], 0) + 1
    console.print(
        f"[bold]{total} alerts[/] ({', '.join(f'{v} {k}' for k, v in sorted(by_sev.items()))}); "
        f"worked: {worked}"
    )
    console.print(
        f"journal: {'[green]intact[/]' if report.intact else '[red]NOT intact[/]'} — "
        f"{report.events:,} events, "
        f"{report.tree_heads:,} signed tree heads, {report.records:,} records, {report.blobs:,} blobs"
    )
    console.print(
        f"\nWorkspace: {workspace.resolve()}  ({time.monotonic() - started:.1f}s)\n"
        f"Try: proctor alerts list --as paula · proctor controls status · proctor journal verify\n"
        f"Every demo user (ada, paula, carl, ravi, rita, fiona, otto) has the password '{DEMO_PASSWORD}'; "
        f"--as USER asks for it, or reads it from `proctor --password-stdin ...`, PROCTOR_PASSWORD, "
        f"or use an API token: PROCTOR_TOKEN=$(proctor user token create --as paula | head -1)\n"
        f"Web app: proctor serve, then log in as paula / ravi / otto with password '{DEMO_PASSWORD}'."
    )
