"""`proctor access`: HR, systems, rosters, correlation, agreements, tasks and certification."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from proctor.access import agreements, certification, correlation, people, rules, systems, tasks
from proctor.access.accounts import import_roster, list_accounts
from proctor.cli import access_activity_cmd
from proctor.cli.common import (
    ActorOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    console,
    open_ws,
    parse_as_of,
    print_json,
    print_table,
)
from proctor.core.errors import InputError

app = typer.Typer(
    help="Customer-data access (Reg S-P): people, systems, accounts, leavers.", no_args_is_help=True
)
hr_app = typer.Typer(help="HR snapshots: who works here, who left and when.", no_args_is_help=True)
system_app = typer.Typer(help="The register of systems, vendor systems included.", no_args_is_help=True)
accounts_app = typer.Typer(help="Account rosters of each system (dated snapshots).", no_args_is_help=True)
correlation_app = typer.Typer(help="Accounts linked to people; the review queue.", no_args_is_help=True)
agreement_app = typer.Typer(help="Transitional access after an acquisition.", no_args_is_help=True)
tasks_app = typer.Typer(help="Deprovisioning tasks and vendor notices.", no_args_is_help=True)
certify_app = typer.Typer(help="Access certification campaigns on NPI systems.", no_args_is_help=True)
rules_app = typer.Typer(
    help="The correlation rule table: versions proposed and approved by two people.", no_args_is_help=True
)
correlation_app.add_typer(rules_app, name="rules")
for sub, name in (
    (hr_app, "hr"),
    (system_app, "system"),
    (accounts_app, "accounts"),
    (correlation_app, "correlation"),
    (agreement_app, "agreement"),
    (tasks_app, "tasks"),
    (certify_app, "certify"),
):
    app.add_typer(sub, name=name)

SnapshotAsOf = typer.Option(
    None, "--as-of", help="When the export was taken (ISO-8601; default now; never future)."
)


def _as_of(text: str | None) -> datetime | None:
    if text is not None and len(text.strip()) == 10:
        raise InputError(
            "give the export's instant with a time and offset, e.g. 2026-01-05T06:00:00Z", field="--as-of"
        )
    return parse_as_of(text)


@hr_app.command("import")
def hr_import(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="HR export (CSV or SCIM Users JSON)."),
    as_of: str | None = SnapshotAsOf,
    column_map: str | None = typer.Option(
        None, "--map", help="Column map: standard, midpoint, cert_ldap or a JSON file (default: by header)."
    ),
    fmt: str = typer.Option("auto", "--format", help="auto, csv or scim."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Store an HR snapshot and re-derive hires, notices, terminations, leavers and rehires."""
    ws = open_ws(workspace)
    actor = actor_for(ws, as_)
    result = people.import_hr(ws, path, actor=actor, as_of=_as_of(as_of), column_map=column_map, fmt=fmt)
    if as_json:
        print_json(result)
        return
    console.print(
        f"HR snapshot {result['snapshot']} as of {result['as_of']:%Y-%m-%d %H:%M}Z: {result['rows']} "
        f"people, {result['events']} HR events, {result['quarantined']} rows quarantined, "
        f"{result['tasks_opened']} deprovisioning tasks opened"
    )
    for err in result["errors"][:20]:
        console.print(
            f"  quarantined: {err['file']}, row {err['row']}, field {err['field']!r}: {err['error']}",
            highlight=False,
        )


