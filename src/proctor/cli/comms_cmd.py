"""`proctor comms`: the source inventory, ingest, search, manifests and quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import typer
from rich.text import Text

from proctor.cli.command import Run, command
from proctor.cli.common import console, parse_as_of, print_table, progress_bar
from proctor.comms import api
from proctor.comms.ingest import ingest as run_ingest
from proctor.comms.ingest import list_imports
from proctor.comms.manifests import add_manifest, list_manifests
from proctor.comms.search import SearchQuery, search
from proctor.comms.sources import SourceSpec, add_source, get_source, import_sources_csv, update_source
from proctor.comms.tables import CAPTURE_STATES, SOURCE_KINDS, quarantine
from proctor.core.errors import InputError
from proctor.core.roles import READ, require
from proctor.platform.dates import parse_day, parse_instant

if TYPE_CHECKING:
    from proctor.platform import Workspace

app = typer.Typer(help="Communications archive: sources, capture, search (SEA 17a-4).", no_args_is_help=True)
source_app = typer.Typer(help="The inventory of capture sources.", no_args_is_help=True)
manifest_app = typer.Typer(
    help="Counts a source reports for a day (checked by completeness).", no_args_is_help=True
)
app.add_typer(source_app, name="source")
app.add_typer(manifest_app, name="manifest")

SOURCE_COLUMNS = [
    "name",
    "kind",
    "owner",
    "capture_state",
    "connected_at",
    "cadence_hours",
    "review_connected",
]


def _reader(cmd: Run) -> Workspace:
    """The open workspace, once the acting user is shown to be someone who may read the archive."""
    require(cmd.ws.users.get(cmd.actor), READ)
    return cmd.ws


# --- sources ---------------------------------------------------------------------------------------


@command(source_app, "add", json=True)
def source_add(
    cmd: Run,
    name: str = typer.Argument(..., help="Short unique name, e.g. mbx.dana.whitfield or grp.client-service."),
    kind: str = typer.Option(..., "--kind", help=f"One of: {', '.join(SOURCE_KINDS)}."),
    owner: str = typer.Option(..., "--owner", help="Who answers for this source."),
    covers: list[str] = typer.Option([], "--covers", help="A person or address it captures (repeatable)."),
    cadence_hours: int = typer.Option(24, "--cadence-hours", help="It must deliver at least this often."),
    baseline: int | None = typer.Option(None, "--baseline", help="Expected messages a day (until history)."),
    timezone: str | None = typer.Option(None, "--timezone", help="IANA zone for exports without offsets."),
    state: str = typer.Option("never_connected", "--state", help=f"One of: {', '.join(CAPTURE_STATES)}."),
    connected_at: str | None = typer.Option(None, "--connected-at", help="When capture was connected."),
    review_connected: bool = typer.Option(False, "--review-connected/--no-review-connected"),
    description: str = typer.Option("", "--description"),
) -> Any:
    """Register a capture source."""
    ws = cmd.ws
    spec = SourceSpec(
        name=name,
        kind=kind,
        owner=owner,
        covered=tuple(covers),
        cadence_hours=cadence_hours,
        baseline_daily=baseline,
        timezone=timezone,
        capture_state=state,
        connected_at=parse_instant(connected_at, "--connected-at"),
        review_connected=review_connected,
        description=description,
    )
    row = add_source(ws, spec, cmd.actor)
    if not cmd.json:
        console.print(f"source {row['name']} registered ({row['kind']}, {row['capture_state']})")
    return row


@command(source_app, "set", json=True)
def source_set(
    cmd: Run,
    name: str = typer.Argument(...),
    state: str | None = typer.Option(None, "--state", help=f"One of: {', '.join(CAPTURE_STATES)}."),
    review_connected: bool | None = typer.Option(None, "--review-connected/--no-review-connected"),
    cadence_hours: int | None = typer.Option(None, "--cadence-hours"),
    baseline: int | None = typer.Option(None, "--baseline"),
    owner: str | None = typer.Option(None, "--owner"),
) -> Any:
    """Change a source's capture state, review connection, cadence, baseline or owner."""
    ws = cmd.ws
    changes: dict[str, Any] = {}
    if state is not None:
        changes["capture_state"] = state
        if state == "connected":
            changes["connected_at"] = ws.clock.now()
        elif state == "never_connected":
            changes["connected_at"] = None
    for key, value in (
        ("review_connected", review_connected),
        ("cadence_hours", cadence_hours),
        ("baseline_daily", baseline),
        ("owner", owner),
    ):
        if value is not None:
            changes[key] = value
    if not changes:
        raise InputError("nothing to change: pass --state, --review-connected, --cadence-hours, ...")
    row = update_source(ws, name, cmd.actor, **changes)
    if not cmd.json:
        console.print(f"source {name} updated: {', '.join(sorted(changes))}")
    return row


@command(source_app, "list", json=True)
def source_list(cmd: Run) -> Any:
    """Every registered source with its capture and review connection."""
    ws = _reader(cmd)
    with ws.read() as conn:
        rows = api.list_sources(conn)
    if not cmd.json:
        print_table("Capture sources", SOURCE_COLUMNS, rows)
    return rows


