"""`proctor journal`: verify, prove, consistency, history, heads, witness, rotate-key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import typer

from proctor.cli.command import Run, command
from proctor.cli.common import JsonOpt, console, print_json, print_table, progress_bar
from proctor.core.errors import IntegrityError, NotFound
from proctor.journal import merkle, witness
from proctor.journal.proofs import consistency_proof, inclusion_proof
from proctor.journal.query import event_count, subject_events
from proctor.journal.verify import verify_journal
from proctor.platform.journal_ops import integrity_problems, publish_head, rotate_key
from proctor.store.schema import journal_heads

app = typer.Typer(help="The tamper-evident journal (SEC 17a-4(f) audit trail).", no_args_is_help=True)
witness_app = typer.Typer(help="Signed tree heads kept outside the workspace.", no_args_is_help=True)
app.add_typer(witness_app, name="witness")

WitnessOpt = typer.Option(
    None, "--witness", help="Folder or s3://bucket/prefix holding witnessed tree heads to check against."
)
TrustedKeyOpt = typer.Option(
    None, "--trusted-key", help="File with the firm's public key, kept outside the workspace."
)


@command(app, json=True, actor=False)
def verify(cmd: Run, witness_at: str | None = WitnessOpt, trusted_key: Path | None = TrustedKeyOpt) -> Any:
    """Recompute every leaf, tree head, record, blob and search-index row; exit 1 naming the first mismatch.

    With --witness, every witnessed head must be in the log and consistent with the current head;
    with --trusted-key, every head must be signed by that key (or a key it rotated to).
    """
    ws = cmd.ws
    trusted = witness.read_trusted_keys(trusted_key) if trusted_key else None
    witnessed = witness.load_witnessed(witness.open_witness(witness_at)) if witness_at else None
    with progress_bar("Verifying journal") as advance:
        report = verify_journal(
            ws.engine,
            ws.blobs,
            lambda stage, n: advance(0, f"Verifying {stage}: {n:,}"),
            trusted_keys=trusted,
            witnessed=witnessed,
        )
    for problem in integrity_problems(ws):
        report.add("derived_data_altered", problem.split(" differs ")[0].split(" is not ")[0], problem)
    if report.intact and not cmd.json:
        against = f", consistent with {report.witnessed:,} witnessed heads" if witnessed is not None else ""
        console.print(
            f"[green]intact[/]: {report.events:,} events, {report.tree_heads:,} signed tree heads, "
            f"{report.records:,} records, {report.blobs:,} blobs verified{against}"
        )
        if trusted is None and witnessed is None:
            console.print(
                "[dim]without --witness and --trusted-key this shows integrity against accidents only; "
                "see docs/journal.md[/]"
            )
    if not report.intact:
        first = report.problems[0]
        if not cmd.json:
            print_table("Problems", ["kind", "where", "detail"], [p.as_dict() for p in report.problems[:20]])
        cmd.then_raise = IntegrityError(
            f"journal NOT intact: first mismatch at {first.where}: {first.detail} "
            f"({report.problem_count} problem(s))"
        )
    return report.as_dict()


def _resolve_seq(ws: object, record_id: str) -> int:
    from proctor.platform import Workspace

    assert isinstance(ws, Workspace)
    if record_id.isdigit():
        return int(record_id)
    kind, _, ident = record_id.rpartition(":") if ":" in record_id else ("", "", record_id)
    with ws.read() as conn:
        events = subject_events(conn, ident, kind or None)
    if not events:
        raise NotFound(f"no journal event for record {record_id!r}")
    return events[-1].seq


@command(app, actor=False)
def prove(
    cmd: Run,
    record_id: str = typer.Argument(
        ..., help="Record id (e.g. ALR-…, kind:id) or a journal sequence number."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the proof here (default: stdout)."),
    witness_at: str | None = typer.Option(
        None, "--witness", help="Add consistency proofs from every head in this witness to the proof's head."
    ),
) -> None:
    """Write an inclusion proof of the record's latest journal event against the latest signed head."""
    ws = cmd.ws
    seq = _resolve_seq(ws, record_id)
    with ws.read() as conn:
        proof = inclusion_proof(conn, seq)
        if witness_at:
            proof["witness_proofs"] = _witness_proofs(conn, witness_at, proof["tree_head"])
    text = json.dumps(proof, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"inclusion proof for event {seq} written to {out}")
    else:
        typer.echo(text)