@hr_app.command("show")
def hr_show(employee_id: str, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """One person's attributes, employment spans and accounts everywhere."""
    ws = open_ws(workspace)
    row = people.person(ws, employee_id)
    if row is None:
        raise InputError(f"no person with employee id {employee_id!r}", field="EMPLOYEE_ID")
    accts = [a for a in list_accounts(ws) if a["employee_id"] == employee_id]
    if as_json:
        print_json({**row, "accounts": accts})
        return
    console.print(
        f"{row['first_name']} {row['last_name']} ({employee_id}) — {row['status']}, {row['work_email']}"
    )
    print_table("Employment", ["start", "notified_at", "end", "end_source"], row["spans"])
    print_table("Accounts", ["system", "login_id", "status", "situation", "rule"], accts)


@system_app.command("add")
def system_add(
    name: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="connected (IdP/SCIM-provisioned) or vendor (manual)."),
    npi: bool = typer.Option(
        False, "--npi", help="The system holds customers' nonpublic personal information."
    ),
    owner: str = typer.Option(
        "", "--owner", help="Proctor user who owns the system (certification reviewer)."
    ),
    sla: str | None = typer.Option(
        None, "--sla", help="Deprovisioning SLA, e.g. 1h, 24h (default 1h / 24h)."
    ),
    vendor_contact: str = typer.Option("", "--vendor-contact", help="Vendor's e-mail for access requests."),
    cadence: str | None = typer.Option(
        None, "--roster-cadence", help="How often a roster is due (default 1d / 7d)."
    ),
    description: str = typer.Option("", "--description"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Register a system."""
    ws = open_ws(workspace)
    row = systems.add_system(
        ws,
        name,
        kind=kind,
        actor=actor_for(ws, as_),
        npi=npi,
        owner=owner,
        sla=systems.parse_duration(sla, "--sla") if sla else None,
        vendor_contact=vendor_contact,
        roster_cadence=systems.parse_duration(cadence, "--roster-cadence") if cadence else None,
        description=description,
    )
    if as_json:
        print_json(row)
        return
    console.print(
        f"system {row['name']} registered ({row['kind']}, NPI: {'yes' if row['npi'] else 'no'}, "
        f"SLA {row['sla_seconds'] / 3600:g} h)"
    )


def _system_rows(ws: Any) -> list[dict[str, Any]]:
    from proctor.access.accounts import latest_snapshot

    out = []
    with ws.read() as conn:
        for s in systems.list_systems(ws, conn):
            snap = latest_snapshot(conn, s["name"])
            out.append(
                {
                    **s,
                    "sla_hours": s["sla_seconds"] / 3600,
                    "cadence_days": s["roster_cadence_seconds"] / 86400,
                    "last_roster": snap["as_of"] if snap else None,
                }
            )
    return out


@system_app.command("list")
def system_list(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Every registered system with its SLA and latest roster."""
    ws = open_ws(workspace)
    rows = _system_rows(ws)
    if as_json:
        print_json(rows)
        return
    print_table(
        "Systems",
        ["name", "kind", "npi", "owner", "sla_hours", "cadence_days", "last_roster", "vendor_contact"],
        rows,
    )


@system_app.command("show")
def system_show(name: str, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """A system, its accounts and their situations."""
    ws = open_ws(workspace)
    row = systems.get_system(ws, name)
    accts = list_accounts(ws, name)
    if as_json:
        print_json({**row, "accounts": accts})
        return
    console.print(
        f"{row['name']}: {row['kind']}, NPI {'yes' if row['npi'] else 'no'}, SLA "
        f"{row['sla_seconds'] / 3600:g} h, contact {row['vendor_contact'] or '—'}"
    )
    print_table(
        f"Accounts on {name}",
        ["login_id", "display_name", "email", "status", "situation", "employee_id", "rule"],
        accts,
    )


@accounts_app.command("import")
def accounts_import(
    system: str = typer.Argument(...),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Roster CSV or SCIM Users JSON."),
    as_of: str | None = SnapshotAsOf,
    fmt: str = typer.Option("auto", "--format", help="auto, csv or scim."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Store a roster snapshot of SYSTEM; accounts absent from it are removed as of its date."""
    ws = open_ws(workspace)
    result = import_roster(ws, system, path, actor=actor_for(ws, as_), as_of=_as_of(as_of), fmt=fmt)
    if as_json:
        print_json(result)
        return
    console.print(
        f"roster {result['snapshot']} of {system}: {result['rows']} accounts ({result['active']} active, "
        f"{result['disabled']} disabled), {result['added']} new, {result['removed']} removed, "
        f"{result['quarantined']} quarantined; {result['tasks_closed']} tasks closed"
        + (" (backfilled: current picture unchanged)" if result["backfilled"] else "")
    )
    for err in result["errors"][:20]:
        console.print(
            f"  quarantined: {err['file']}, row {err['row']}, field {err['field']!r}: {err['error']}",
            highlight=False,
        )


@correlation_app.command("queue")
def correlation_queue(
    system: str | None = typer.Option(None, "--system"),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Accounts with one candidate (unlinked) or several (disputed) awaiting a decision."""
    ws = open_ws(workspace)
    rows = correlation.queue(ws, system)
    if as_json:
        print_json(rows)
        return
    shown = [
        {
            **r,
            "candidates": ", ".join(
                f"{c} ({n})" for c, n in zip(r["candidates"], r["candidate_names"], strict=True)
            ),
        }
        for r in rows
    ]
    print_table(
        "Correlation review queue",
        ["system", "login_id", "display_name", "email", "situation", "rule", "candidates"],
        shown,
    )


def _decision(
    kind: str,
    system: str,
    login_id: str,
    employee_id: str,
    rationale: str,
    workspace: Path | None,
    as_: str | None,
    as_json: bool,
) -> None:
    ws = open_ws(workspace)
    fn = correlation.confirm if kind == "confirm" else correlation.reject
    row = fn(ws, system, login_id, employee_id, actor=actor_for(ws, as_), rationale=rationale)
    if as_json:
        print_json(row)
        return
    console.print(f"{kind}ed: {login_id} on {system} {'is' if kind == 'confirm' else 'is not'} {employee_id}")


RationaleOpt = typer.Option(..., "--rationale", help="Why (journaled).")


@correlation_app.command("confirm")
def correlation_confirm(
    system: str,
    login_id: str,
    employee_id: str,
    rationale: str = RationaleOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Link an account to a person."""
    _decision("confirm", system, login_id, employee_id, rationale, workspace, as_, as_json)


@correlation_app.command("reject")
def correlation_reject(
    system: str,
    login_id: str,
    employee_id: str,
    rationale: str = RationaleOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Refuse a candidate; the pair is never proposed again."""
    _decision("reject", system, login_id, employee_id, rationale, workspace, as_, as_json)


@correlation_app.command("tag")
def correlation_tag(
    system: str,
    login_id: str,
    kind: str = typer.Argument(..., help="service or orphan"),
    rationale: str = RationaleOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Mark an account as a service account or as belonging to nobody in HR."""
    ws = open_ws(workspace)
    correlation.tag(ws, system, login_id, kind, actor=actor_for(ws, as_), rationale=rationale)
    console.print(f"{login_id} on {system} tagged {kind}")


@rules_app.command("show")
def rules_show(
    workspace: Path | None = WorkspaceOpt,
    as_of: str | None = typer.Option(None, "--as-of", help="The instant (default now)."),
    as_json: bool = JsonOpt,
) -> None:
    """The rule table in force at an instant, and every version proposed."""
    ws = open_ws(workspace)
    table = correlation.rules(ws, parse_as_of(as_of))
    versions = rules.list_versions(ws)
    if as_json:
        print_json({"in_force": {**table.label(), **table.to_dict()}, "versions": versions})
        return
    console.print(f"In force: {table.version} ({table.source}) digest {table.digest[:16]}")
    print_table(
        "Correlation rules in force",
        ["name", "key", "auto_link", "threshold"],
        [{**r.__dict__} for r in table.rules],
    )
    print_table(
        "Versions",
        ["id", "version", "effective_from", "status", "proposed_by", "decided_by", "digest"],
        [{**v, "digest": v["digest"][:16]} for v in versions],
    )


@rules_app.command("propose")
def rules_propose(
    path: Path,
    rationale: str = RationaleOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Propose a rule table (YAML or JSON); it applies only once someone else approves it."""
    ws = open_ws(workspace)
    row = rules.propose(ws, path, actor=actor_for(ws, as_), rationale=rationale)
    if as_json:
        print_json(row)
        return
    console.print(f"proposed {row['id']}: version {row['version']} from {row['effective_from']}")


@rules_app.command("approve")
def rules_approve(
    version_id: str,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Approve a proposed rule table (never one's own)."""
    ws = open_ws(workspace)
    row = rules.approve(ws, version_id, actor=actor_for(ws, as_))
    if as_json:
        print_json(row)
        return
    console.print(f"{version_id}: {row['status']}")


@rules_app.command("reject")
def rules_reject(
    version_id: str,
    reason: str = typer.Option(..., "--reason", help="Why (journaled)."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Turn a proposed rule table down."""
    ws = open_ws(workspace)
    row = rules.reject(ws, version_id, actor=actor_for(ws, as_), reason=reason)
    console.print(f"{version_id}: {row['status']}")


@agreement_app.command("import")
def agreement_import(
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV employee_id,name,email,system,sunset_date"
    ),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Replace the transitional-access list of each system the file names."""
    ws = open_ws(workspace)
    result = agreements.import_agreements(ws, path, actor=actor_for(ws, as_))
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['rows']} agreement rows for {', '.join(result['systems'])}; "
        f"{result['quarantined']} quarantined"
    )
    for err in result["errors"][:20]:
        console.print(
            f"  quarantined: {err['file']}, row {err['row']}, field {err['field']!r}: {err['error']}",
            highlight=False,
        )


@tasks_app.command("list")
def tasks_list(
    status: str | None = typer.Option(None, "--status", help="open or closed"),
    system: str | None = typer.Option(None, "--system"),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Deprovisioning tasks with their SLA clocks."""
    ws = open_ws(workspace)
    rows = tasks.list_tasks(ws, status, system)
    if as_json:
        print_json(rows)
        return
    print_table(
        "Deprovisioning tasks",
        [
            "id",
            "system",
            "login_id",
            "employee_id",
            "kind",
            "reason",
            "due_at",
            "status",
            "overdue",
            "closed_by_snapshot",
            "outbox_file",
        ],
        rows,
        styles={"overdue": "red"},
    )


@certify_app.command("start")
def certify_start(
    system: str,
    reviewer: str = typer.Option(..., "--reviewer", help="Proctor user who certifies (owner or manager)."),
    due: str = typer.Option(..., "--due", help="Due date or instant (ISO-8601)."),
    note: str = typer.Option("", "--note"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Open a campaign over the system's latest roster (not evaluable if the roster is stale)."""
    ws = open_ws(workspace)
    due_at = parse_as_of(due)
    if due_at is None:
        raise InputError("a due date is required", field="--due")
    row = certification.start(ws, system, reviewer=reviewer, due=due_at, actor=actor_for(ws, as_), note=note)
    if as_json:
        print_json(row)
        return
    console.print(
        f"campaign {row['id']} on {system}: {row['status']}, reviewer {reviewer}, "
        f"due {row['due_at']:%Y-%m-%d}"
    )


@certify_app.command("decide")
def certify_decide(
    campaign: str,
    login_id: str,
    decision: str = typer.Argument(..., help="keep or revoke"),
    rationale: str = RationaleOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Keep or revoke one account; a revocation opens a deprovisioning task."""
    ws = open_ws(workspace)
    row = certification.decide(
        ws, campaign, login_id, decision, rationale=rationale, actor=actor_for(ws, as_)
    )
    console.print(f"{login_id}: {decision}" + (f" (task {row['task_id']})" if row["task_id"] else ""))


@certify_app.command("list")
def certify_list(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Every campaign."""
    ws = open_ws(workspace)
    rows = certification.list_campaigns(ws)
    if as_json:
        print_json(rows)
        return
    print_table("Certification campaigns", ["id", "system", "reviewer", "due_at", "status", "note"], rows)


@certify_app.command("show")
def certify_show(campaign: str, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """A campaign's lines and decisions."""
    ws = open_ws(workspace)
    row = certification.show(ws, campaign)
    if as_json:
        print_json(row)
        return
    console.print(f"campaign {row['id']} on {row['system']}: {row['status']} ({row['note']})")
    print_table(
        "Lines",
        ["login_id", "display_name", "employee_id", "decision", "rationale", "decided_by", "task_id"],
        row["lines"],
    )


access_activity_cmd.register(app)
