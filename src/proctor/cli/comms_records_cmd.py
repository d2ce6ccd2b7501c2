"""`proctor comms` records management: retention, legal holds, disposal, production, verify-export.

`register(app)` adds these commands to the `proctor comms` group, next to capture and search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from proctor.cli.common import (
    ActorOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    console,
    open_ws,
    print_json,
    print_table,
    progress_bar,
)
from proctor.comms import disposal, holds, production, retention_changes
from proctor.comms.production_verify import verify_production
from proctor.comms.record_filter import RecordFilter
from proctor.core.errors import InputError, IntegrityError
from proctor.platform import Workspace
from proctor.platform.dates import parse_instant

retention_app = typer.Typer(help="Retention schedules (SEA 17a-4(b)(4), FINRA 4511).", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds by matter, custodian or query.", no_args_is_help=True)
dispose_app = typer.Typer(
    help="Disposal of records past retention, approved by two people.", no_args_is_help=True
)


def _open(ctx: typer.Context, workspace: Path | None) -> Workspace:
    """Open the workspace for this command and close it (its database pool) when the command ends."""
    ws = open_ws(workspace)
    ctx.call_on_close(ws.close)
    return ws


# ----------------------------------------------------------------------------------------- retention


@retention_app.command("list")
def retention_list(
    ctx: typer.Context, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt
) -> None:
    """Every schedule version: the packaged baseline, proposals, approvals, and the one in force."""
    ws = _open(ctx, workspace)
    rows = retention_changes.list_versions(ws)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["in_force"] = "yes" if row["in_force"] else ""
    print_table(
        "Retention schedule versions",
        ["version", "status", "effective_from", "in_force", "proposed_by", "decided_by", "origin"],
        rows,
    )


@retention_app.command("show")
def retention_show(
    ctx: typer.Context,
    version: str | None = typer.Argument(None, help="Version (default: the one in force)."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """The rules of one version: periods per source kind and their citations."""
    ws = _open(ctx, workspace)
    rows = retention_changes.list_versions(ws)
    chosen = next((r for r in rows if (r["version"] == version if version else r["in_force"])), None)
    if chosen is None:
        raise InputError(f"no retention version {version!r}", field="version")
    schedule = chosen["schedule"]
    if as_json:
        print_json(schedule)
        return
    rules = [*schedule["rules"], {"kind": "(any other kind)", **schedule["default"]}]
    print_table(
        f"Retention schedule {chosen['version']} ({chosen['status']})",
        ["kind", "retain_years", "accessible_years", "citation"],
        rules,
    )


@retention_app.command("import")
def retention_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="YAML schedule (see docs/comms.md)."),
    reason: str = typer.Option(..., "--reason", help="Why the schedule changes."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Propose a new schedule version; a different person approves it with `retention approve`."""
    ws = _open(ctx, workspace)
    row = retention_changes.propose_schedule(ws, actor_for(ws, as_), file, reason)
    if as_json:
        print_json(row)
        return
    console.print(f"retention version {row['version']} proposed; a second person must approve it")