def _witness_proofs(conn: sa.Connection, witness_at: str, head: dict[str, object]) -> list[dict[str, object]]:
    """RFC 9162 consistency proofs from each witnessed head (no larger than `head`) to `head`."""
    from proctor.journal.log import leaf_hashes

    size = int(str(head["tree_size"]))
    cache = merkle.SubtreeCache(leaf_hashes(conn, size))
    out: list[dict[str, object]] = []
    for w in witness.load_witnessed(witness.open_witness(witness_at)):
        if w.tree_size <= size:
            path = merkle.consistency_path(w.tree_size, size, cache)
            out.append({"witnessed": w.as_dict(), "proof": [p.hex() for p in path]})
    return out


@command(witness_app, "publish", json=True, actor=False)
def witness_publish(
    cmd: Run,
    to: str | None = typer.Option(
        None, "--to", help="Folder on another volume, or s3://bucket/prefix (default: [journal] witness)."
    ),
) -> Any:
    """Publish the latest signed tree head outside the workspace; an existing head is never overwritten."""
    ws = cmd.ws
    result = publish_head(ws, to)
    if cmd.json:
        return result
    if result["written"]:
        console.print(
            f"tree head {result['tree_size']} ({result['root_hash'][:16]}…) witnessed at {result['witness']}"
        )
    else:
        console.print(f"tree head {result['tree_size']} was already witnessed at {result['witness']}")


@witness_app.command("list")
def witness_list(
    at: str = typer.Argument(..., help="The witness folder or s3://bucket/prefix."),
    as_json: bool = JsonOpt,
) -> None:
    """List the heads a witness holds."""
    heads = [w.as_dict() | {"location": w.location} for w in witness.load_witnessed(witness.open_witness(at))]
    if as_json:
        print_json(heads)
    else:
        print_table("Witnessed tree heads", ["tree_size", "timestamp", "root_hash"], heads)


@command(app, "rotate-key")
def rotate(cmd: Run, reason: str = typer.Option(..., "--reason")) -> None:
    """Replace the journal signing key (admin); the hand-over is journaled and signed by the old key."""
    ws = cmd.ws
    result = rotate_key(ws, actor=cmd.actor, reason=reason)
    console.print(
        f"new journal public key {result['new_key']}\nfingerprint {result['fingerprint']}\n"
        f"written to {ws.path / 'journal-public-key.txt'}; give it to whoever keeps the old one"
    )


@command(app, actor=False)
def consistency(
    cmd: Run,
    old: int = typer.Argument(..., help="Tree size of the earlier signed head."),
    new: int = typer.Argument(..., help="Tree size of the later signed head."),
    out: Path | None = typer.Option(None, "--out", "-o"),
) -> None:
    """Write a consistency proof: the later tree extends the earlier one unchanged."""
    ws = cmd.ws
    with ws.read() as conn:
        proof = consistency_proof(conn, old, new)
    text = json.dumps(proof, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"consistency proof {old} → {new} written to {out}")
    else:
        typer.echo(text)


@command(app, json=True, actor=False)
def history(cmd: Run, record_id: str = typer.Argument(..., help="Record id, or kind:id.")) -> Any:
    """Re-create every version of a record, with who changed it and when."""
    ws = cmd.ws
    kind, _, ident = record_id.rpartition(":") if ":" in record_id else ("", "", record_id)
    with ws.read() as conn:
        events = subject_events(conn, ident, kind or None)
    if not events:
        raise NotFound(f"no journal event for record {record_id!r}")
    versions = []
    for ev in events:
        payload = ev.payload
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
    if cmd.json:
        return versions
    for v in versions:
        changed = f" changed {', '.join(v['changed'])}" if v["changed"] else ""
        console.print(f"[bold]#{v['seq']}[/] {v['ts']} [cyan]{v['actor']}[/] {v['event']}{changed}")
        console.print_json(json.dumps(v["state"]), indent=1)


@command(app, json=True, actor=False)
def heads(cmd: Run, limit: int = 20) -> Any:
    """List the latest signed tree heads."""
    ws = cmd.ws
    with ws.read() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(journal_heads).order_by(journal_heads.c.tree_size.desc()).limit(limit)
            )
        ]
        total = event_count(conn)
    if not cmd.json:
        print_table(f"Signed tree heads ({total:,} events)", ["tree_size", "ts", "root_hash"], rows)
    return {"events": total, "heads": rows}
