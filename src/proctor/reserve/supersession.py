"""One computation of record per date and book, and one current input set per date.

A FINOP reruns a week after a late feed, a correction or a method change; each rerun used to add
another "current" computation beside the old one, with its own alerts, so nobody could say which
number was the firm's. Here a rerun on the same inputs, formula, method and cadence is the same
computation (nothing new is written); a rerun on anything else supersedes the previous computation
of record, and says why: the reason given, or the input-set correction that caused it. Every
supersession is a journaled row naming both computations, the reason and who decided.

Loading a second input set for a date that already has a current one must name it
(`--supersedes`) with a reason; and a feed whose files are byte-for-byte those of the previous
date's is flagged as possibly stale (a frozen extract looks complete to every other gate).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.errors import InputError
from proctor.core.workspace import Workspace
from proctor.reserve.errors import ReserveError
from proctor.reserve.gates import GateReport, GateResult
from proctor.reserve.schemas import FIRM_FILE
from proctor.reserve.tables import computations, input_sets, supersessions

SUPERSEDED = "SUPERSEDED"
MIN_REASON = 10


@dataclass
class Plan:
    """What a computation of record for a date will do to the one already there."""

    existing: dict[str, dict[str, Any]] = field(default_factory=dict)  # book -> current row
    reuse: bool = False
    reason: str = ""


def current_of_record(conn: sa.Connection, as_of: date) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        sa.select(computations)
        .where(
            computations.c.kind == "record",
            computations.c.as_of == as_of,
            computations.c.status != SUPERSEDED,
        )
        .order_by(computations.c.created_at, computations.c.id)
    ).all()
    return {r._mapping["book"]: dict(r._mapping) for r in rows}


def _correction_reason(conn: sa.Connection, old_set: str, new_set: str) -> str:
    """The reason recorded on the input-set correction(s) leading from the old set to the new one."""
    reasons: list[str] = []
    chain: list[str] = []
    current: str | None = new_set
    while current and current not in chain:
        row = conn.execute(sa.select(input_sets).where(input_sets.c.id == current)).one_or_none()
        if row is None:
            return ""
        if row.id == old_set:
            return f"inputs corrected ({' <- '.join(chain)} supersedes {old_set}): " + "; ".join(reasons)
        chain.append(row.id)
        if row.reason:
            reasons.append(row.reason)
        current = row.supersedes
    return ""


def plan(
    ws: Workspace,
    as_of: date,
    *,
    inputs_id: str,
    rules_digest: str,
    method: str,
    cadence: str,
    reason: str = "",
) -> Plan:
    """Decide before anything is computed: reuse, supersede with a reason, or refuse."""
    with ws.read() as conn:
        existing = current_of_record(conn, as_of)
        if not existing:
            return Plan()
        row = existing.get("customer") or next(iter(existing.values()))
        same = (
            row["input_set_id"] == inputs_id
            and row["rules_digest"] == rules_digest
            and row["method"] == method
            and row["cadence"] == cadence
        )
        text = " ".join(reason.split())
        if same and not text:
            return Plan(existing, reuse=True)
        if not text and row["input_set_id"] != inputs_id:
            text = _correction_reason(conn, row["input_set_id"], inputs_id)
    if not text:
        changed = [
            what
            for what, old, new in (
                ("input set", row["input_set_id"], inputs_id),
                ("formula", row["rules_digest"], rules_digest),
                ("method", row["method"], method),
                ("cadence", row["cadence"], cadence),
            )
            if old != new
        ]
        raise ReserveError(
            f"{as_of.isoformat()} already has a computation of record "
            f"({', '.join(r['id'] for r in existing.values())}); this one changes its "
            f"{', '.join(changed)}: say why it supersedes the old one with --reason"
        )
    if len(text) < MIN_REASON:
        raise InputError(f"a rerun needs a reason of at least {MIN_REASON} characters", field="--reason")
    return Plan(existing, reuse=False, reason=text)


def gate_report(rows: dict[str, dict[str, Any]]) -> GateReport:
    """The gates a stored computation passed or failed, as the report it was computed with."""
    row = rows.get("customer") or next(iter(rows.values()))
    return GateReport(
        [
            GateResult(g["gate"], bool(g["passed"]), g["reason"], dict(g.get("details") or {}))
            for g in row["gates"].get("gates", [])
        ]
    )


def record(ws: Workspace, tx: Any, planned: Plan, stored: dict[str, dict[str, Any]], actor: str) -> None:
    """Mark each previous computation of record superseded by the new one, with the reason."""
    for book, old in planned.existing.items():
        new = stored.get(book)
        if new is None:
            continue
        tx.update(computations, old["id"], {"status": SUPERSEDED}, "reserve.computation.superseded")
        tx.insert(
            supersessions,
            {
                "id": ws.ids("RSS"),
                "as_of": old["as_of"],
                "book": book,
                "superseded_id": old["id"],
                "superseded_by": new["id"],
                "reason": planned.reason,
                "decided_by": actor,
                "decided_at": ws.clock.now(),
            },
            "reserve.supersession.recorded",
        )


def supersession_log(ws: Workspace, as_of: date | None = None) -> list[dict[str, Any]]:
    query = sa.select(supersessions).order_by(supersessions.c.as_of, supersessions.c.decided_at)
    if as_of is not None:
        query = query.where(supersessions.c.as_of == as_of)
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def of_record(ws: Workspace, book: str) -> list[dict[str, Any]]:
    """The computations of record now standing, one per date, oldest first."""
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(computations)
            .where(
                computations.c.kind == "record",
                computations.c.book == book,
                computations.c.status != SUPERSEDED,
            )
            .order_by(computations.c.as_of)
        ).all()
    return [dict(r._mapping) for r in rows]


# -- input sets ---------------------------------------------------------------------------------
def check_load(ws: Workspace, as_of: date, supersedes: str | None) -> None:
    """A second current input set for a date is refused unless it names the one it corrects."""
    if supersedes is not None:
        return
    with ws.read() as conn:
        current = conn.execute(
            sa.select(input_sets.c.id).where(input_sets.c.as_of == as_of, input_sets.c.status == "current")
        ).all()
    if current:
        ids = ", ".join(r.id for r in current)
        raise ReserveError(
            f"input set {ids} is already current for {as_of.isoformat()}: a new load corrects it, "
            f"so name it with --supersedes {current[-1].id} and say why with --reason"
        )


def file_digests(paths: list[Path]) -> dict[str, str]:
    """SHA-256 of each data file (not firm.json, whose facts may rightly repeat)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.name != FIRM_FILE}