@retention_app.command("approve")
def retention_approve(
    ctx: typer.Context,
    version: str = typer.Argument(...),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Approve a proposed version (not by its proposer); it is in force from its effective date."""
    ws = _open(ctx, workspace)
    row = retention_changes.approve_schedule(ws, actor_for(ws, as_), version)
    if as_json:
        print_json(row)
        return
    console.print(f"retention version {version} approved, effective {row['effective_from']}")


@retention_app.command("reject")
def retention_reject(
    ctx: typer.Context,
    version: str = typer.Argument(...),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Reject a proposed version."""
    ws = _open(ctx, workspace)
    retention_changes.reject_schedule(ws, actor_for(ws, as_), version)
    console.print(f"retention version {version} rejected")


@retention_app.command("apply")
def retention_apply(
    ctx: typer.Context,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Recompute every record's retain-until date under the schedule in force."""
    ws = _open(ctx, workspace)
    with progress_bar("applying retention") as advance:
        result = retention_changes.apply_schedule(ws, actor_for(ws, as_), progress=advance)
    if as_json:
        print_json(result)
        return
    console.print(f"{result['changed']} of {result['checked']} records moved to {result['version']}")


# ----------------------------------------------------------------------------------------- holds


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    matter: str = typer.Option(..., "--matter", help="The matter, e.g. 'SEC inquiry HO-14412'."),
    reason: str = typer.Option(..., "--reason"),
    custodian: list[str] = typer.Option([], "--custodian", help="Participant address (repeatable)."),
    query: str | None = typer.Option(None, "--query", help="Full-text query."),
    source: list[str] = typer.Option([], "--source", help="Source name (repeatable)."),
    since: str | None = typer.Option(None, "--since"),
    until: str | None = typer.Option(None, "--until"),
    record: list[str] = typer.Option([], "--record", help="Record id (repeatable)."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Place a legal hold; records matching later are held too."""
    ws = _open(ctx, workspace)
    criteria = holds.HoldCriteria(
        custodians=tuple(custodian),
        query=query,
        sources=tuple(source),
        since=parse_instant(since, "--since", bare_date="start"),
        until=parse_instant(until, "--until"),
        records=tuple(record),
    )
    row = holds.place_hold(ws, actor_for(ws, as_), matter, reason, criteria)
    if as_json:
        print_json(row)
        return
    console.print(f"legal hold {row['id']} placed for {row['matter']}: {row['records']} records held")
    for person in row.get("custodians", []):
        console.print(
            f"  custodian {person['named']}: identities {', '.join(person['identities'])}; "
            f"sources {', '.join(person['sources']) or 'none'}",
            highlight=False,
        )
        for doubt in person["to_confirm"]:
            console.print(f"  [yellow]to confirm[/] {doubt}", highlight=False)


@hold_app.command("list")
def hold_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="active or released."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Legal holds with the number of records each covers."""
    ws = _open(ctx, workspace)
    rows = holds.list_holds(ws, status)
    if as_json:
        print_json(rows)
        return
    print_table("Legal holds", ["id", "matter", "kind", "status", "records", "placed_by", "placed_at"], rows)


@hold_app.command("sweep")
def hold_sweep(
    ctx: typer.Context,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Add records captured since each active hold was placed that match its criteria."""
    ws = _open(ctx, workspace)
    added = holds.sweep_holds(ws, actor_for(ws, as_))
    if as_json:
        print_json(added)
        return
    console.print(f"{sum(added.values())} records added to {len(added)} holds")


@hold_app.command("release")
def hold_release(
    ctx: typer.Context,
    hold_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Release a hold; what it covered stays on record."""
    ws = _open(ctx, workspace)
    holds.release_hold(ws, actor_for(ws, as_), hold_id, reason)
    console.print(f"legal hold {hold_id} released")


# ----------------------------------------------------------------------------------------- disposal


@dispose_app.command("propose")
def dispose_propose(
    ctx: typer.Context,
    reason: str = typer.Option(..., "--reason"),
    source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable)."),
    before: str | None = typer.Option(None, "--before", help="Retain-until cutoff (default: now)."),
    limit: int = typer.Option(disposal.MAX_RECORDS, "--limit", help="At most this many records."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List records past retain-until and under no hold, for a second person to approve."""
    ws = _open(ctx, workspace)
    row = disposal.propose_disposal(
        ws,
        actor_for(ws, as_),
        reason,
        sources=tuple(source),
        before=parse_instant(before, "--before"),
        limit=limit,
    )
    if as_json:
        print_json(row)
        return
    console.print(
        f"disposal {row['id']} proposed: {row['record_count']} records; a second person approves it"
    )


@dispose_app.command("approve")
def dispose_approve(
    ctx: typer.Context,
    disposal_id: str = typer.Argument(...),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Approve (not by the proposer): each record is re-checked, then removed and journaled."""
    ws = _open(ctx, workspace)
    row = disposal.approve_disposal(ws, actor_for(ws, as_), disposal_id)
    if as_json:
        print_json(row)
        return
    outcome = row["outcome"]
    console.print(
        f"disposal {disposal_id}: {outcome['disposed']} records disposed, {len(outcome['skipped'])} kept"
    )
    for skipped in outcome["skipped"][:20]:
        console.print(f"  kept {skipped['id'][:16]}…: {skipped['why']}")


@dispose_app.command("reject")
def dispose_reject(
    ctx: typer.Context,
    disposal_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Reject a proposed disposal."""
    ws = _open(ctx, workspace)
    disposal.reject_disposal(ws, actor_for(ws, as_), disposal_id, reason)
    console.print(f"disposal {disposal_id} rejected")


@dispose_app.command("list")
def dispose_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="proposed, executed or rejected."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Disposals proposed, executed and rejected."""
    ws = _open(ctx, workspace)
    rows = disposal.list_disposals(ws, status)
    if as_json:
        print_json(rows)
        return
    table: list[dict[str, Any]] = [{**r, "disposed": (r["outcome"] or {}).get("disposed")} for r in rows]
    print_table(
        "Disposals",
        ["id", "status", "record_count", "disposed", "proposed_by", "decided_by", "proposed_at"],
        table,
    )


# ----------------------------------------------------------------------------------------- production


def export(
    ctx: typer.Context,
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
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Produce records for a regulator: originals, HTML and PDF, audit trails, proofs, manifest."""
    ws = _open(ctx, workspace)
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
            ws, actor_for(ws, as_), out, selection, request=request, progress=advance
        )
    if as_json:
        print_json(result)
        return
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
    app.command("export")(export)
    app.command("verify-export")(verify_export)