@command(source_app, "show", json=True)
def source_show(cmd: Run, name: str = typer.Argument(...)) -> Any:
    """One source: its inventory entry and its recent import batches."""
    ws = _reader(cmd)
    with ws.read() as conn:
        row = get_source(conn, name)
        batches = list_imports(conn, name, limit=20)
    if cmd.json:
        return {"source": row, "imports": batches}
    for key, value in row.items():
        console.print(f"[bold]{key}[/]: {value}")
    print_table(
        "Recent imports",
        ["id", "status", "started_at", "ended_at", "read_count", "stored", "duplicates", "quarantined"],
        batches,
    )


@command(source_app, "import", json=True)
def source_import(
    cmd: Run,
    path: Path = typer.Argument(..., help="CSV with columns name,kind,owner[,covered,cadence_hours,...]."),
) -> Any:
    """Add and update sources from a CSV inventory (all rows or none)."""
    ws = cmd.ws
    result = import_sources_csv(ws, path, cmd.actor)
    if not cmd.json:
        console.print(", ".join(f"{len(v)} {k}" for k, v in result.items()))
    return result


# --- ingest ----------------------------------------------------------------------------------------


def ingest_limits(pairs: list[str]) -> Any:
    """`--limit NAME=VALUE` options as the importer's Limits; a bad name or value is exit 2."""
    import dataclasses

    from proctor.comms.model import Limits

    fields = {f.name: f.type for f in dataclasses.fields(Limits)}
    chosen: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        name = name.strip()
        if name not in fields:
            raise InputError(f"unknown ingest limit {name!r}; one of {', '.join(fields)}", field="--limit")
        try:
            value = float(text) if name == "max_ratio" else int(text.replace("_", ""))
        except ValueError:
            raise InputError(f"{name} needs a number, got {text!r}", field="--limit") from None
        if value <= 0:
            raise InputError(f"{name} must be positive, got {text!r}", field="--limit")
        chosen[name] = value
    return Limits(**chosen)


@command(app, "ingest", json=True)
def ingest(
    cmd: Run,
    path: Path = typer.Argument(..., help="Export file or folder."),
    source: str = typer.Option(..., "--source", help="Registered source it came from."),
    format: str = typer.Option("auto", "--format", help="auto, or a format name (see docs/comms.md)."),
    timezone: str | None = typer.Option(None, "--timezone", help="Zone for times without offsets."),
    limit: list[str] = typer.Option(
        [],
        "--limit",
        help="One ingest limit, NAME=VALUE (e.g. max_attachment_bytes=1073741824); repeatable.",
    ),
) -> Any:
    """Capture an export: every item stored, a duplicate, or quarantined, and counted."""
    ws = cmd.ws
    actor = cmd.actor
    limits = ingest_limits(limit)
    with progress_bar(f"Ingesting {path.name}") as advance:
        report = run_ingest(
            ws,
            path,
            source=source,
            actor=actor,
            format=format,
            timezone=timezone,
            progress=advance,
            limits=limits,
        )
    if cmd.json:
        return report.as_dict()
    console.print(
        f"import {report.import_id} ({report.format}){' resumed' if report.resumed else ''}: "
        f"read {report.read:,}, stored {report.stored:,}, duplicates {report.duplicates:,} "
        f"({report.sightings:,} first captured from another source), quarantined {report.quarantined:,} "
        f"in {report.seconds:.1f}s"
    )
    for item in report.quarantine[:50]:
        console.print(f"[yellow]quarantined[/] {item['origin']}: {item['reason']}", highlight=False)
    if len(report.quarantine) > 50:
        console.print(
            f"… and {len(report.quarantine) - 50} more (proctor comms quarantine --import {report.import_id})"
        )
    if report.listed:
        console.print(f"not messages (read, accounted for, not records): {report.listed:,}")
    for entry in report.not_messages[:20]:
        console.print(
            f"[dim]not a message[/] {entry['origin']} ({entry['size']:,} bytes): {entry['reason']}",
            highlight=False,
        )
    if report.listed > min(20, len(report.not_messages)):
        console.print(f"… and {report.listed - min(20, len(report.not_messages))} more (--json lists them)")


@command(app, "imports", json=True)
def imports_(
    cmd: Run,
    source: str | None = typer.Option(None, "--source"),
    limit: int = typer.Option(50, "--limit"),
) -> Any:
    """Import batches, newest first."""
    ws = _reader(cmd)
    with ws.read() as conn:
        rows = list_imports(conn, source, limit)
    if not cmd.json:
        columns = ["id", "source", "format", "status", "started_at", "read_count", "stored", "duplicates"]
        print_table("Import batches", [*columns, "quarantined"], rows)
    return rows


@command(app, "quarantine", json=True)
def quarantine_list(
    cmd: Run,
    source: str | None = typer.Option(None, "--source"),
    import_id: str | None = typer.Option(None, "--import"),
) -> Any:
    """Items that could not be read: kept byte for byte, with the reason."""
    ws = _reader(cmd)
    stmt = sa.select(quarantine).order_by(quarantine.c.quarantined_at.desc(), quarantine.c.origin)
    if source:
        stmt = stmt.where(quarantine.c.source == source)
    if import_id:
        stmt = stmt.where(quarantine.c.import_id == import_id)
    with ws.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt.limit(1000))]
    if not cmd.json:
        print_table("Quarantined items", ["source", "import_id", "origin", "reason", "size"], rows)
    return rows


