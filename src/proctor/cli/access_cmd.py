"""`proctor access`: HR, systems, rosters, correlation, agreements, tasks and certification."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from proctor.access import agreements, certification, correlation, people, rules, systems, tasks
from proctor.access.accounts import import_roster, list_accounts
from proctor.cli import access_activity_cmd
from proctor.cli.command import Run, command
from proctor.cli.common import console, parse_as_of, print_table
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


@command(hr_app, "import", json=True)
def hr_import(
    cmd: Run,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="HR export (CSV or SCIM Users JSON)."),
    as_of: str | None = SnapshotAsOf,
    column_map: str | None = typer.Option(
        None, "--map", help="Column map: standard, midpoint, cert_ldap or a JSON file (default: by header)."
    ),
    fmt: str = typer.Option("auto", "--format", help="auto, csv or scim."),
) -> Any:
    """Store an HR snapshot and re-derive hires, notices, terminations, leavers and rehires."""
    ws = cmd.ws
    actor = cmd.actor
    result = people.import_hr(ws, path, actor=actor, as_of=_as_of(as_of), column_map=column_map, fmt=fmt)
    if cmd.json:
        return result
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


@command(hr_app, "show", json=True, actor=False)
def hr_show(cmd: Run, employee_id: str) -> Any:
    """One person's attributes, employment spans and accounts everywhere."""
    ws = cmd.ws
    row = people.person(ws, employee_id)
    if row is None:
        raise InputError(f"no person with employee id {employee_id!r}", field="EMPLOYEE_ID")
    accts = [a for a in list_accounts(ws) if a["employee_id"] == employee_id]
    if cmd.json:
        return {**row, "accounts": accts}
    console.print(
        f"{row['first_name']} {row['last_name']} ({employee_id}) — {row['status']}, {row['work_email']}"
    )
    print_table("Employment", ["start", "notified_at", "end", "end_source"], row["spans"])
    print_table("Accounts", ["system", "login_id", "status", "situation", "rule"], accts)


@command(system_app, "add", json=True)
def system_add(
    cmd: Run,
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
) -> Any:
    """Register a system."""
    ws = cmd.ws
    row = systems.add_system(
        ws,
        name,
        kind=kind,
        actor=cmd.actor,
        npi=npi,
        owner=owner,
        sla=systems.parse_duration(sla, "--sla") if sla else None,
        vendor_contact=vendor_contact,
        roster_cadence=systems.parse_duration(cadence, "--roster-cadence") if cadence else None,
        description=description,
    )
    if cmd.json:
        return row
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


@command(system_app, "list", json=True, actor=False)
def system_list(cmd: Run) -> Any:
    """Every registered system with its SLA and latest roster."""
    ws = cmd.ws
    rows = _system_rows(ws)
    if cmd.json:
        return rows
    print_table(
        "Systems",
        ["name", "kind", "npi", "owner", "sla_hours", "cadence_days", "last_roster", "vendor_contact"],
        rows,
    )


@command(system_app, "show", json=True, actor=False)
def system_show(cmd: Run, name: str) -> Any:
    """A system, its accounts and their situations."""
    ws = cmd.ws
    row = systems.get_system(ws, name)
    accts = list_accounts(ws, name)
    if cmd.json:
        return {**row, "accounts": accts}
    console.print(
        f"{row['name']}: {row['kind']}, NPI {'yes' if row['npi'] else 'no'}, SLA "
        f"{row['sla_seconds'] / 3600:g} h, contact {row['vendor_contact'] or '—'}"
    )
    print_table(
        f"Accounts on {name}",
        ["login_id", "display_name", "email", "status", "situation", "employee_id", "rule"],
        accts,
    )


@command(accounts_app, "import", json=True)
def accounts_import(
    cmd: Run,
    system: str = typer.Argument(...),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Roster CSV or SCIM Users JSON."),
    as_of: str | None = SnapshotAsOf,
    fmt: str = typer.Option("auto", "--format", help="auto, csv or scim."),
) -> Any:
    """Store a roster snapshot of SYSTEM; accounts absent from it are removed as of its date."""
    ws = cmd.ws
    result = import_roster(ws, system, path, actor=cmd.actor, as_of=_as_of(as_of), fmt=fmt)
    if cmd.json:
        return result
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


@command(correlation_app, "queue", json=True, actor=False)
def correlation_queue(cmd: Run, system: str | None = typer.Option(None, "--system")) -> Any:
    """Accounts with one candidate (unlinked) or several (disputed) awaiting a decision."""
    ws = cmd.ws
    rows = correlation.queue(ws, system)
    if cmd.json:
        return rows
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


def _decision(cmd: Run, kind: str, system: str, login_id: str, employee_id: str, rationale: str) -> Any:
    ws = cmd.ws
    fn = correlation.confirm if kind == "confirm" else correlation.reject
    row = fn(ws, system, login_id, employee_id, actor=cmd.actor, rationale=rationale)
    if cmd.json:
        return row
    console.print(f"{kind}ed: {login_id} on {system} {'is' if kind == 'confirm' else 'is not'} {employee_id}")


RationaleOpt = typer.Option(..., "--rationale", help="Why (journaled).")


@command(correlation_app, "confirm", json=True)
def correlation_confirm(
    cmd: Run,
    system: str,
    login_id: str,
    employee_id: str,
    rationale: str = RationaleOpt,
) -> Any:
    """Link an account to a person."""
    return _decision(cmd, "confirm", system, login_id, employee_id, rationale)


@command(correlation_app, "reject", json=True)
def correlation_reject(
    cmd: Run,
    system: str,
    login_id: str,
    employee_id: str,
    rationale: str = RationaleOpt,
) -> Any:
    """Refuse a candidate; the pair is never proposed again."""
    return _decision(cmd, "reject", system, login_id, employee_id, rationale)