def stale_against(ws: Workspace, as_of: date, digests: dict[str, str]) -> dict[str, Any] | None:
    """The previous date's current input set when every data file is identical to it."""
    with ws.read() as conn:
        prev = conn.execute(
            sa.select(input_sets)
            .where(input_sets.c.as_of < as_of, input_sets.c.status == "current")
            .order_by(input_sets.c.as_of.desc(), input_sets.c.loaded_at.desc())
            .limit(1)
        ).one_or_none()
    if prev is None or not digests:
        return None
    before = {e["name"]: e["sha256"] for e in prev._mapping["manifest"] if e["name"] != FIRM_FILE}
    return dict(prev._mapping) if before == digests else None


def stale_alert(as_of: date, set_id: str, previous: dict[str, Any], rules_version: str) -> AlertDraft:
    return AlertDraft(
        control="reserve.computation_gates",
        rule_id="reserve.inputs.possibly_stale",
        rule_version=rules_version,
        title=f"Reserve inputs as of {as_of.isoformat()} are identical to those of "
        f"{previous['as_of'].isoformat()}: possibly a stale feed",
        severity=Severity.HIGH,
        subjects=(
            Subject("reserve.computation", f"customer:{as_of.isoformat()}"),
            Subject("reserve.input_set", set_id),
        ),
        evidence={
            "as_of": as_of.isoformat(),
            "input_set": set_id,
            "identical_to": previous["id"],
            "identical_to_as_of": previous["as_of"].isoformat(),
        },
        evidence_type="table",
        params={"rule": "SEA 15c3-3"},
        dedupe_key=digest({"reserve": "stale-inputs", "input_set": set_id}),
    )
