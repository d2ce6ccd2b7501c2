"""`proctor comms` records management: retention, legal holds, disposal, production, verify-export.

`register(app)` adds these commands to the `proctor comms` group, next to capture and search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import JsonOpt, console, print_json, print_table, progress_bar
from proctor.comms import disposal, holds, production, retention_changes
from proctor.comms.production_verify import verify_production
from proctor.comms.record_filter import RecordFilter
from proctor.core.errors import InputError, IntegrityError
from proctor.platform.dates import parse_instant

retention_app = typer.Typer(help="Retention schedules (SEA 17a-4(b)(4), FINRA 4511).", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds by matter, custodian or query.", no_args_is_help=True)
dispose_app = typer.Typer(
    help="Disposal of records past retention, approved by two people.", no_args_is_help=True
)


# ----------------------------------------------------------------------------------------- retention


@command(retention_app, "list", json=True, actor=False)
def retention_list(cmd: Run) -> Any:
    """Every schedule version: the packaged baseline, proposals, approvals, and the one in force."""
    ws = cmd.ws
    rows = retention_changes.list_versions(ws)
    if cmd.json:
        return rows
    for row in rows:
        row["in_force"] = "yes" if row["in_force"] else ""
    print_table(
        "Retention schedule versions",
        ["version", "status", "effective_from", "in_force", "proposed_by", "decided_by", "origin"],
        rows,
    )


@command(retention_app, "show", json=True, actor=False)
def retention_show(
    cmd: Run,
    version: str | None = typer.Argument(None, help="Version (default: the one in force)."),
) -> Any:
    """The rules of one version: periods per source kind and their citations."""
    ws = cmd.ws
    rows = retention_changes.list_versions(ws)
    chosen = next((r for r in rows if (r["version"] == version if version else r["in_force"])), None)
    if chosen is None:
        raise InputError(f"no retention version {version!r}", field="version")
    schedule = chosen["schedule"]
    if cmd.json:
        return schedule
    rules = [*schedule["rules"], {"kind": "(any other kind)", **schedule["default"]}]
    print_table(
        f"Retention schedule {chosen['version']} ({chosen['status']})",
        ["kind", "retain_years", "accessible_years", "citation"],
        rules,
    )


@command(retention_app, "import", json=True)
def retention_import(
    cmd: Run,
    file: Path = typer.Argument(..., help="YAML schedule (see docs/comms.md)."),
    reason: str = typer.Option(..., "--reason", help="Why the schedule changes."),
) -> Any:
    """Propose a new schedule version; a different person approves it with `retention approve`."""
    ws = cmd.ws
    row = retention_changes.propose_schedule(ws, cmd.actor, file, reason)
    if cmd.json:
        return row
    console.print(f"retention version {row['version']} proposed; a second person must approve it")


@command(retention_app, "approve", json=True)
def retention_approve(cmd: Run, version: str = typer.Argument(...)) -> Any:
    """Approve a proposed version (not by its proposer); it is in force from its effective date."""
    ws = cmd.ws
    row = retention_changes.approve_schedule(ws, cmd.actor, version)
    if cmd.json:
        return row
    console.print(f"retention version {version} approved, effective {row['effective_from']}")


@command(retention_app, "reject")
def retention_reject(cmd: Run, version: str = typer.Argument(...)) -> None:
    """Reject a proposed version."""
    ws = cmd.ws
    retention_changes.reject_schedule(ws, cmd.actor, version)
    console.print(f"retention version {version} rejected")


@command(retention_app, "apply", json=True)
def retention_apply(cmd: Run) -> Any:
    """Recompute every record's retain-until date under the schedule in force."""
    ws = cmd.ws
    with progress_bar("applying retention") as advance:
        result = retention_changes.apply_schedule(ws, cmd.actor, progress=advance)
    if cmd.json:
        return result
    console.print(f"{result['changed']} of {result['checked']} records moved to {result['version']}")


# ----------------------------------------------------------------------------------------- holds