# --- search and show -------------------------------------------------------------------------------


@command(app, "search", json=True)
def search_cmd(
    cmd: Run,
    query: str = typer.Argument("", help='Words, "exact phrase", a OR b, -exclude, prefix*.'),
    participant: str | None = typer.Option(None, "--participant", help="Sender or recipient address."),
    source: str | None = typer.Option(None, "--source"),
    direction: str | None = typer.Option(None, "--direction", help="internal, external or unknown."),
    since: str | None = typer.Option(None, "--since", help="From this date or instant (inclusive)."),
    until: str | None = typer.Option(None, "--until", help="To this date (its end) or instant."),
    has_attachment: bool | None = typer.Option(None, "--has-attachment/--no-attachment"),
    kind: str | None = typer.Option(None, "--kind", help="email, chat, ticket, sms, ..."),
    order: str = typer.Option("newest", "--order", help="newest, oldest or relevance."),
    limit: int = typer.Option(25, "--limit"),
    offset: int = typer.Option(0, "--offset"),
) -> Any:
    """Full-text search with filters; hits are highlighted."""
    ws = _reader(cmd)
    request = SearchQuery(
        text=query,
        participant=participant,
        source=source,
        direction=direction,
        since=parse_instant(since, "--since", bare_date="start"),
        until=parse_as_of(until) if until else None,
        has_attachment=has_attachment,
        kind=kind,
        order=order,
        limit=limit,
        offset=offset,
    )
    with ws.read() as conn:
        result = search(conn, request)
    if cmd.json:
        return result.as_dict()
    if not result.hits:
        console.print("no messages match")
        return
    for hit in result.hits:
        head = Text(f"{hit['sent_at']:%Y-%m-%d %H:%M}Z  {hit['source']}  {hit['sender']}  ", style="dim")
        head.append(hit["subject"] or "(no subject)", style="bold")
        console.print(head)
        snippet = Text(hit["snippet"])
        for start, end in hit["highlights"]:
            snippet.stylize("bold reverse", start, end)
        console.print(snippet)
        console.print(Text(f"  {hit['id']}", style="dim"))
    if result.more:
        console.print(f"more results: --offset {offset + limit}")


@command(app, "show", json=True)
def show(
    cmd: Run,
    message: str = typer.Argument(..., help="Message id (SHA-256 of its original bytes)."),
) -> Any:
    """One message: its normalised view, provenance, retention and copies."""
    ws = _reader(cmd)
    with ws.read() as conn:
        row = api.get_message(conn, message)
    if cmd.json:
        return row
    for key in (
        "id",
        "source",
        "source_kind",
        "format",
        "origin",
        "message_id",
        "sent_at_original",
        "sender",
    ):
        console.print(f"[bold]{key}[/]: {row[key]}", highlight=False)
    parties = ", ".join(f"{p['role']}:{p['address']}" for p in row["participants"])
    console.print(f"[bold]participants[/]: {parties}", highlight=False)
    console.print(f"[bold]retain_until[/]: {row['retain_until']} ({row['retention_rule']})")
    if row["copies"]:
        console.print(f"[bold]copies[/]: {', '.join(row['copies'])}")
    console.print(f"\n[bold]{row['subject']}[/]\n")
    console.print(row["text"], highlight=False, markup=False)


# --- manifests -------------------------------------------------------------------------------------


@command(manifest_app, "add", json=True)
def manifest_add(
    cmd: Run,
    source: str = typer.Option(..., "--source"),
    day: str = typer.Option(..., "--day", help="The day (in the source's time zone) the count covers."),
    count: int | None = typer.Option(None, "--count", help="How many items the source says it sent."),
    ids: Path | None = typer.Option(None, "--ids", help="File with one message identifier per line."),
) -> Any:
    """Record what a source reports it delivered on a day."""
    ws = cmd.ws
    ids_file = None
    if ids is not None:
        try:
            ids_file = (str(ids), ids.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=str(ids)) from None
    row = add_manifest(
        ws,
        source=source,
        day=parse_day(day, "--day"),
        actor=cmd.actor,
        count=count,
        ids_file=ids_file,
    )
    if not cmd.json:
        console.print(f"manifest {row['id']}: {row['source']} reported {row['count']} for {row['day']}")
    return row


@command(manifest_app, "list", json=True)
def manifest_list(cmd: Run, source: str | None = typer.Option(None, "--source")) -> Any:
    """Manifests supplied by sources, newest day first."""
    ws = _reader(cmd)
    with ws.read() as conn:
        rows = list_manifests(conn, source)
    if not cmd.json:
        print_table("Source manifests", ["id", "source", "day", "count", "added_by", "added_at"], rows)
    return rows


if (Path(__file__).parent / "comms_records_cmd.py").exists():
    from proctor.cli import comms_records_cmd

    comms_records_cmd.register(app)
