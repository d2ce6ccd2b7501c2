"""Production to regulators: the records a request asks for, in a folder an examiner can check alone.

For each record the folder holds its original bytes, an HTML and a PDF rendering, and its audit
trail from the journal; `manifest.json` ("proctor-production/1", see docs/journal.md) lists every
file with its SHA-256 and an RFC 9162 inclusion proof against one signed tree head:

* the original's proof is the record's "stored" journal leaf, which names the original's SHA-256,
  so the examiner sees the bytes are those captured, unchanged since;
* the renderings and the audit trail are journaled when the production is made (one
  "comms.message.produced" leaf per record naming their hashes), so they too are tied to the log;
* `index.csv` is named by the production's own leaf, which also records who produced what, for
  which request: a production is itself a journaled view of the records.

`verify_production` (and the standalone tools/verify_proof.py) then check the folder byte by byte
without trusting Proctor. Proofs come from one ProofBuilder, so a large production costs one pass
over the leaf hashes rather than one per record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.model import CommsError
from proctor.comms.record_filter import RecordFilter, select_records
from proctor.comms.rendering import (
    PdfRenderer,
    RecordView,
    body_from_original,
    original_extension,
    render_html,
)
from proctor.comms.retention_tables import hold_items
from proctor.comms.tables import messages, search_rows, sightings, sources
from proctor.core.alerts import Subject
from proctor.core.clock import iso_utc
from proctor.core.errors import InputError, IntegrityError
from proctor.core.roles import NPI_VIEW, require
from proctor.journal import query as journal
from proctor.journal.proofs import ProofBuilder

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

PRODUCTION_FORMAT = "proctor-production/1"
MANIFEST = "manifest.json"
INDEX = "index.csv"
_IN = 500
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ProducedFile:
    record: str | None
    role: str
    path: str
    sha256: str
    proof: str

    def as_item(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "proof": self.proof,
            "role": self.role,
        }
        if self.record is not None:
            out["record"] = self.record
        return out


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _IN):
        yield keys[start : start + _IN]


def _prepare_folder(out: Path) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            "the output folder must be new or empty; a production is never overwritten", file=str(out)
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "records").mkdir()
    (out / "proofs").mkdir()
    return out


def _load_rows(conn: sa.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    stmt = sa.select(
        messages, sources.c.kind.label("source_kind"), search_rows.c.text.label("indexed_text")
    ).select_from(
        messages.join(sources, sources.c.name == messages.c.source).outerjoin(
            search_rows, search_rows.c.message == messages.c.id
        )
    )
    for chunk in _chunks(ids):
        for row in conn.execute(stmt.where(messages.c.id.in_(chunk))):
            rows[row.id] = dict(row._mapping)
    return rows


def _view(row: dict[str, Any], raw: bytes) -> RecordView:
    body = body_from_original(raw, row["format"], row["origin"])
    notes: tuple[str, ...] = ()
    if body is None:
        body = row["indexed_text"] if row["indexed_text"] is not None else raw.decode("utf-8", "replace")
        notes = (f"Text as indexed from the {row['format']} export; the original file is the record.",)
    return RecordView(
        record_id=row["id"],
        source=row["source"],
        source_kind=row["source_kind"],
        format=row["format"],
        sent_at=row["sent_at"],
        sent_at_original=row["sent_at_original"],
        sender=f"{row['sender_name']} <{row['sender']}>" if row["sender_name"] else row["sender"],
        participants=tuple(f"{p['role']}:{p['address']}" for p in row["participants"]),
        subject=row["subject"],
        body=body,
        direction=row["direction"],
        attachments=tuple(
            f"{a['name']} ({a['size']} bytes)" if a.get("size") is not None else a["name"]
            for a in row["attachments"]
        ),
        channel=row["channel"],
        thread_id=row["thread_id"],
        message_id=row["message_id"],
        retention=f"until {iso_utc(row['retain_until'])} under {row['retention_rule']}",
        notes=notes,
    )


def _event_dict(event: journal.JournalEvent) -> dict[str, Any]:
    """One event as a production's audit trail file spells it (docs/journal.md)."""
    return {
        "seq": event.seq,
        "ts": event.ts,
        "actor": event.actor,
        "type": event.event_type,
        "subject": {"kind": event.subject_kind, "id": event.subject_id},
        "payload": event.payload,
        "leaf_hash": event.leaf_hash,
    }


