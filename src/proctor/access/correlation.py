"""Correlation of accounts to people, the review queue, and the lookup other features read.

Public API (stable; post-termination detection and incidents read it)
--------------------------------------------------------------------
- ``linked_person(ws, system, login_id, at=None, known_at=None) -> LinkedPerson | None``: the
  person an account belongs to and that person's HR history. ``at`` is the instant of interest (an
  event's time); ``LinkedPerson.status_at`` / ``termination`` evaluate the history at it.
  ``known_at`` limits both the link and the HR history to what was known at that instant
  (``None``: everything known now). ``None`` is returned for accounts that are not linked
  (service accounts, orphans and accounts awaiting review: see ``situation_of``).
- ``situation_of(ws, system, login_id) -> dict | None``: the account row with ``situation``
  (linked / unlinked / disputed / unmatched / service), ``employee_id``, ``rule``, ``candidates``.
- ``link_frame(ws, known_at=None) -> polars.DataFrame``: columns ``system, login_id, employee_id,
  situation, rule, valid_from, valid_to`` — every link in force at ``known_at`` (default now), for
  vectorised joins of events to people (then join ``people.employment_frame`` on employee_id).

Review queue: ``queue(ws)`` lists unlinked and disputed accounts with their candidates;
``confirm(ws, system, login_id, employee_id, actor, rationale)``, ``reject(...)`` and
``tag(ws, system, login_id, "service"|"orphan", ...)`` record a journaled decision and re-correlate.
A rejected pair is never proposed again, on any later import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.access import matching
from proctor.access.accounts import account_id
from proctor.access.people import HrHistory, histories
from proctor.access.permissions import ACCESS_REVIEW
from proctor.access.rules import CorrelationRules, in_force_at
from proctor.access.tables import accounts, decisions, hr_snapshots, links, people
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import require

__all__ = [
    "LinkedPerson",
    "apply",
    "confirm",
    "link_frame",
    "linked_person",
    "links_at",
    "queue",
    "reject",
    "situation_of",
    "situations",
    "tag",
]


@dataclass(frozen=True)
class LinkedPerson:
    employee_id: str
    system: str
    login_id: str
    rule: str
    history: HrHistory
    at: datetime | None = None

    def status_at(self, t: datetime | None = None) -> str:
        moment = t or self.at
        if moment is None:
            raise ValueError("give the instant to evaluate")
        return self.history.status_at(moment)

    def termination(self, t: datetime | None = None) -> datetime | None:
        """The termination effective time in force at t (None while employed or rehired)."""
        moment = t or self.at
        if moment is None:
            raise ValueError("give the instant to evaluate")
        return self.history.termination_at(moment)


def _frames(
    conn: sa.Connection, systems: list[str] | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    q = sa.select(*[accounts.c[c] for c in matching.ACCOUNT_SCHEMA])
    if systems:
        q = q.where(accounts.c.system.in_(systems))
    acc = pl.DataFrame([tuple(r) for r in conn.execute(q)], schema=matching.ACCOUNT_SCHEMA, orient="row")
    ppl = pl.DataFrame(
        [tuple(r) for r in conn.execute(sa.select(*[people.c[c] for c in matching.PEOPLE_SCHEMA]))],
        schema=matching.PEOPLE_SCHEMA,
        orient="row",
    )
    dq = sa.select(
        decisions.c.system, decisions.c.login_id, decisions.c.employee_id, decisions.c.decision
    ).order_by(decisions.c.decided_at, decisions.c.id)
    if systems:
        dq = dq.where(decisions.c.system.in_(systems))
    dec = pl.DataFrame([tuple(r) for r in conn.execute(dq)], schema=matching.DECISION_SCHEMA, orient="row")
    return acc, ppl, dec


def rules(ws: Any, at: datetime | None = None, conn: sa.Connection | None = None) -> CorrelationRules:
    """The correlation rule table in force at `at` (default now). They change what is supervised,
    so they are not read from the hand-editable config file but from the approved rule versions
    (`proctor.access.rules`): a change is a journaled proposal a second person approves."""
    return in_force_at(ws, at if at is not None else ws.clock.now(), conn)


def apply(ws: Any, tx: Any, systems: list[str] | None = None, at: datetime | None = None) -> dict[str, int]:
    """Re-correlate and write only what changed; each change of link is a dated link record.

    `at` is the instant the change became knowable: the as-of of the snapshot whose import
    triggered it (default now, as for a reviewer's decision). A link is never dated before the
    account was seen or the person first appeared in HR, so backfilled snapshots date links by
    their own instants and a link made today does not reach back over last year."""
    acc, ppl, dec = _frames(tx.conn, systems)
    if acc.height == 0:
        return {"correlated": 0, "link_changes": 0}
    now = at if at is not None else ws.clock.now()
    table = rules(ws, now, tx.conn)
    result = matching.correlate(acc, ppl, dec, table.rules)
    q = sa.select(
        accounts.c.system,
        accounts.c.login_id,
        accounts.c.situation,
        accounts.c.employee_id,
        accounts.c.rule,
        accounts.c.candidates,
    )
    if systems:
        q = q.where(accounts.c.system.in_(systems))
    stored = {(r.system, r.login_id): r for r in tx.conn.execute(q)}
    seen_from = _known_since(tx.conn, systems)
    updates: list[tuple[str, dict[str, Any]]] = []
    relinked: list[tuple[dict[str, Any], datetime]] = []
    for row in result.iter_rows(named=True):
        old = stored[(row["system"], row["login_id"])]
        candidates = list(row["candidates"] or [])
        if (old.situation, old.employee_id, old.rule, list(old.candidates or [])) == (
            row["situation"],
            row["employee_id"],
            row["rule"],
            candidates,
        ):
            continue
        values = {
            "situation": row["situation"],
            "employee_id": row["employee_id"],
            "rule": row["rule"],
            "candidates": candidates,
        }
        updates.append((account_id(row["system"], row["login_id"]), values))
        if (old.situation, old.employee_id) != (row["situation"], row["employee_id"]):
            since = seen_from(row["system"], row["login_id"], row["employee_id"])
            relinked.append((row, max([now, *since])))
    tx.update_many(accounts, updates, "access.account.correlated")
    _record_links(ws, tx, relinked, systems, table.digest)
    return {"correlated": result.height, "link_changes": len(relinked)}


def _known_since(conn: sa.Connection, systems: list[str] | None) -> Any:
    """When each account was first seen and each person first appeared in HR (snapshot instants)."""
    q = sa.select(accounts.c.system, accounts.c.login_id, accounts.c.first_seen)
    if systems:
        q = q.where(accounts.c.system.in_(systems))
    seen = {(r.system, r.login_id): _utc(r.first_seen) for r in conn.execute(q)}
    hired = {
        r.employee_id: _utc(r.as_of)
        for r in conn.execute(
            sa.select(people.c.employee_id, hr_snapshots.c.as_of).join(
                hr_snapshots, hr_snapshots.c.id == people.c.first_snapshot
            )
        )
    }

    def since(system: str, login_id: str, employee_id: str | None) -> list[datetime]:
        found = [seen.get((system, login_id)), hired.get(employee_id) if employee_id else None]
        return [t for t in found if t is not None]

    return since


def _utc(t: datetime | None) -> datetime | None:
    return t.astimezone(UTC) if t is not None else None


def _record_links(
    ws: Any,
    tx: Any,
    changed: list[tuple[dict[str, Any], datetime]],
    systems: list[str] | None,
    rules_digest: str,
) -> None:
    """End each changed account's link in force and record the new one, in two batched writes."""
    if not changed:
        return
    q = sa.select(links.c.id, links.c.system, links.c.login_id, links.c.valid_from).where(
        links.c.valid_to.is_(None)
    )
    if systems:
        q = q.where(links.c.system.in_(systems))
    open_links: dict[tuple[str, str], list[tuple[str, datetime]]] = {}
    for r in tx.conn.execute(q):
        open_links.setdefault((r.system, r.login_id), []).append((r.id, _utc(r.valid_from) or r.valid_from))
    ends: list[tuple[str, dict[str, Any]]] = []
    new: list[dict[str, Any]] = []
    for row, when in changed:
        for link_id, valid_from in open_links.get((row["system"], row["login_id"]), []):
            # a backfilled snapshot older than the link in force cannot end it before it began
            when = max(when, valid_from)
            ends.append((link_id, {"valid_to": when}))
        new.append(
            {
                "id": ws.ids("lnk"),
                "system": row["system"],
                "login_id": row["login_id"],
                "employee_id": row["employee_id"],
                "situation": row["situation"],
                "rule": row["rule"],
                "valid_from": when,
                "valid_to": None,
                "rules_digest": rules_digest,
            }
        )
    tx.update_many(links, ends, "access.link.ended")
    tx.insert_many(links, new, "access.link.recorded")


def links_at(conn: sa.Connection, as_of: datetime) -> dict[tuple[str, str], tuple[str, str | None, str]]:
    """(system, login) -> (situation, employee id, rules digest) of every link record in force at
    `as_of`.

    An account with no record then had never been linked: unmatched."""
    q = sa.select(
        links.c.system, links.c.login_id, links.c.situation, links.c.employee_id, links.c.rules_digest
    ).where(links.c.valid_from <= as_of, sa.or_(links.c.valid_to.is_(None), links.c.valid_to > as_of))
    return {(r.system, r.login_id): (r.situation, r.employee_id, r.rules_digest) for r in conn.execute(q)}


def situation_of(ws: Any, system: str, login_id: str) -> dict[str, Any] | None:
    with ws.read() as conn:
        row = conn.execute(
            sa.select(accounts).where(accounts.c.id == account_id(system, login_id))
        ).one_or_none()
    return dict(row._mapping) if row is not None else None


def situations(ws: Any, system: str) -> list[dict[str, Any]]:
    """Every account of a system with its situation, link, rule and candidates."""
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(accounts).where(accounts.c.system == system).order_by(accounts.c.login_id)
        )
        return [dict(r._mapping) for r in rows]


