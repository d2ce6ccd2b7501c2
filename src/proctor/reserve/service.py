"""The reserve workflow on a workspace: load inputs, compute of record, explain, review, sign off.

Everything here writes through the workspace's one transaction path, so each input set, each
computation (HOLD or computed), each explanation and each sign-off is a journaled record. The pure
work (gates, computation, variance) is done before the transaction opens: bad input never leaves a
half-written computation behind.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.core.alerts import Subject
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import READ, require
from proctor.core.workspace import Workspace
from proctor.reserve import alerting, formula_in_force, permitted_cadence, supersession, variance
from proctor.reserve.components import Settings
from proctor.reserve.compute import Computation, compute_both
from proctor.reserve.errors import ReserveError
from proctor.reserve.explain import explain
from proctor.reserve.gates import GateReport, run_gates
from proctor.reserve.loaders import Book, find_input, load_book
from proctor.reserve.notification import draft_notice
from proctor.reserve.permissions import RESERVE_SIGNOFF, RESERVE_WORK
from proctor.reserve.report import exhibit_json
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.schemas import FIRM_FILE, SCHEMAS
from proctor.reserve.tables import computations, input_sets, rule_versions, signoffs

LIVE = ("COMPUTED", "SIGNED_OFF")


# -- formula versions --------------------------------------------------------------------------
def rules_of_record(ws: Workspace) -> RuleTable:
    """The formula of record: the baseline, followed through every approved change in order.

    Approved proposals form a chain (each names the version it changed), so the version of record
    does not depend on timestamps, which two approvals in the same instant would not order.
    """
    from proctor.reserve.tables import proposals

    with ws.read() as conn:
        base = conn.execute(
            sa.select(rule_versions.c.digest).where(rule_versions.c.origin == "baseline")
        ).scalar_one_or_none()
        chain = {
            r.base_digest: r.new_digest
            for r in conn.execute(
                sa.select(proposals.c.base_digest, proposals.c.new_digest).where(
                    proposals.c.status == "approved"
                )
            )
        }
    if base is None:
        baseline = RuleTable.baseline()
        with ws.transaction("system") as tx:
            if tx.get(rule_versions, baseline.digest) is None:
                tx.insert(
                    rule_versions,
                    {
                        "digest": baseline.digest,
                        "version": baseline.version,
                        "status": "approved",
                        "data": baseline.to_dict(),
                        "origin": "baseline",
                        "created_at": ws.clock.now(),
                    },
                    "reserve.rule_version.registered",
                )
        return baseline
    current, seen = base, {base}
    while current in chain and chain[current] not in seen:
        current = chain[current]
        seen.add(current)
    table, _ = rule_version(ws, current)
    return table


def rule_version(ws: Workspace, digest: str) -> tuple[RuleTable, str]:
    with ws.read() as conn:
        row = conn.execute(sa.select(rule_versions).where(rule_versions.c.digest.startswith(digest))).all()
    if len(row) != 1:
        raise NotFound(f"no single formula version starting {digest!r}")
    m = row[0]._mapping
    return RuleTable.from_dict(m["data"]), m["status"]


# -- inputs ------------------------------------------------------------------------------------
def load_inputs(
    ws: Workspace,
    directory: Path,
    as_of: date,
    *,
    actor: str,
    supersedes: str | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """Validate a directory of canonical files, then store every file as a blob with a manifest."""
    require(ws.users.get(actor), RESERVE_WORK)
    book = load_book(directory)  # raises InputError naming file/row/field before anything is written
    names = [p for name in SCHEMAS if (p := find_input(directory, name)) is not None]
    names += [
        p.with_name(f"{p.stem}.control.json") for p in names if p.with_name(f"{p.stem}.control.json").exists()
    ]
    names.append(directory / FIRM_FILE)
    if supersedes is not None and len(reason.strip()) < 10:
        raise InputError("a correction needs a reason of at least 10 characters", field="--reason")
    supersession.check_load(ws, as_of, supersedes)
    stale = supersession.stale_against(ws, as_of, supersession.file_digests(names))
    stale_version = rules_of_record(ws).version if stale else ""
    set_id = ws.ids("RSI")
    with ws.transaction(actor) as tx:
        if supersedes is not None:
            old = tx.get(input_sets, supersedes)
            if old is None:
                raise NotFound(f"input set {supersedes} does not exist")
            if old["as_of"] != as_of:
                raise ReserveError(f"input set {supersedes} is as of {old['as_of']}, not {as_of}")
            tx.update(input_sets, supersedes, {"status": "superseded"}, "reserve.input_set.superseded")
        manifest = [{"name": p.name, "sha256": tx.put_blob(p.read_bytes())} for p in names]
        rows = {f["path"]: f["rows"] for f in book.input_manifest()}
        for entry in manifest:
            entry["rows"] = rows.get(entry["name"])
        row = tx.insert(
            input_sets,
            {
                "id": set_id,
                "as_of": as_of,
                "source": str(directory)[:500],
                "manifest": manifest,
                "status": "current",
                "supersedes": supersedes,
                "reason": reason,
                "loaded_by": actor,
                "loaded_at": ws.clock.now(),
            },
            "reserve.input_set.loaded",
        )
        if stale is not None:
            ws.controls.record_in(
                tx,
                "reserve.computation_gates",
                actor=actor,
                scope=f"input set {set_id} as of {as_of.isoformat()}",
                findings=[supersession.stale_alert(as_of, set_id, stale, stale_version)],
                inputs=[set_id],
            )
    return dict(row) | {"possibly_stale_of": stale["id"] if stale else None}


def current_input_set(ws: Workspace, as_of: date) -> dict[str, Any] | None:
    with ws.read() as conn:
        row = conn.execute(
            sa.select(input_sets)
            .where(input_sets.c.as_of == as_of, input_sets.c.status == "current")
            .order_by(input_sets.c.loaded_at.desc())
            .limit(1)
        ).one_or_none()
    return dict(row._mapping) if row else None


def input_set(ws: Workspace, set_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        row = conn.execute(sa.select(input_sets).where(input_sets.c.id == set_id)).one_or_none()
    if row is None:
        raise NotFound(f"input set {set_id} does not exist")
    return dict(row._mapping)


def book_of(ws: Workspace, inputs: dict[str, Any]) -> Book:
    """Rebuild a book from the stored blobs, exactly as it was loaded."""
    with tempfile.TemporaryDirectory() as tmp:
        for entry in inputs["manifest"]:
            (Path(tmp) / entry["name"]).write_bytes(ws.blobs.get(entry["sha256"]))
        return load_book(Path(tmp))


# -- computing ---------------------------------------------------------------------------------
@dataclass
class Outcome:
    gates: GateReport
    rows: dict[str, dict[str, Any]]  # book -> stored computation row
    computations: dict[str, Computation]


def _previous(conn: sa.Connection, book: str, as_of: date) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(computations)
        .where(
            computations.c.book == book,
            computations.c.as_of < as_of,
            computations.c.kind == "record",
            computations.c.status.in_(LIVE),
        )
        .order_by(computations.c.as_of.desc(), computations.c.created_at.desc())
        .limit(1)
    ).one_or_none()
    return dict(row._mapping) if row else None


def _totals(c: Computation) -> dict[str, Any]:
    return {
        "total_credits": c.total_credits,
        "aggregate_debits": c.aggregate_debits,
        "debit_reduction": c.debit_reduction,
        "debit_reduction_basis": c.debit_reduction_basis,
        "total_debits": c.total_debits,
        "excess_credits": c.excess_credits,
        "excess_debits": c.excess_debits,
        "customer_excess_debits_applied": c.customer_excess_debits_applied,
        "requirement_rounding": str(c.requirement_rounding),
        "excess_on_deposit": c.excess_on_deposit,
        "unmapped": c.unmapped,
    }


def compute_of_record(
    ws: Workspace,
    as_of: date,
    *,
    actor: str,
    method: str = "basic",
    cadence: str = "weekly",
    rules_digest: str | None = None,
    kind: str = "record",
    inputs: dict[str, Any] | None = None,
    reason: str = "",
) -> Outcome:
    """Gates, then both books; HOLD, deficiency and variance alerts; everything journaled.

    For a computation of record the formula is the one in force on `as_of`; a rerun on the same
    basis returns the standing computation, and one on another basis supersedes it with a reason.
    """
    require(ws.users.get(actor), RESERVE_WORK)
    if rules_digest is None:
        rules = formula_in_force.rules_in_force(ws, as_of) if kind == "record" else rules_of_record(ws)
    else:
        rules, status = rule_version(ws, rules_digest)
        if status != "approved" and kind == "record":
            raise ReserveError(
                f"formula {rules.version} is {status}: only an approved version can be used for a "
                "computation of record (compute it as a what-if instead)"
            )
        if kind == "record":
            formula_in_force.check_in_force(ws, as_of, rules)
    inputs = inputs or current_input_set(ws, as_of)
    if inputs is None:
        raise ReserveError(f"no inputs loaded for {as_of.isoformat()}: run `proctor reserve inputs load`")
    planned = None
    if kind == "record":
        planned = supersession.plan(
            ws,
            as_of,
            inputs_id=inputs["id"],
            rules_digest=rules.digest,
            method=method,
            cadence=cadence,
            reason=reason,
        )
        if planned.reuse:  # the same computation asked for again: nothing new is written
            existing = planned.existing
            return Outcome(gates=supersession.gate_report(existing), rows=existing, computations={})
    book = book_of(ws, inputs)
    if kind != "hindsight":
        permitted_cadence.check(ws, cadence, as_of, book.firm.raw, rules)
    gates = run_gates(book, rules)
    settings = Settings("customer", as_of, method, cadence)
    results: dict[str, Computation] = {}
    if not gates.hold:
        customer, pab = compute_both(book, rules, settings)
        results = {"customer": customer, "pab": pab}
    stored: dict[str, dict[str, Any]] = {}
    with ws.transaction(actor) as tx:
        for which in ("customer", "pab"):
            comp = results.get(which)
            prev = _previous(tx.conn, which, as_of) if kind == "record" else None
            base: dict[str, Any] = {
                "id": ws.ids("RSV"),
                "as_of": as_of,
                "book": which,
                "method": method,
                "cadence": cadence,
                "kind": kind,
                "input_set_id": inputs["id"],
                "rules_digest": rules.digest,
                "rules_version": rules.version,
                "gates": gates.as_dict(),
                "previous_id": prev and prev["id"],
                "explanations": {},
                "created_by": actor,
                "created_at": ws.clock.now(),
            }
            if comp is None:
                base.update(
                    status="HOLD",
                    lines={},
                    components={},
                    totals={},
                    requirement=None,
                    on_deposit=None,
                    deficiency=None,
                    deadline=None,
                    variance=[],
                    notice=None,
                )
            else:
                lines, comps = comp.line_amounts(), comp.component_amounts()
                breaches = (
                    variance.review(prev["lines"], lines, prev["components"], comps, rules) if prev else []
                )
                doc = exhibit_json(comp, rules, firm=book.firm.name, gates=gates, computation_id=base["id"])
                buf = io.BytesIO()
                comp.lineage.write_parquet(buf)
                notice = (
                    draft_notice(
                        firm=book.firm.name,
                        book=which,
                        as_of=as_of,
                        requirement=comp.requirement,
                        on_deposit=comp.on_deposit,
                        deficiency=comp.deficiency,
                        deadline=comp.deadline,
                        computation_id=base["id"],
                    )
                    if comp.deficiency > 0
                    else None
                )
                base.update(
                    status="COMPUTED",
                    lines=lines,
                    components=comps,
                    totals=_totals(comp),
                    requirement=comp.requirement,
                    on_deposit=comp.on_deposit,
                    deficiency=comp.deficiency,
                    deadline=comp.deadline,
                    variance=[b.as_dict() for b in breaches],
                    notice=notice,
                    report_blob=tx.put_blob(_json_bytes(doc)),
                    lineage_blob=tx.put_blob(buf.getvalue()),
                )
            row = tx.insert(computations, base, "reserve.computation.created")
            stored[which] = row
        if planned is not None:
            supersession.record(ws, tx, planned, stored, actor)
        if kind == "record":
            _record_findings(ws, tx, actor, as_of, stored, gates, inputs["id"], rules.version)
    return Outcome(gates=gates, rows=stored, computations=results)


def _record_findings(
    ws: Workspace,
    tx: Any,
    actor: str,
    as_of: date,
    stored: dict[str, dict[str, Any]],
    gates: Any,
    input_set_id: str,
    rules_version: str,
) -> None:
    """A computation of record is a check: what it finds (HOLD, deficiency, variance) is raised as a
    scoped run of the control the finding belongs to, in the computation's transaction."""
    rows = [stored[b] for b in ("customer", "pab") if b in stored]
    ids = [r["id"] for r in rows]
    scope = f"computation of record as of {as_of.isoformat()} ({', '.join(ids)})"
    found: dict[str, list[Any]] = {
        "reserve.computation_gates": (
            [alerting.hold_alert(as_of, gates.reasons(), input_set_id, rules_version)] if gates.hold else []
        ),
        "reserve.deposit_deadline": [alerting.deficiency_alert(r, r["notice"]) for r in rows if r["notice"]],
        "reserve.variance_review": [alerting.variance_alert(r, r["variance"]) for r in rows if r["variance"]],
    }
    for control, drafts in found.items():
        if drafts:
            ws.controls.record_in(tx, control, actor=actor, scope=scope, findings=drafts, inputs=ids)