def _audit_trails(conn: sa.Connection, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every journal event about each record: the record itself, its bytes, sightings and holds."""
    related: dict[str, str] = {i: i for i in ids}
    for chunk in _chunks(ids):
        for sid, mid in conn.execute(
            sa.select(sightings.c.id, sightings.c.message).where(sightings.c.message.in_(chunk))
        ):
            related[sid] = mid
        for hid, rid in conn.execute(
            sa.select(hold_items.c.id, hold_items.c.record_id).where(hold_items.c.record_id.in_(chunk))
        ):
            related[hid] = rid
    trails: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for event in journal.events(conn, journal.JournalQuery(subject_ids=list(related))):  # in journal order
        trails[related[event.subject_id]].append(_event_dict(event))
    return trails


def _stored_seqs(conn: sa.Connection, ids: list[str]) -> dict[str, int]:
    """The leaf that first stored each record (its insert), which names the original's SHA-256."""
    seqs = journal.first_seqs(conn, "comms.message", ids)
    missing = sorted(set(ids) - set(seqs))
    if missing:
        raise IntegrityError(f"record {missing[0]} has no journal event: it cannot be proved")
    return seqs


def _write(out: Path, rel: str, data: bytes) -> str:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return _sha(data)


def _index_csv(rows: list[dict[str, Any]], paths: dict[str, dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "record_sha256",
            "source",
            "sent_at_utc",
            "sender",
            "subject",
            "original",
            "html",
            "pdf",
            "audit_trail",
        ]
    )
    for row in rows:
        p = paths[row["id"]]
        writer.writerow(
            [
                row["id"],
                row["source"],
                iso_utc(row["sent_at"]),
                row["sender"],
                row["subject"],
                p["original"],
                p["html"],
                p["pdf"],
                p["audit_trail"],
            ]
        )
    return buffer.getvalue().encode("utf-8")


def export_production(
    ws: Workspace,
    actor: str,
    out: Path,
    selection: RecordFilter,
    *,
    request: str = "",
    progress: Progress | None = None,
    renderer: PdfRenderer | None = None,
) -> dict[str, Any]:
    """Write a verifiable production of every record `selection` matches into the new folder `out`."""
    require(ws.users.get(actor), NPI_VIEW)
    with ws.read() as conn:
        ids = select_records(conn, selection)
    if not ids:
        raise CommsError("no record matches the production's query and filters")
    out = _prepare_folder(out)
    produced_at = ws.clock.now()
    firm = ws.config.firm_name
    pdf = renderer or PdfRenderer()
    production_id = ws.ids("PRD")
    files: dict[str, dict[str, str]] = {}
    paths: dict[str, dict[str, str]] = {}
    ordered: list[dict[str, Any]] = []
    with ws.read() as conn:
        for chunk in _chunks(ids):
            rows = _load_rows(conn, chunk)
            trails = _audit_trails(conn, chunk)
            for rid in chunk:
                row = rows[rid]
                raw = ws.blobs.get(row["blob_sha256"])
                if _sha(raw) != rid:
                    raise IntegrityError(f"record {rid}: stored bytes do not hash to the record id")
                view = _view(row, raw)
                base = f"records/{rid}"
                rel = {
                    "original": f"{base}/original{original_extension(row['format'])}",
                    "html": f"{base}/rendering.html",
                    "pdf": f"{base}/rendering.pdf",
                    "audit_trail": f"{base}/audit-trail.json",
                }
                trail = {"record": rid, "format": "proctor-audit-trail/1", "events": trails[rid]}
                files[rid] = {
                    "original": _write(out, rel["original"], raw),
                    "html": _write(out, rel["html"], render_html(view, firm, produced_at)),
                    "pdf": _write(out, rel["pdf"], pdf.render(view, firm, produced_at)),
                    "audit_trail": _write(
                        out, rel["audit_trail"], json.dumps(trail, indent=1, sort_keys=True).encode("utf-8")
                    ),
                }
                paths[rid] = rel
                ordered.append(row)
                if progress is not None:
                    progress(1)
    index_sha = _write(out, INDEX, _index_csv(ordered, paths))
    # The production's own leaf states how many records and which: a record removed from the folder
    # together with its manifest entries no longer matches what the firm signed.
    summary = {
        "production": production_id,
        "request": request,
        "selection": selection.to_dict(),
        "records": len(ids),
        "record_ids": list(ids),
        "index_sha256": index_sha,
        "folder": out.name,
        "produced_at": iso_utc(produced_at),
        "firm": firm,
    }
    with ws.transaction(actor) as tx:
        tx.event("comms.production.created", Subject("comms.production", production_id), summary)
        for rid in ids:
            tx.event(
                "comms.message.produced",
                Subject("comms.message", rid),
                {"production": production_id, "files": files[rid]},
            )
    production_seq, produced_seqs = tx.seqs[0], dict(zip(ids, tx.seqs[1:], strict=True))
    items = _prove_and_list(ws, out, ids, files, paths, production_seq, produced_seqs, index_sha)
    manifest = {
        "format": PRODUCTION_FORMAT,
        "tree_head": items.pop(0)["tree_head"],
        "production": {**summary, "produced_by": actor},
        "items": items,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    _witness_after_production(ws)
    listed = {k: v for k, v in manifest["production"].items() if k != "record_ids"}
    written = sum(1 for f in out.rglob("*") if f.is_file())  # what is in the folder, proofs and manifest too
    return {**listed, "tree_size": manifest["tree_head"]["tree_size"], "files": written, "items": len(items)}


def _witness_after_production(ws: Workspace) -> None:
    """A production hands a head to an outsider; publish it to the workspace's witness too, if any."""
    if ws.config.section("journal").get("witness"):
        from proctor.platform.journal_ops import publish_head

        publish_head(ws)


def _prove_and_list(
    ws: Workspace,
    out: Path,
    ids: list[str],
    files: dict[str, dict[str, str]],
    paths: dict[str, dict[str, str]],
    production_seq: int,
    produced_seqs: dict[str, int],
    index_sha: str,
) -> list[dict[str, Any]]:
    """Inclusion proofs for every file, all against the same signed tree head; first entry is the head."""
    with ws.read() as conn:
        builder = ProofBuilder(conn)
        stored = _stored_seqs(conn, ids)
        head = builder.head.as_dict()
        listed: list[dict[str, Any]] = [{"tree_head": head}]
        whole = builder.inclusion(production_seq)
        _write(out, "proofs/production.json", _proof_bytes(whole))
        listed.append(ProducedFile(None, "index", INDEX, index_sha, "proofs/production.json").as_item())
        for rid in ids:
            stored_proof = builder.inclusion(stored[rid])
            original = paths[rid]["original"]
            stored_proof["content_sha256"] = rid
            stored_proof["content_file"] = f"../{original}"
            _write(out, f"proofs/{rid}.stored.json", _proof_bytes(stored_proof))
            _write(out, f"proofs/{rid}.produced.json", _proof_bytes(builder.inclusion(produced_seqs[rid])))
            listed.append(ProducedFile(rid, "original", original, rid, f"proofs/{rid}.stored.json").as_item())
            for role in ("html", "pdf", "audit_trail"):
                listed.append(
                    ProducedFile(
                        rid, role, paths[rid][role], files[rid][role], f"proofs/{rid}.produced.json"
                    ).as_item()
                )
    return listed


def _proof_bytes(proof: dict[str, Any]) -> bytes:
    return json.dumps(proof, indent=1, sort_keys=True).encode("utf-8")


def production_summary(manifest_path: Path) -> dict[str, Any]:
    """The production block of a manifest, for listing what a folder contains."""
    try:
        doc = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the manifest: {exc}", file=str(manifest_path)) from None
    block = doc.get("production") if isinstance(doc, dict) else None
    if not isinstance(block, dict):
        raise InputError("not a Proctor production manifest", file=str(manifest_path), field="production")
    return block