def link_frame(ws: Any, known_at: datetime | None = None) -> pl.DataFrame:
    q = sa.select(
        links.c.system,
        links.c.login_id,
        links.c.employee_id,
        links.c.situation,
        links.c.rule,
        links.c.valid_from,
        links.c.valid_to,
    )
    if known_at is None:
        q = q.where(links.c.valid_to.is_(None))
    else:
        q = q.where(
            links.c.valid_from <= known_at, sa.or_(links.c.valid_to.is_(None), links.c.valid_to > known_at)
        )
    ts = pl.Datetime("us", "UTC")
    schema: dict[str, Any] = {
        "system": pl.Utf8,
        "login_id": pl.Utf8,
        "employee_id": pl.Utf8,
        "situation": pl.Utf8,
        "rule": pl.Utf8,
        "valid_from": ts,
        "valid_to": ts,
    }
    with ws.read() as conn:
        return pl.DataFrame([tuple(r) for r in conn.execute(q)], schema=schema, orient="row")


def linked_person(
    ws: Any, system: str, login_id: str, at: datetime | None = None, known_at: datetime | None = None
) -> LinkedPerson | None:
    frame = link_frame(ws, known_at).filter((pl.col("system") == system) & (pl.col("login_id") == login_id))
    if frame.height == 0 or frame["situation"][0] != "linked" or frame["employee_id"][0] is None:
        return None
    eid = str(frame["employee_id"][0])
    hist = histories(ws, known_at).get(eid)
    if hist is None:
        return None
    return LinkedPerson(eid, system, login_id, str(frame["rule"][0]), hist, at)


