"""`proctor access activity …` and `proctor access incident …`: activity logs in, Reg S-P incidents.

Every verb is a call into `proctor.access` (activity_store, incidents, evidence_pack); the CLI
only parses options and prints. Times are ISO-8601; a date alone means the end of that day (UTC).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import AsOfOpt, console, parse_as_of, print_table
from proctor.core.errors import InputError

activity_app = typer.Typer(
    help="Activity logs of every system (IdP, cloud, vendor systems).", no_args_is_help=True
)
incident_app = typer.Typer(
    help="Reg S-P incidents: clocks, determinations, notices, evidence.", no_args_is_help=True
)


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_as_of(text)
    except InputError:
        raise InputError(f"not an ISO-8601 date or time: {text!r}", field=option) from None


def _required(text: str | None, option: str) -> datetime:
    moment = _when(text, option)
    if moment is None:
        raise InputError("a time is required", field=option)
    return moment


@command(activity_app, "import", json=True)
def activity_import(
    cmd: Run,
    path: Path = typer.Argument(..., help="The log file (Okta NDJSON, Entra JSON lines, CloudTrail, CSV)."),
    system: str = typer.Option(..., "--system", help="The registered system the log is from."),
    fmt: str | None = typer.Option(
        None, "--format", help="okta, entra, cloudtrail or csv (default: sniffed)."
    ),
    as_of: str | None = AsOfOpt,
) -> Any:
    """Store every line (Parquet by system and day, hashed, journaled) or quarantine it with a reason."""
    from proctor.access.activity_store import import_activity

    ws = cmd.ws
    row = import_activity(ws, path, system, actor=cmd.actor, fmt=fmt, as_of=_when(as_of, "--as-of"))
    if cmd.json:
        return row
    if row["already_imported"]:
        console.print(f"already imported as {row['id']} (same bytes for {system}); nothing changed")
        return
    console.print(
        f"import {row['id']}: {row['lines']} lines, {row['stored']} stored, "
        f"{len(row['quarantined'])} quarantined, "
        f"{row['duplicates']} duplicate, {len(row['files'])} file(s)"
    )
    for q in row["quarantined"][:20]:
        console.print(f"  line {q['line']}: {q['reason']}", highlight=False)


@command(activity_app, "list", json=True, actor=False)
def activity_list(
    cmd: Run,
    system: str | None = typer.Option(None, "--system"),
    as_of: str | None = AsOfOpt,
) -> Any:
    """Imports with what was stored and quarantined."""
    from proctor.access.activity_store import imports

    ws = cmd.ws
    rows = imports(ws, system, _when(as_of, "--as-of"))
    for r in rows:
        r["quarantined_lines"] = len(r["quarantined"])
    if cmd.json:
        return rows
    print_table(
        "Activity imports",
        ["id", "system", "format", "as_of", "lines", "stored", "quarantined_lines", "first_ts", "last_ts"],
        rows,
    )


@command(activity_app, "expect")
def activity_expect(
    cmd: Run,
    system: str = typer.Argument(...),
    every: str = typer.Option(..., "--every", help="How often the log must arrive, e.g. 1h, 24h, 2d."),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Set a system's log cadence; `access.silent_source` alerts when a log is late."""
    from proctor.access.activity_store import set_cadence
    from proctor.access.systems import parse_duration

    ws = cmd.ws
    row = set_cadence(ws, system, parse_duration(every, "--every"), actor=cmd.actor, reason=reason)
    console.print(f"{system}: log expected every {row['cadence_seconds'] / 3600:g} h")


def _print_incident(data: dict[str, Any]) -> None:
    console.print(f"[bold]{data['id']}[/] {data['title']} ({data['status']})", highlight=False)
    for key in (
        "aware_at",
        "deadline",
        "notice_status",
        "sensitive",
        "ag_delay_until",
        "customers_notified_at",
        "provider",
        "provider_deadline",
        "provider_notified_at",
    ):
        if key in data:
            console.print(f"  {key.replace('_', ' ')}: {data[key] if data[key] is not None else '—'}")


@command(incident_app, "open", json=True)
def incident_open(
    cmd: Run,
    alert: list[str] = typer.Option(..., "--alert", help="Alert id (repeat for several)."),
    title: str = typer.Option("", "--title"),
    aware_at: str | None = typer.Option(
        None, "--aware-at", help="When the firm became aware (default: now)."
    ),
    provider: str | None = typer.Option(None, "--provider", help="Service provider (default: the vendor)."),
    provider_aware_at: str | None = typer.Option(None, "--provider-aware-at"),
) -> Any:
    """Open an incident from alerts; starts the 30-day customer and 72-hour provider clocks."""
    from proctor.access.incidents import open_incident

    ws = cmd.ws
    row = open_incident(
        ws,
        alert,
        actor=cmd.actor,
        title=title,
        aware_at=_when(aware_at, "--aware-at"),
        provider=provider,
        provider_aware_at=_when(provider_aware_at, "--provider-aware-at"),
    )
    if cmd.json:
        return row
    console.print(
        f"incident {row['id']} opened; customer notice due {row['customer_deadline']:%Y-%m-%d %H:%M} UTC"
    )


@command(incident_app, "list", json=True, actor=False)
def incident_list(cmd: Run, status: str | None = typer.Option(None, "--status")) -> Any:
    from proctor.access.incidents import list_incidents

    rows = list_incidents(cmd.ws, status)
    if cmd.json:
        return rows
    print_table(
        "Incidents",
        ["id", "status", "aware_at", "customer_deadline", "notice_status", "provider_deadline", "title"],
        rows,
    )


