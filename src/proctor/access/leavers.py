"""Control `access.leavers`: every leaver lost every account, everywhere, within the system's SLA.

Proof is a roster snapshot taken after the termination that no longer shows the account active —
not a ticket saying it was done. For each leaver's linked account the control walks that system's
snapshots (as of the run's instant) and finds one of:

- removed in time: a snapshot at or before the deadline shows it gone or disabled, and no later
  snapshot shows it active again — nothing is raised;
- terminated but active past the SLA: a snapshot after the deadline still shows it active
  (critical on a system holding NPI, high elsewhere);
- removal not proven in time: the first snapshot showing it gone is after the deadline;
- not proven: the deadline passed and no roster since the termination exists ("not evaluable" is
  never "fine").

The same run raises the orphan accounts on NPI systems (active, linked to nobody) and the
transitional-agreement findings (accounts of people whose access was never agreed, or past sunset).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from proctor.access import agreements
from proctor.access.accounts import roster_history
from proctor.access.correlation import links_at
from proctor.access.correlation import rules as correlation_rules
from proctor.access.people import histories
from proctor.access.tables import accounts, hr_snapshots, roster_snapshots, systems
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs

GONE = ("disabled", None)  # None: absent from the snapshot


def _state(statuses: dict[str, str], login: str) -> str | None:
    return statuses.get(login)


def evaluate_account(
    login: str,
    end: datetime,
    deadline: datetime,
    history: list[tuple[dict[str, Any], dict[str, str]]],
    as_of: datetime,
) -> tuple[str, dict[str, Any] | None]:
    """(verdict, the snapshot that decides it) for one leaver's account; pure."""
    seen = [(s, st) for s, st in history if s["as_of"] <= as_of]
    before = [(s, st) for s, st in seen if s["as_of"] <= end]
    after = [(s, st) for s, st in seen if s["as_of"] > end]
    active_late = next(
        ((s, st) for s, st in after if s["as_of"] > deadline and _state(st, login) not in GONE), None
    )
    if active_late is not None:
        return "terminated_active", active_late[0]
    proof = next(((s, st) for s, st in after if _state(st, login) in GONE), None)
    if (
        proof is None
        and before
        and _state(before[-1][1], login) in GONE
        and not any(_state(st, login) not in GONE for _, st in after)
    ):
        return "removed_before", before[-1][0]
    if proof is not None:
        return ("removed_in_time" if proof[0]["as_of"] <= deadline else "removed_late"), proof[0]
    if as_of > deadline:
        return "not_proven", after[-1][0] if after else (before[-1][0] if before else None)
    return "pending", None


TITLES = {
    "terminated_active": "Leaver's account still active past the SLA",
    "removed_late": "Leaver's account removal not proven within the SLA",
    "not_proven": "Leaver's account removal not proven: no roster since the termination",
}


def leaver_findings(
    ws: Any, conn: sa.Connection, as_of: datetime
) -> tuple[int, list[AlertDraft], dict[str, int]]:
    sys_rows = {r.name: dict(r._mapping) for r in conn.execute(sa.select(systems))}
    hist = histories(ws, as_of, conn)
    known = links_at(conn, as_of)
    by_person: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(sa.select(accounts).where(accounts.c.first_seen <= as_of)):
        a = dict(r._mapping)
        situation, eid, made_under = known.get((a["system"], a["login_id"]), ("unmatched", None, ""))
        if situation == "linked" and eid is not None:
            # the link as it stood at the run's instant, not as confirmed since
            by_person.setdefault(eid, []).append({**a, "employee_id": eid, "rules_digest": made_under})
    rosters: dict[str, list[tuple[dict[str, Any], dict[str, str]]]] = {}
    findings: list[AlertDraft] = []
    tally: dict[str, int] = {}
    leavers = 0
    for eid, h in hist.items():
        end = h.termination_at(as_of)
        if end is None:
            continue
        leavers += 1
        for acct in by_person.get(eid, []):
            system = sys_rows[acct["system"]]
            deadline = end + timedelta(seconds=int(system["sla_seconds"]))
            if acct["system"] not in rosters:
                rosters[acct["system"]] = roster_history(ws, conn, acct["system"])
            verdict, snap = evaluate_account(acct["login_id"], end, deadline, rosters[acct["system"]], as_of)
            tally[verdict] = tally.get(verdict, 0) + 1
            if verdict not in TITLES:
                continue
            npi = bool(system["npi"])
            severity = {
                "terminated_active": Severity.CRITICAL if npi else Severity.HIGH,
                "not_proven": Severity.HIGH,
                "removed_late": Severity.MEDIUM,
            }[verdict]
            findings.append(
                AlertDraft(
                    control="access.leavers",
                    rule_id=f"access.leaver.{verdict}",
                    rule_version="1",
                    title=f"{TITLES[verdict]}: {acct['login_id']} on {acct['system']}",
                    severity=severity,
                    subjects=(Subject("access.person", eid), Subject("access.account", acct["id"])),
                    evidence={
                        "verdict": verdict,
                        "employee_id": eid,
                        "system": acct["system"],
                        "kind": system["kind"],
                        "npi": npi,
                        "login_id": acct["login_id"],
                        "display_name": acct["display_name"],
                        "termination_effective": end.isoformat(),
                        "sla_hours": system["sla_seconds"] / 3600,
                        "deadline": deadline.isoformat(),
                        "snapshot": snap["id"] if snap else None,
                        "snapshot_as_of": snap["as_of"].isoformat() if snap else None,
                        "snapshot_sha256": snap["rows_sha256"] if snap else None,
                        "last_login": acct["last_login"].isoformat() if acct["last_login"] else None,
                        "link_rule": acct["rule"],
                        "link_rules_digest": acct.get("rules_digest", ""),
                    },
                    evidence_type="access.leaver",
                    dedupe_key=digest(f"access.leavers:{verdict}:{acct['id']}:{end.isoformat()}"),
                )
            )
    return leavers, findings, tally