@command(hold_app, "add", json=True)
def hold_add(
    cmd: Run,
    matter: str = typer.Option(..., "--matter", help="The matter, e.g. 'SEC inquiry HO-14412'."),
    reason: str = typer.Option(..., "--reason"),
    custodian: list[str] = typer.Option([], "--custodian", help="Participant address (repeatable)."),
    query: str | None = typer.Option(None, "--query", help="Full-text query."),
    source: list[str] = typer.Option([], "--source", help="Source name (repeatable)."),
    since: str | None = typer.Option(None, "--since"),
    until: str | None = typer.Option(None, "--until"),
    record: list[str] = typer.Option([], "--record", help="Record id (repeatable)."),
) -> Any:
    """Place a legal hold; records matching later are held too."""
    ws = cmd.ws
    criteria = holds.HoldCriteria(
        custodians=tuple(custodian),
        query=query,
        sources=tuple(source),
        since=parse_instant(since, "--since", bare_date="start"),
        until=parse_instant(until, "--until"),
        records=tuple(record),
    )
    row = holds.place_hold(ws, cmd.actor, matter, reason, criteria)
    if cmd.json:
        return row
    console.print(f"legal hold {row['id']} placed for {row['matter']}: {row['records']} records held")
    for person in row.get("custodians", []):
        console.print(
            f"  custodian {person['named']}: identities {', '.join(person['identities'])}; "
            f"sources {', '.join(person['sources']) or 'none'}",
            highlight=False,
        )
        for doubt in person["to_confirm"]:
            console.print(f"  [yellow]to confirm[/] {doubt}", highlight=False)


@command(hold_app, "list", json=True, actor=False)
def hold_list(
    cmd: Run,
    status: str | None = typer.Option(None, "--status", help="active or released."),
) -> Any:
    """Legal holds with the number of records each covers."""
    ws = cmd.ws
    rows = holds.list_holds(ws, status)
    if cmd.json:
        return rows
    print_table("Legal holds", ["id", "matter", "kind", "status", "records", "placed_by", "placed_at"], rows)


@command(hold_app, "sweep", json=True)
def hold_sweep(cmd: Run) -> Any:
    """Add records captured since each active hold was placed that match its criteria."""
    ws = cmd.ws
    added = holds.sweep_holds(ws, cmd.actor)
    if cmd.json:
        return added
    console.print(f"{sum(added.values())} records added to {len(added)} holds")