def queue(ws: Any, system: str | None = None) -> list[dict[str, Any]]:
    """Accounts awaiting a person's decision: one candidate (unlinked) or several (disputed)."""
    with ws.read() as conn:
        q = (
            sa.select(accounts)
            .where(accounts.c.situation.in_(("unlinked", "disputed")), accounts.c.status != "removed")
            .order_by(accounts.c.system, accounts.c.login_id)
        )
        if system:
            q = q.where(accounts.c.system == system)
        rows = [dict(r._mapping) for r in conn.execute(q)]
        names = {
            r.employee_id: f"{r.first_name} {r.last_name}".strip()
            for r in conn.execute(sa.select(people.c.employee_id, people.c.first_name, people.c.last_name))
        }
    for row in rows:
        row["candidate_names"] = [names.get(c, "") for c in row["candidates"]]
    return rows


def _decide(
    ws: Any, system: str, login_id: str, employee_id: str | None, decision: str, actor: str, rationale: str
) -> dict[str, Any]:
    require(ws.users.get(actor), ACCESS_REVIEW)
    if not rationale.strip():
        raise InputError("a rationale is required", field="--rationale")
    with ws.transaction(actor) as tx:
        acct = tx.get(accounts, account_id(system, login_id))
        if acct is None:
            raise NotFound(f"no account {login_id!r} on {system!r}")
        if employee_id is not None and tx.get(people, employee_id) is None:
            raise NotFound(f"no person with employee id {employee_id!r}")
        if decision == "confirmed" and acct["situation"] == "linked" and acct["employee_id"] == employee_id:
            raise InputError(f"{login_id} on {system} is already linked to {employee_id}")
        row = tx.insert(
            decisions,
            {
                "id": ws.ids("cdc"),
                "system": system,
                "login_id": login_id,
                "employee_id": employee_id,
                "decision": decision,
                "rationale": rationale,
                "decided_by": actor,
                "decided_at": ws.clock.now(),
            },
            f"access.correlation.{decision}",
        )
        from proctor.access import sync

        sync.refresh(ws, tx, systems=[system])
    return dict(row)


def confirm(
    ws: Any, system: str, login_id: str, employee_id: str, *, actor: str, rationale: str
) -> dict[str, Any]:
    return _decide(ws, system, login_id, employee_id, "confirmed", actor, rationale)


def reject(
    ws: Any, system: str, login_id: str, employee_id: str, *, actor: str, rationale: str
) -> dict[str, Any]:
    return _decide(ws, system, login_id, employee_id, "rejected", actor, rationale)


def tag(ws: Any, system: str, login_id: str, kind: str, *, actor: str, rationale: str) -> dict[str, Any]:
    """Mark an account as a service account, or as belonging to nobody in HR (an orphan to remove)."""
    if kind not in ("service", "orphan"):
        raise InputError("tag an account as service or orphan", field="KIND")
    return _decide(ws, system, login_id, None, kind, actor, rationale)