def orphan_findings(conn: sa.Connection, as_of: datetime) -> list[AlertDraft]:
    """Active accounts on NPI systems that belong to nobody known (or await a reviewer's decision),
    as the links stood at `as_of`: an account confirmed since was an orphan then."""
    npi = {r.name for r in conn.execute(sa.select(systems.c.name).where(systems.c.npi.is_(True)))}
    known = links_at(conn, as_of)
    rows = conn.execute(
        sa.select(accounts).where(
            accounts.c.system.in_(npi),
            accounts.c.status.in_(("active", "unknown")),
            accounts.c.first_seen <= as_of,
        )
    ).all()
    out = []
    for r in rows:
        a = dict(r._mapping)
        situation = known.get((a["system"], a["login_id"]), ("unmatched", None, ""))[0]
        if situation not in ("unmatched", "unlinked", "disputed"):
            continue
        a["situation"] = situation
        out.append(
            AlertDraft(
                control="access.leavers",
                rule_id="access.orphan_npi",
                rule_version="1",
                title=f"Orphan account on NPI system {a['system']}: {a['login_id']}"
                + (" (candidates await review)" if a["candidates"] else ""),
                severity=Severity.HIGH,
                subjects=(Subject("access.account", a["id"]),),
                evidence={
                    "system": a["system"],
                    "login_id": a["login_id"],
                    "display_name": a["display_name"],
                    "email": a["email"],
                    "situation": a["situation"],
                    "candidates": list(a["candidates"]),
                    "first_seen": a["first_seen"].isoformat(),
                    "status": a["status"],
                },
                evidence_type="access.orphan",
                dedupe_key=digest(f"access.orphan:{a['id']}"),
            )
        )
    return out


def snapshot_hashes(conn: sa.Connection, as_of: datetime) -> list[str]:
    """What a run looked at: every HR and roster snapshot taken by its instant."""
    hr_rows = conn.execute(sa.select(hr_snapshots.c.rows_sha256).where(hr_snapshots.c.as_of <= as_of))
    ro_rows = conn.execute(sa.select(roster_snapshots.c.rows_sha256).where(roster_snapshots.c.as_of <= as_of))
    return sorted({r[0] for r in hr_rows} | {r[0] for r in ro_rows})


def leavers_control(ctx: ControlContext) -> ControlOutcome:
    ws, as_of = ctx.workspace, ctx.as_of
    with ws.read() as conn:
        leavers, findings, tally = leaver_findings(ws, conn, as_of)
        orphans = orphan_findings(conn, as_of)
        agreed, agreement_findings = agreements.findings(ws, conn, as_of)
        population = conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar() or 0
        inputs = snapshot_hashes(conn, as_of)
        in_force = correlation_rules(ws, as_of, conn).label()
    all_findings = findings + orphans + agreement_findings
    return ControlOutcome(
        int(population),
        hash_inputs(inputs),
        all_findings,
        {
            "leavers": leavers,
            "accounts": population,
            **tally,
            "orphans_npi": len(orphans),
            "agreement_findings": len(agreement_findings),
            "agreement_rows": agreed,
            "correlation_rules": in_force,  # the rule table in force at the run's instant
        },
    )