@command(hold_app, "release")
def hold_release(
    cmd: Run,
    hold_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Release a hold; what it covered stays on record."""
    ws = cmd.ws
    holds.release_hold(ws, cmd.actor, hold_id, reason)
    console.print(f"legal hold {hold_id} released")


# ----------------------------------------------------------------------------------------- disposal


@command(dispose_app, "propose", json=True)
def dispose_propose(
    cmd: Run,
    reason: str = typer.Option(..., "--reason"),
    source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable)."),
    before: str | None = typer.Option(None, "--before", help="Retain-until cutoff (default: now)."),
    limit: int = typer.Option(disposal.MAX_RECORDS, "--limit", help="At most this many records."),
) -> Any:
    """List records past retain-until and under no hold, for a second person to approve."""
    ws = cmd.ws
    row = disposal.propose_disposal(
        ws,
        cmd.actor,
        reason,
        sources=tuple(source),
        before=parse_instant(before, "--before"),
        limit=limit,
    )
    if cmd.json:
        return row
    console.print(
        f"disposal {row['id']} proposed: {row['record_count']} records; a second person approves it"
    )


@command(dispose_app, "approve", json=True)
def dispose_approve(cmd: Run, disposal_id: str = typer.Argument(...)) -> Any:
    """Approve (not by the proposer): each record is re-checked, then removed and journaled."""
    ws = cmd.ws
    row = disposal.approve_disposal(ws, cmd.actor, disposal_id)
    if cmd.json:
        return row
    outcome = row["outcome"]
    console.print(
        f"disposal {disposal_id}: {outcome['disposed']} records disposed, {len(outcome['skipped'])} kept"
    )
    for skipped in outcome["skipped"][:20]:
        console.print(f"  kept {skipped['id'][:16]}…: {skipped['why']}")


@command(dispose_app, "reject")
def dispose_reject(
    cmd: Run,
    disposal_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Reject a proposed disposal."""
    ws = cmd.ws
    disposal.reject_disposal(ws, cmd.actor, disposal_id, reason)
    console.print(f"disposal {disposal_id} rejected")


@command(dispose_app, "list", json=True, actor=False)
def dispose_list(
    cmd: Run,
    status: str | None = typer.Option(None, "--status", help="proposed, executed or rejected."),
) -> Any:
    """Disposals proposed, executed and rejected."""
    ws = cmd.ws
    rows = disposal.list_disposals(ws, status)
    if cmd.json:
        return rows
    table: list[dict[str, Any]] = [{**r, "disposed": (r["outcome"] or {}).get("disposed")} for r in rows]
    print_table(
        "Disposals",
        ["id", "status", "record_count", "disposed", "proposed_by", "decided_by", "proposed_at"],
        table,
    )


# ----------------------------------------------------------------------------------------- production


def export(
    cmd: Run,
    out: Path = typer.Option(..., "--out", help="New or empty folder for the production."),
    query: str | None = typer.Option(None, "--query", help="Full-text query."),
    source: list[str] = typer.Option([], "--source", help="Source name (repeatable)."),
    participant: list[str] = typer.Option([], "--participant", help="Participant address (repeatable)."),
    since: str | None = typer.Option(None, "--since"),
    until: str | None = typer.Option(None, "--until"),
    direction: str | None = typer.Option(None, "--direction", help="internal, external or unknown."),
    attachments: bool | None = typer.Option(
        None, "--has-attachments/--no-attachments", help="Only records with (or without) attachments."
    ),
    record: list[str] = typer.Option([], "--record", help="Record id (repeatable)."),
    everything: bool = typer.Option(False, "--all", help="Every record in the archive."),
    request: str = typer.Option("", "--request", help="The request answered, e.g. 'FINRA 8210 2026-0142'."),
) -> Any:
    """Produce records for a regulator: originals, HTML and PDF, audit trails, proofs, manifest."""
    ws = cmd.ws
    selection = RecordFilter(
        query=query,
        sources=tuple(source),
        participants=tuple(participant),
        since=parse_instant(since, "--since", bare_date="start"),
        until=parse_instant(until, "--until"),
        direction=direction,
        has_attachments=attachments,
        records=tuple(record),
        everything=everything,
    )
    with progress_bar("producing records") as advance:
        result = production.export_production(
            ws, cmd.actor, out, selection, request=request, progress=advance
        )
    if cmd.json:
        return result
    console.print(
        f"production {result['production']}: {result['records']} records, {result['files']} files in {out}\n"
        f"signed tree head size {result['tree_size']}; check it with `proctor comms verify-export {out}`"
    )


def verify_export(
    folder: Path = typer.Argument(..., help="Production folder (with manifest.json)."),
    public_key: str | None = typer.Option(
        None, "--public-key", help="The firm's published Ed25519 key (hex) the tree head must be signed with."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Check a production byte by byte: hashes, inclusion proofs, signature, no unlisted files."""
    report = verify_production(folder, public_key)
    if as_json:
        print_json(report.as_dict())
    else:
        for failure in report.failures:
            console.print(f"[red]FAIL[/]  {failure['path']}: {failure['problem']}", highlight=False)
    if not report.valid:
        raise IntegrityError(
            f"production {folder} does not verify: {len(report.failures)} problem(s)"
            + (
                f", first: {report.failures[0]['path']}: {report.failures[0]['problem']}"
                if report.failures
                else ""
            )
        )
    if not as_json:
        console.print(
            f"VALID: {report.files} files and {report.proofs} proofs match the tree head of size "
            f"{report.tree_size} signed by {report.public_key}"
        )


def register(app: typer.Typer) -> None:
    """Add retention, hold, dispose, export and verify-export to the `proctor comms` group."""
    app.add_typer(retention_app, name="retention")
    app.add_typer(hold_app, name="hold")
    app.add_typer(dispose_app, name="dispose")
    command(app, "export", json=True)(export)
    app.command("verify-export")(verify_export)