@command(correlation_app, "tag")
def correlation_tag(
    cmd: Run,
    system: str,
    login_id: str,
    kind: str = typer.Argument(..., help="service or orphan"),
    rationale: str = RationaleOpt,
) -> None:
    """Mark an account as a service account or as belonging to nobody in HR."""
    ws = cmd.ws
    correlation.tag(ws, system, login_id, kind, actor=cmd.actor, rationale=rationale)
    console.print(f"{login_id} on {system} tagged {kind}")


@command(rules_app, "show", json=True, actor=False)
def rules_show(
    cmd: Run,
    as_of: str | None = typer.Option(None, "--as-of", help="The instant (default now)."),
) -> Any:
    """The rule table in force at an instant, and every version proposed."""
    ws = cmd.ws
    table = correlation.rules(ws, parse_as_of(as_of))
    versions = rules.list_versions(ws)
    if cmd.json:
        return {"in_force": {**table.label(), **table.to_dict()}, "versions": versions}
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


@command(rules_app, "propose", json=True)
def rules_propose(cmd: Run, path: Path, rationale: str = RationaleOpt) -> Any:
    """Propose a rule table (YAML or JSON); it applies only once someone else approves it."""
    ws = cmd.ws
    row = rules.propose(ws, path, actor=cmd.actor, rationale=rationale)
    if cmd.json:
        return row
    console.print(f"proposed {row['id']}: version {row['version']} from {row['effective_from']}")


@command(rules_app, "approve", json=True)
def rules_approve(cmd: Run, version_id: str) -> Any:
    """Approve a proposed rule table (never one's own)."""
    ws = cmd.ws
    row = rules.approve(ws, version_id, actor=cmd.actor)
    if cmd.json:
        return row
    console.print(f"{version_id}: {row['status']}")


@command(rules_app, "reject")
def rules_reject(
    cmd: Run,
    version_id: str,
    reason: str = typer.Option(..., "--reason", help="Why (journaled)."),
) -> None:
    """Turn a proposed rule table down."""
    ws = cmd.ws
    row = rules.reject(ws, version_id, actor=cmd.actor, reason=reason)
    console.print(f"{version_id}: {row['status']}")


@command(agreement_app, "import", json=True)
def agreement_import(
    cmd: Run,
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV employee_id,name,email,system,sunset_date"
    ),
) -> Any:
    """Replace the transitional-access list of each system the file names."""
    ws = cmd.ws
    result = agreements.import_agreements(ws, path, actor=cmd.actor)
    if cmd.json:
        return result
    console.print(
        f"{result['rows']} agreement rows for {', '.join(result['systems'])}; "
        f"{result['quarantined']} quarantined"
    )
    for err in result["errors"][:20]:
        console.print(
            f"  quarantined: {err['file']}, row {err['row']}, field {err['field']!r}: {err['error']}",
            highlight=False,
        )


@command(tasks_app, "list", json=True, actor=False)
def tasks_list(
    cmd: Run,
    status: str | None = typer.Option(None, "--status", help="open or closed"),
    system: str | None = typer.Option(None, "--system"),
) -> Any:
    """Deprovisioning tasks with their SLA clocks."""
    ws = cmd.ws
    rows = tasks.list_tasks(ws, status, system)
    if cmd.json:
        return rows
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


@command(certify_app, "start", json=True)
def certify_start(
    cmd: Run,
    system: str,
    reviewer: str = typer.Option(..., "--reviewer", help="Proctor user who certifies (owner or manager)."),
    due: str = typer.Option(..., "--due", help="Due date or instant (ISO-8601)."),
    note: str = typer.Option("", "--note"),
) -> Any:
    """Open a campaign over the system's latest roster (not evaluable if the roster is stale)."""
    ws = cmd.ws
    due_at = parse_as_of(due)
    if due_at is None:
        raise InputError("a due date is required", field="--due")
    row = certification.start(ws, system, reviewer=reviewer, due=due_at, actor=cmd.actor, note=note)
    if cmd.json:
        return row
    console.print(
        f"campaign {row['id']} on {system}: {row['status']}, reviewer {reviewer}, "
        f"due {row['due_at']:%Y-%m-%d}"
    )


@command(certify_app, "decide")
def certify_decide(
    cmd: Run,
    campaign: str,
    login_id: str,
    decision: str = typer.Argument(..., help="keep or revoke"),
    rationale: str = RationaleOpt,
) -> None:
    """Keep or revoke one account; a revocation opens a deprovisioning task."""
    ws = cmd.ws
    row = certification.decide(ws, campaign, login_id, decision, rationale=rationale, actor=cmd.actor)
    console.print(f"{login_id}: {decision}" + (f" (task {row['task_id']})" if row["task_id"] else ""))


@command(certify_app, "list", json=True, actor=False)
def certify_list(cmd: Run) -> Any:
    """Every campaign."""
    ws = cmd.ws
    rows = certification.list_campaigns(ws)
    if cmd.json:
        return rows
    print_table("Certification campaigns", ["id", "system", "reviewer", "due_at", "status", "note"], rows)


@command(certify_app, "show", json=True, actor=False)
def certify_show(cmd: Run, campaign: str) -> Any:
    """A campaign's lines and decisions."""
    ws = cmd.ws
    row = certification.show(ws, campaign)
    if cmd.json:
        return row
    console.print(f"campaign {row['id']} on {row['system']}: {row['status']} ({row['note']})")
    print_table(
        "Lines",
        ["login_id", "display_name", "employee_id", "decision", "rationale", "decided_by", "task_id"],
        row["lines"],
    )


access_activity_cmd.register(app)