def _json_bytes(doc: dict[str, Any]) -> bytes:
    from proctor.core.canonical import encode

    return encode(doc)


# -- reading -----------------------------------------------------------------------------------
def get_computation(ws: Workspace, computation_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        row = conn.execute(sa.select(computations).where(computations.c.id == computation_id)).one_or_none()
    if row is None:
        raise NotFound(f"reserve computation {computation_id} does not exist")
    return dict(row._mapping)


def latest_computation(ws: Workspace, as_of: date | None, book: str, kind: str = "record") -> dict[str, Any]:
    query = sa.select(computations).where(computations.c.book == book, computations.c.kind == kind)
    if as_of is not None:
        query = query.where(computations.c.as_of == as_of)
    with ws.read() as conn:
        row = conn.execute(
            query.order_by(computations.c.as_of.desc(), computations.c.created_at.desc()).limit(1)
        ).one_or_none()
    if row is None:
        raise NotFound(f"no {book} reserve computation" + (f" as of {as_of.isoformat()}" if as_of else ""))
    return dict(row._mapping)


def history(
    ws: Workspace, book: str | None = None, kind: str = "record", limit: int = 60
) -> list[dict[str, Any]]:
    query = sa.select(computations).where(computations.c.kind == kind)
    if book:
        query = query.where(computations.c.book == book)
    with ws.read() as conn:
        rows = conn.execute(
            query.order_by(computations.c.as_of.desc(), computations.c.created_at.desc()).limit(limit)
        ).all()
    return [dict(r._mapping) for r in rows]


def report_doc(ws: Workspace, row: dict[str, Any]) -> dict[str, Any]:
    import json

    if not row["report_blob"]:
        raise ReserveError(f"computation {row['id']} is on HOLD: no Exhibit A report exists; see its gates")
    return dict(json.loads(ws.blobs.get(row["report_blob"])))


def explain_item(
    ws: Workspace, computation_id: str, item: str, *, actor: str, ref: str | None = None, top: int = 20
) -> dict[str, Any]:
    """Breakdown of a line down to accounts; viewing account-level lineage is journaled."""
    require(ws.users.get(actor), READ)
    row = get_computation(ws, computation_id)
    if not row["lineage_blob"]:
        raise ReserveError(f"computation {computation_id} is on HOLD: nothing to explain; its gates say why")
    lineage = pl.read_parquet(io.BytesIO(ws.blobs.get(row["lineage_blob"])))
    known = sorted(row["lines"], key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
    if item not in known:
        raise ReserveError(f"no Exhibit A item {item!r}; items are {', '.join(known)}")
    result = explain(lineage, item, top=top, ref=ref)
    result["computation"] = computation_id
    result["line_total"] = row["lines"].get(item)
    with ws.transaction(actor) as tx:
        tx.event(
            "reserve.lineage.viewed",
            Subject("reserve.computation", computation_id),
            {"item": item, "ref": ref, "rows_shown": len(result["top"])},
        )
    return result


# -- review and sign-off -----------------------------------------------------------------------
def explain_variance(
    ws: Workspace, computation_id: str, key: str, text: str, *, actor: str
) -> dict[str, Any]:
    require(ws.users.get(actor), RESERVE_SIGNOFF)
    row = get_computation(ws, computation_id)
    keys = {b["key"] for b in row["variance"]}
    if key not in keys:
        raise ReserveError(
            f"no variance {key!r} on {computation_id}; open ones: {', '.join(sorted(keys)) or 'none'}"
        )
    if len(text.strip()) < 20:
        raise InputError("an explanation must say why in at least 20 characters", field="explanation")
    if row["status"] == "SIGNED_OFF":
        raise ReserveError(f"computation {computation_id} is already signed off")
    explanations = dict(row["explanations"])
    explanations[key] = f"{text.strip()} ({actor})"
    with ws.transaction(actor) as tx:
        return dict(
            tx.update(
                computations, computation_id, {"explanations": explanations}, "reserve.variance.explained"
            )
        )


def open_variances(row: dict[str, Any]) -> list[str]:
    breaches = [
        variance.Breach(b["key"], b["kind"], b["previous"], b["current"], b["message"])
        for b in row["variance"]
    ]
    return [b.key for b in variance.unexplained(breaches, row["explanations"])]


def sign_off(ws: Workspace, computation_id: str, *, actor: str, statement: str) -> dict[str, Any]:
    user = ws.users.get(actor)
    require(user, RESERVE_SIGNOFF)
    row = get_computation(ws, computation_id)
    if row["status"] == "HOLD":
        raise ReserveError(
            f"computation {computation_id} is on HOLD and cannot be signed off: fix the inputs"
        )
    if row["status"] == "SIGNED_OFF":
        raise ReserveError(f"computation {computation_id} is already signed off")
    if row["kind"] != "record":
        raise ReserveError("only a computation of record is signed off")
    unexplained = open_variances(row)
    if unexplained:
        raise ReserveError("explain these variances before sign-off: " + ", ".join(unexplained))
    if len(statement.strip()) < 10:
        raise InputError("a sign-off needs a statement of at least 10 characters", field="statement")
    with ws.transaction(actor) as tx:
        tx.insert(
            signoffs,
            {
                "id": ws.ids("RSO"),
                "computation_id": computation_id,
                "user": actor,
                "role": user.role.value,
                "statement": statement.strip(),
                "signed_at": ws.clock.now(),
            },
            "reserve.signoff.recorded",
        )
        return dict(
            tx.update(
                computations, computation_id, {"status": "SIGNED_OFF"}, "reserve.computation.signed_off"
            )
        )
