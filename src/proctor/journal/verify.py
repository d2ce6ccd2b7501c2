"""`proctor journal verify`: recompute everything and name the first thing that does not match.

Three passes, each independent of what the database claims about itself:
1. every event's leaf is recomputed from its fields and the tree rebuilt leaf by leaf; each signed
   tree head must match the rebuilt root and carry a valid signature (catches altered, removed
   and reordered events, even when an altered row's stored hash was "fixed up");
2. every row of every journaled table is hashed and compared with the state its latest journal
   event recorded (catches a changed DB row, a row inserted behind Proctor's back, a deleted row);
3. every blob is decompressed and rehashed (catches a changed blob byte or a missing blob file).

With witnessed heads (kept outside the workspace, see journal/witness.py) and a trusted public key,
pass 1 also requires every witnessed head to be a prefix of the log (its root recomputed at its
size, and an RFC 9162 consistency proof from it to the current head), and every head in the
database to be signed by the trusted key or a key it handed over to in a journaled rotation. That
is what catches a rolled-back, truncated, re-signed or rebuilt workspace.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from proctor.core.canonical import digest
from proctor.journal import merkle, signing
from proctor.journal.log import leaf_hashes, row_leaf_bytes
from proctor.journal.witness import KEY_ROTATION_EVENT, WitnessedHead, trusted_after_rotation
from proctor.store.blobs import BlobError, BlobStore
from proctor.store.schema import (
    JOURNAL_KEY,
    blobs,
    journal_events,
    journal_heads,
    journal_state,
    journaled_tables,
    primary_key,
    record_state,
)

MAX_REPORTED = 100
Progress = Callable[[str, int], None]


@dataclass
class Problem:
    kind: str  # event_altered, event_missing, head_mismatch, bad_signature, record_altered, ...
    where: str  # the record or event it concerns, e.g. "alert ALR-…" or "journal event 41"
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "detail": self.detail}


@dataclass
class VerifyReport:
    events: int = 0
    tree_heads: int = 0
    records: int = 0
    blobs: int = 0
    witnessed: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    def add(self, kind: str, where: str, detail: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(kind, where, detail))

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "tree_heads": self.tree_heads,
            "records": self.records,
            "blobs": self.blobs,
            "witnessed_heads": self.witnessed,
            "problem_count": self.problem_count,
            "first_problem": self.problems[0].as_dict() if self.problems else None,
            "problems": [p.as_dict() for p in self.problems],
        }


def _noop(_stage: str, _n: int) -> None:
    return None


def verify_journal(
    engine: sa.Engine,
    blob_store: BlobStore,
    progress: Progress = _noop,
    trusted_keys: set[str] | None = None,
    witnessed: list[WitnessedHead] | None = None,
) -> VerifyReport:
    """Verify everything; `witnessed` heads and `trusted_keys` make it hold against the firm itself.

    Without a trusted key but with witnessed heads, the keys the witness recorded are trusted.
    """
    report = VerifyReport()
    witnessed = sorted(witnessed or [], key=lambda w: w.tree_size)
    report.witnessed = len(witnessed)
    trust = _initial_trust(trusted_keys, witnessed, report)
    with engine.connect() as conn:
        latest = _verify_events(conn, report, progress, trust, witnessed)
        for head in witnessed:  # against the trusted key and every key it handed over to in the log
            if trust is not None and head.public_key not in trust:
                report.add(
                    "witness_untrusted_key",
                    head.label,
                    f"signed by {head.public_key[:16]}…, not the trusted key ({head.location})",
                )
        _verify_records(conn, report, latest, progress)
        _verify_blobs(conn, blob_store, report, progress)
    return report


def _initial_trust(
    trusted_keys: set[str] | None, witnessed: list[WitnessedHead], report: VerifyReport
) -> set[str] | None:
    trust = {k.lower() for k in trusted_keys} if trusted_keys is not None else None
    for head in witnessed:
        if not head.signature_valid():
            report.add("witness_bad_signature", head.label, f"signature does not verify ({head.location})")
    if trust is None and witnessed:
        trust = {h.public_key for h in witnessed if h.signature_valid()}
    return trust


def _check_witnessed_prefix(witness: WitnessedHead, root: bytes, report: VerifyReport) -> bool:
    if witness.root_hash != root.hex():
        report.add(
            "witnessed_head_mismatch",
            witness.label,
            f"the log's first {witness.tree_size} events hash to {root.hex()[:16]}…, not the witnessed "
            "root: events up to that head were rewritten, or this is another log",
        )
        return False
    return True


def _check_consistency(
    conn: sa.Connection, witnessed: list[WitnessedHead], latest_head: Any, report: VerifyReport
) -> None:
    """RFC 9162 consistency proof from each witnessed head to the current head, verified."""
    if latest_head is None or not witnessed:
        return
    size, root = latest_head.tree_size, bytes.fromhex(latest_head.root_hash)
    cache = merkle.SubtreeCache(leaf_hashes(conn, size))
    if cache.size != size:
        return  # missing events: already reported
    for witness in witnessed:
        if witness.tree_size > size:
            continue
        path = merkle.consistency_path(witness.tree_size, size, cache)
        if not merkle.verify_consistency(
            witness.tree_size, size, bytes.fromhex(witness.root_hash), root, path
        ):
            report.add(
                "witness_inconsistent",
                witness.label,
                f"no valid consistency proof to the current head {size}",
            )


def _verify_events(
    conn: sa.Connection,
    report: VerifyReport,
    progress: Progress,
    trusted_keys: set[str] | None,
    witnessed: list[WitnessedHead],
) -> dict[tuple[str, str], tuple[int, str | None]]:
    heads = list(conn.execute(sa.select(journal_heads).order_by(journal_heads.c.tree_size)))
    report.tree_heads = len(heads)
    head_iter = iter(heads)
    next_head = next(head_iter, None)
    witness_iter = iter(witnessed)
    next_witness = next(witness_iter, None)
    while next_witness is not None and next_witness.tree_size == 0:
        _check_witnessed_prefix(next_witness, merkle.EMPTY_ROOT, report)
        next_witness = next(witness_iter, None)
    consistent: list[WitnessedHead] = []
    frontier = merkle.Frontier()
    latest: dict[tuple[str, str], tuple[int, str | None]] = {}
    expected = 0
    result = conn.execution_options(yield_per=20000).execute(
        sa.select(journal_events).order_by(journal_events.c.seq)
    )
    for row in result:
        m = row._mapping
        seq = m["seq"]
        if seq != expected:
            report.add(
                "event_missing", f"journal event {expected}", f"sequence jumps from {expected} to {seq}"
            )
            expected = seq
        leaf = merkle.leaf_hash(row_leaf_bytes(row))
        if leaf.hex() != m["leaf_hash"]:
            report.add(
                "event_altered",
                f"journal event {seq} ({m['subject_kind']} {m['subject_id']})",
                "event fields do not hash to the stored leaf",
            )
        frontier.append(leaf)
        if '"table":' in m["payload"]:  # row events only; skip parsing the rest
            payload = json.loads(m["payload"])
            latest[(m["subject_kind"], m["subject_id"])] = (seq, payload.get("after_hash"))
        elif trusted_keys is not None and m["event_type"] == KEY_ROTATION_EVENT:
            new_key = trusted_after_rotation(trusted_keys, json.loads(m["payload"]))
            if new_key is None:
                report.add(
                    "untrusted_rotation", f"journal event {seq}", "key rotation not signed by a trusted key"
                )
            else:
                trusted_keys.add(new_key)
        expected += 1
        report.events += 1
        while next_witness is not None and next_witness.tree_size == frontier.size:
            if _check_witnessed_prefix(next_witness, frontier.root(), report):
                consistent.append(next_witness)
            next_witness = next(witness_iter, None)
        while next_head is not None and next_head.tree_size == frontier.size:
            _check_head(next_head, frontier.root(), report, trusted_keys)
            next_head = next(head_iter, None)
        if report.events % 50000 == 0:
            progress("events", report.events)
    while next_head is not None:
        report.add(
            "head_without_events",
            f"tree head {next_head.tree_size}",
            f"signed for {next_head.tree_size} events but only {frontier.size} exist (events removed)",
        )
        next_head = next(head_iter, None)
    while next_witness is not None:
        report.add(
            "witnessed_head_missing",
            next_witness.label,
            f"the log has only {frontier.size} events: the workspace was rolled back, truncated or "
            f"rebuilt since this head was witnessed ({next_witness.location})",
        )
        next_witness = next(witness_iter, None)
    _check_consistency(conn, consistent, heads[-1] if heads else None, report)
    last_signed = heads[-1].tree_size if heads else 0
    if frontier.size > last_signed:
        report.add(
            "unsigned_events",
            f"journal event {last_signed}",
            f"{frontier.size - last_signed} events after the last signed tree head",
        )
    state = conn.execute(sa.select(journal_state)).one_or_none()
    if state is not None and state.tree_size != frontier.size:
        report.add(
            "state_mismatch", "journal state", f"records size {state.tree_size}, log has {frontier.size}"
        )
    return latest


def _check_head(head: Any, root: bytes, report: VerifyReport, trusted_keys: set[str] | None) -> None:
    where = f"tree head {head.tree_size}"
    if head.root_hash != root.hex():
        report.add("head_mismatch", where, "recomputed root differs: events altered, removed or reordered")
        return
    message = signing.sth_message(head.tree_size, root, head.ts)
    if not signing.verify(head.public_key, message, base64.b64decode(head.signature)):
        report.add("bad_signature", where, "signature does not verify")
    elif trusted_keys is not None and head.public_key not in trusted_keys:
        report.add("untrusted_key", where, f"signed by unknown key {head.public_key[:16]}…")


def _verify_records(
    conn: sa.Connection,
    report: VerifyReport,
    latest: dict[tuple[str, str], tuple[int, str | None]],
    progress: Progress,
) -> None:
    seen: set[tuple[str, str]] = set()
    for table in journaled_tables():
        kind = table.info[JOURNAL_KEY]
        pk = primary_key(table)
        result = conn.execution_options(yield_per=20000).execute(sa.select(table).order_by(pk))
        for row in result:
            subject_id = str(row._mapping[pk.name])
            key = (kind, subject_id)
            seen.add(key)
            report.records += 1
            entry = latest.get(key)
            if entry is None:
                report.add("record_unjournaled", f"{kind} {subject_id}", "row has no journal event")
                continue
            if entry[1] is None:
                report.add(
                    "record_resurrected", f"{kind} {subject_id}", "row exists but was journaled as removed"
                )
                continue
            if digest(record_state(table, row)) != entry[1]:
                report.add(
                    "record_altered",
                    f"{kind} {subject_id}",
                    f"row differs from the state journaled in event {entry[0]}",
                )
            if report.records % 50000 == 0:
                progress("records", report.records)
    kinds = {t.info[JOURNAL_KEY] for t in journaled_tables()}
    for key, (seq, after_hash) in latest.items():
        if after_hash is not None and key[0] in kinds and key not in seen:
            report.add("record_removed", f"{key[0]} {key[1]}", f"row journaled in event {seq} is gone")


def _verify_blobs(conn: sa.Connection, store: BlobStore, report: VerifyReport, progress: Progress) -> None:
    for (sha,) in conn.execution_options(yield_per=20000).execute(sa.select(blobs.c.sha256)):
        report.blobs += 1
        try:
            store.get(sha)
        except BlobError as exc:
            report.add("blob_altered", f"blob {sha}", str(exc))
        if report.blobs % 10000 == 0:
            progress("blobs", report.blobs)