@command(incident_app, "show", json=True)
def incident_show(cmd: Run, incident: str = typer.Argument(...)) -> Any:
    """The incident, its clocks, steps and affected customers (a journaled view of NPI)."""
    from proctor.access.incidents import show

    ws = cmd.ws
    data = show(ws, incident, actor=cmd.actor)
    if cmd.json:
        return data
    _print_incident(data)
    print_table(
        "Affected customers",
        ["customer", "seen", "downloaded", "printed", "exported", "logins", "first_access"],
        data["customers"],
    )
    print_table("Steps", ["recorded_at", "kind", "actor", "at"], data["steps"])


@command(incident_app, "update")
def incident_update(
    cmd: Run,
    incident: str = typer.Argument(...),
    aware_at: str | None = typer.Option(None, "--aware-at"),
    sensitive: bool | None = typer.Option(None, "--sensitive/--not-sensitive"),
    rationale: str = typer.Option("", "--rationale"),
    rebut: str | None = typer.Option(
        None, "--propose-rebuttal", help="The reasonable investigation's findings."
    ),
    approve: bool = typer.Option(False, "--approve-rebuttal"),
    reject_reason: str | None = typer.Option(None, "--reject-rebuttal"),
    ag_requested: str | None = typer.Option(
        None, "--ag-delay-requested", help="Date of the AG's written request."
    ),
    ag_days: int = typer.Option(30, "--ag-days"),
    ag_reference: str = typer.Option("", "--ag-reference"),
    draft: bool = typer.Option(False, "--draft-notices"),
    office: str = typer.Option("Privacy Office", "--office"),
    phone: str = typer.Option("", "--phone"),
    email: str = typer.Option("", "--email"),
    postal: str = typer.Option("", "--postal"),
    protection: str = typer.Option("", "--protection", help="What the firm did to stop further access."),
    sent_at: str | None = typer.Option(None, "--notices-sent"),
    method: str = typer.Option("first-class mail", "--method"),
    notify_provider: bool = typer.Option(False, "--notify-provider"),
    provider_notice: str | None = typer.Option(None, "--provider-notice-received"),
    provider_aware: str | None = typer.Option(None, "--provider-aware-at"),
    summary: str = typer.Option("", "--summary"),
    note_text: str | None = typer.Option(None, "--note"),
) -> None:
    """Record one step: awareness, determination, rebuttal and its approval, AG delay, notices, provider."""
    from proctor.access import incidents as inc
    from proctor.access.notices import FirmContact

    ws = cmd.ws
    actor = cmd.actor
    done = []
    if aware_at is not None:
        inc.set_aware(ws, incident, _required(aware_at, "--aware-at"), actor=actor, rationale=rationale)
        done.append("aware time set")
    if sensitive is not None:
        inc.determine_sensitive(ws, incident, sensitive, actor=actor, rationale=rationale)
        done.append("sensitivity determined")
    if rebut is not None:
        inc.propose_rebuttal(ws, incident, rebut, actor=actor)
        done.append("rebuttal proposed (awaiting a second person)")
    if approve:
        inc.approve_rebuttal(ws, incident, actor=actor, comment=rationale)
        done.append("rebuttal approved")
    if reject_reason is not None:
        inc.reject_rebuttal(ws, incident, actor=actor, reason=reject_reason)
        done.append("rebuttal rejected")
    if ag_requested is not None:
        inc.record_ag_delay(
            ws,
            incident,
            actor=actor,
            requested_at=_required(ag_requested, "--ag-delay-requested"),
            days=ag_days,
            reference=ag_reference,
        )
        done.append("Attorney General delay recorded")
    if draft:
        contact = FirmContact(ws.config.firm_name, office, phone, email, postal)
        inc.draft_notices(ws, incident, contact, protection, actor=actor)
        done.append("customer notices drafted")
    if sent_at is not None:
        inc.record_notices_sent(
            ws, incident, actor=actor, sent_at=_required(sent_at, "--notices-sent"), method=method
        )
        done.append("customer notices recorded as sent")
    if notify_provider:
        inc.notify_provider(ws, incident, actor=actor)
        done.append("service provider notified (outbox)")
    if provider_notice is not None:
        inc.record_provider_notice(
            ws,
            incident,
            actor=actor,
            received_at=_required(provider_notice, "--provider-notice-received"),
            aware_at=_when(provider_aware, "--provider-aware-at"),
            summary=summary,
        )
        done.append("provider's notice recorded")
    if note_text is not None:
        inc.note(ws, incident, note_text, actor=actor)
        done.append("note added")
    if not done:
        raise InputError("nothing to update: pass one of the step options (see --help)")
    console.print(f"{incident}: " + "; ".join(done))


@command(incident_app, "close")
def incident_close(
    cmd: Run,
    incident: str = typer.Argument(...),
    rationale: str = typer.Option(..., "--rationale"),
) -> None:
    from proctor.access.incidents import close

    ws = cmd.ws
    close(ws, incident, actor=cmd.actor, rationale=rationale)
    console.print(f"incident {incident} closed")


@command(incident_app, "export", json=True)
def incident_export(
    cmd: Run,
    incident: str = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="New or empty folder."),
) -> Any:
    """The examiner pack: verify it with `python tools/verify_proof.py DIR`."""
    from proctor.access.evidence_pack import export_pack

    ws = cmd.ws
    result = export_pack(ws, incident, out, actor=cmd.actor)
    if cmd.json:
        return result
    console.print(
        f"pack of {incident} written to {out}: {result['files']} files, {result['customers']} customer(s); "
        f"verify with python tools/verify_proof.py {out}"
    )


def register(app: Any) -> None:
    """Adds the `activity` and `incident` groups to the `proctor access` app."""
    app.add_typer(activity_app, name="activity")
    app.add_typer(incident_app, name="incident")
