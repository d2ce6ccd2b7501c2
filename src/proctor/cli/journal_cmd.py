"""`proctor journal`: verify, prove, consistency, history, heads."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
import typer

from proctor.cli.common import JsonOpt, WorkspaceOpt, console, open_ws, print_json, print_table, progress_bar
from proctor.core.errors import IntegrityError, NotFound
from proctor.journal.log import events_for
from proctor.journal.proofs import consistency_proof, inclusion_proof
from proctor.journal.verify import verify_journal
from proctor.store.schema import journal_events, journal_heads

app = typer.Typer(help="The tamper-evident journal (SEC 17a-4(f) audit trail).", no_args_is_help=True)


@app.command()
def verify(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Recompute every leaf, tree head, record and blob; exit 1 naming the first mismatch."""
    ws = open_ws(workspace)
    with progress_bar("Verifying journal") as advance:
        report = verify_journal(ws.engine, ws.blobs, lambda stage, n: advance(0, f"Verifying {stage}: {n:,}"))
    if as_json:
        print_json(report.as_dict())
    elif report.intact:
        console.print(
            f"[green]intact[/]: {report.events:,} events, {report.tree_heads:,} signed tree heads, "
            f"{report.records:,} records, {report.blobs:,} blobs verified"
        )
    if not report.intact:
        first = report.problems[0]
        if not as_json:
            print_table("Problems", ["kind", "where", "detail"], [p.as_dict() for p in report.problems[:20]])
        raise IntegrityError(
            f"journal NOT intact: first mismatch at {first.where}: {first.detail} "
            f"({report.problem_count} problem(s))"
        )


def _resolve_seq(ws: object, record_id: str) -> int:
    from proctor.platform import Workspace

    assert isinstance(ws, Workspace)
    if record_id.isdigit():
        return int(record_id)
    kind, _, ident = record_id.rpartition(":") if ":" in record_id else ("", "", record_id)
    with ws.read() as conn:
        events = events_for(conn, ident, kind or None)
    if not events:
        raise NotFound(f"no journal event for record {record_id!r}")
    return int(events[-1].seq)


@app.command()
def prove(
    record_id: str = typer.Argument(
        ..., help="Record id (e.g. ALR-…, kind:id) or a journal sequence number."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the proof here (default: stdout)."),
    workspace: Path | None = WorkspaceOpt,
) -> None:
    """Write an inclusion proof of the record's latest journal event against the latest signed head."""
    ws = open_ws(workspace)
    seq = _resolve_seq(ws, record_id)
    with ws.read() as conn:
        proof = inclusion_proof(conn, seq)
    text = json.dumps(proof, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"inclusion proof for event {seq} written to {out}")
    else:
        typer.echo(text)


@app.command()
def consistency(
    old: int = typer.Argument(..., help="Tree size of the earlier signed head."),
    new: int = typer.Argument(..., help="Tree size of the later signed head."),
    out: Path | None = typer.Option(None, "--out", "-o"),
    workspace: Path | None = WorkspaceOpt,
) -> None:
    """Write a consistency proof: the later tree extends the earlier one unchanged."""
    ws = open_ws(workspace)
    with ws.read() as conn:
        proof = consistency_proof(conn, old, new)
    text = json.dumps(proof, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"consistency proof {old} → {new} written to {out}")
    else:
        typer.echo(text)


@app.command()
def history(
    record_id: str = typer.Argument(..., help="Record id, or kind:id."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Re-create every version of a record, with who changed it and when."""
    ws = open_ws(workspace)
    kind, _, ident = record_id.rpartition(":") if ":" in record_id else ("", "", record_id)
    with ws.read() as conn:
        events = events_for(conn, ident, kind or None)
    if not events:
        raise NotFound(f"no journal event for record {record_id!r}")
    versions = []
    for ev in events:
        payload = json.loads(ev.payload)
        versions.append(
            {
                "seq": ev.seq,
                "ts": ev.ts,
                "actor": ev.actor,
                "event": ev.event_type,
                "changed": payload.get("changed"),
                "state": payload.get("after", payload),
            }
        )
    if as_json:
        print_json(versions)
        return
    for v in versions:
        changed = f" changed {', '.join(v['changed'])}" if v["changed"] else ""
        console.print(f"[bold]#{v['seq']}[/] {v['ts']} [cyan]{v['actor']}[/] {v['event']}{changed}")
        console.print_json(json.dumps(v["state"]), indent=1)


@app.command()
def heads(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt, limit: int = 20) -> None:
    """List the latest signed tree heads."""
    ws = open_ws(workspace)
    with ws.read() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(journal_heads).order_by(journal_heads.c.tree_size.desc()).limit(limit)
            )
        ]
        total = conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar_one()
    if as_json:
        print_json({"events": total, "heads": rows})
    else:
        print_table(f"Signed tree heads ({total:,} events)", ["tree_size", "ts", "root_hash"], rows)
