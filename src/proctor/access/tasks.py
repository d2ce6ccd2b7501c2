"""Deprovisioning tasks: one per linked account when its person's termination becomes known.

On a connected system the task is an action record (what to disable, through which provisioning
path, by when). On a vendor system Proctor cannot act itself — the case's firm never told the
insurer — so the task writes the notification to the vendor contact as an e-mail file in the
workspace outbox, journals its content, and starts the SLA clock from the termination effective
time. A task closes only when a roster snapshot shows the account gone or disabled; a ticket or a
reply saying so does not close it. Overdue tasks are escalated by the `access.tasks` control.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access.tables import accounts, people, roster_snapshots, systems, tasks
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.errors import InputError

ACTIVE = ("active", "unknown")  # "unknown": a quarantined roster row, not proven disabled


def outbox_dir(ws: Any) -> Path:
    return Path(ws.path) / "outbox" / "access"


def _vendor_message(
    ws: Any,
    task: dict[str, Any],
    system: dict[str, Any],
    account: dict[str, Any],
    person: dict[str, Any] | None,
) -> bytes:
    msg = EmailMessage()
    firm = ws.config.firm_name
    msg["From"] = str(ws.config.section("access").get("notice_from") or f"compliance@{_domain(ws)}")
    msg["To"] = system["vendor_contact"]
    msg["Subject"] = f"{firm}: disable access of {account['login_id']} on {system['name']} ({task['id']})"
    msg["Date"] = format_datetime(task["opened_at"])
    msg["Message-ID"] = f"<{task['id']}@{_domain(ws)}>"
    who = f"{person['first_name']} {person['last_name']}".strip() if person else account["display_name"]
    action = "disable or remove" if task["reason"] == "termination" else "remove (access not renewed)"
    msg.set_content(
        f"Please {action} the following account on {system['name']}.\n\n"
        f"  Login id:        {account['login_id']}\n"
        f"  Name on account: {account['display_name'] or who}\n"
        f"  E-mail:          {account['email'] or '(none on the account)'}\n"
        f"  Reason:          {task['reason'].replace('_', ' ')}\n"
        f"  Effective:       {task['effective'].astimezone(UTC).isoformat()}\n"
        f"  Required by:     {task['due_at'].astimezone(UTC).isoformat()} (agreed service level)\n\n"
        f"{firm} will confirm removal from the next account roster you send; please include this\n"
        f"account's status in it. Reference: {task['id']}.\n"
    )
    return bytes(msg)


def domain_of(ws: Any) -> str:
    """The firm's first e-mail domain (notices are sent from compliance@ it)."""
    return _domain(ws)


def _domain(ws: Any) -> str:
    return ws.config.firm_domains[0] if ws.config.firm_domains else "example.com"


def open_task(
    ws: Any,
    tx: Any,
    system: dict[str, Any],
    account: dict[str, Any],
    *,
    reason: str,
    trigger: str,
    effective: datetime,
    employee_id: str | None,
    opened_at: datetime | None = None,
) -> dict[str, Any]:
    """`opened_at`: when the duty became known (the triggering snapshot's instant; default now)."""
    task = build_task(
        ws,
        tx,
        system,
        account,
        reason=reason,
        trigger=trigger,
        effective=effective,
        employee_id=employee_id,
        opened_at=opened_at,
    )
    return dict(tx.insert(tasks, task, f"access.task.opened.{task['kind']}"))


def build_task(
    ws: Any,
    tx: Any,
    system: dict[str, Any],
    account: dict[str, Any],
    *,
    reason: str,
    trigger: str,
    effective: datetime,
    employee_id: str | None,
    opened_at: datetime | None = None,
) -> dict[str, Any]:
    """The task row (and, for a vendor, its notice written to the outbox), not yet inserted."""
    now = opened_at if opened_at is not None else ws.clock.now()
    due = effective + timedelta(seconds=int(system["sla_seconds"]))
    task: dict[str, Any] = {
        "id": ws.ids("tsk"),
        "system": system["name"],
        "login_id": account["login_id"],
        "employee_id": employee_id,
        "reason": reason,
        "trigger": trigger,
        "effective": effective,
        "due_at": due,
        "status": "open",
        "opened_at": now,
        "opened_by": tx.actor,
        "closed_at": None,
        "closed_by_snapshot": None,
        "outbox_file": "",
        "message_sha256": "",
    }
    if system["kind"] == "vendor":
        task["kind"] = "vendor_notice"
        person = tx.get(people, employee_id) if employee_id else None
        data = _vendor_message(ws, task, system, account, person)
        task["message_sha256"] = tx.put_blob(data)
        folder = outbox_dir(ws)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{task['id']}.eml"
        path.write_bytes(data)
        task["outbox_file"] = str(path.relative_to(ws.path))
        task["action"] = {
            "notify": system["vendor_contact"],
            "request": "disable",
            "login_id": account["login_id"],
        }
    else:
        task["kind"] = "connected_action"
        task["action"] = {
            "disable": account["login_id"],
            "system": system["name"],
            "via": "identity provider / SCIM deprovisioning",
            "owner": system["owner"],
        }
    return task


def open_for_leavers(ws: Any, tx: Any, only: list[str] | None = None, at: datetime | None = None) -> int:
    """A task per active linked account of every person whose termination is known (future included).

    The task is opened as of the snapshot that made it knowable — the later of `at` (the import's
    as-of), the account's first roster and the HR snapshot that recorded the termination — not
    when Proctor processed the import, so a backfilled history is dated by its own instants."""
    conn = tx.conn
    sys_rows = {r.name: dict(r._mapping) for r in conn.execute(sa.select(systems))}
    q = sa.select(accounts).where(accounts.c.situation == "linked", accounts.c.status.in_(ACTIVE))
    if only:
        q = q.where(accounts.c.system.in_(only))
    accts = [dict(r._mapping) for r in conn.execute(q)]
    if not accts:
        return 0
    ends: dict[str, datetime] = {}
    known: dict[str, datetime] = {}
    for r in conn.execute(sa.select(people.c.employee_id, people.c.spans)):
        span = (r.spans or [None])[-1]
        if span and span.get("end"):
            ends[r.employee_id] = datetime.fromisoformat(span["end"]).astimezone(UTC)
            if span.get("end_known_at"):
                known[r.employee_id] = datetime.fromisoformat(span["end_known_at"]).astimezone(UTC)
    moment = at if at is not None else ws.clock.now()
    existing = {
        (r.system, r.login_id, r.trigger)
        for r in conn.execute(sa.select(tasks.c.system, tasks.c.login_id, tasks.c.trigger))
    }
    built: list[dict[str, Any]] = []
    for acct in accts:
        end = ends.get(acct["employee_id"])
        if end is None:
            continue
        trigger = f"termination:{acct['employee_id']}:{end.isoformat()}"
        if (acct["system"], acct["login_id"], trigger) in existing:
            continue
        task = build_task(
            ws,
            tx,
            sys_rows[acct["system"]],
            acct,
            reason="termination",
            trigger=trigger,
            effective=end,
            employee_id=acct["employee_id"],
            opened_at=max(
                t
                for t in (moment, acct["first_seen"].astimezone(UTC), known.get(acct["employee_id"]))
                if t is not None
            ),
        )
        built.append(task)
    for kind in ("connected_action", "vendor_notice"):
        tx.insert_many(tasks, [t for t in built if t["kind"] == kind], f"access.task.opened.{kind}")
    return len(built)


def close_proven(ws: Any, tx: Any, only: list[str] | None = None) -> int:
    """Close open tasks whose account the latest roster shows removed or disabled."""
    q = sa.select(tasks).where(tasks.c.status == "open")
    if only:
        q = q.where(tasks.c.system.in_(only))
    closed = 0
    for task in [dict(r._mapping) for r in tx.conn.execute(q)]:
        acct = tx.get(accounts, f"{task['system']}:{task['login_id']}")
        if acct is None or acct["status"] in ACTIVE:
            continue
        snap = tx.get(roster_snapshots, acct["last_snapshot"])
        tx.update(
            tasks,
            task["id"],
            {
                "status": "closed",
                "closed_at": snap["as_of"] if snap else ws.clock.now(),
                "closed_by_snapshot": acct["last_snapshot"],
            },
            "access.task.closed",
        )
        closed += 1
    return closed


def list_tasks(ws: Any, status: str | None = None, system: str | None = None) -> list[dict[str, Any]]:
    if status not in (None, "open", "closed"):
        raise InputError("status is open or closed", field="--status")
    q = sa.select(tasks).order_by(tasks.c.due_at, tasks.c.id)
    if status:
        q = q.where(tasks.c.status == status)
    if system:
        q = q.where(tasks.c.system == system)
    now = ws.clock.now()
    with ws.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    for r in rows:
        r["overdue"] = r["status"] == "open" and r["due_at"] < now
    return rows


#: How long past due a task climbs to each step: the system's owner first, then the leaver's
#: manager (from HR) with a principal, then the chief compliance officer (`[access] cco`).
ESCALATION: tuple[tuple[timedelta, str], ...] = (
    (timedelta(0), "system_owner"),
    (timedelta(hours=24), "manager"),
    (timedelta(hours=72), "cco"),
)


def escalation(
    ws: Any, late: timedelta, system: dict[str, Any], person: dict[str, Any] | None, managers: dict[str, Any]
) -> dict[str, Any]:
    """The step an overdue task has reached and who is told at it (pure given its inputs)."""
    level = max(n for n, (after, _) in enumerate(ESCALATION) if late >= after)
    step = ESCALATION[level][1]
    if step == "system_owner":
        to = [system.get("owner") or "(no owner registered)"]
    elif step == "manager":
        manager = managers.get((person or {}).get("manager_id") or "")
        to = [
            f"{manager['first_name']} {manager['last_name']} <{manager['work_email']}>"
            if manager
            else "(no manager in HR)",
            "principal",
        ]
    else:
        to = [str(ws.config.section("access").get("cco") or "principal (no [access] cco configured)")]
    return {"level": level + 1, "step": step, "to": to, "chain": [name for _, name in ESCALATION]}


def overdue_findings(ws: Any, conn: sa.Connection, as_of: datetime) -> tuple[int, list[AlertDraft]]:
    """Open tasks past their SLA, escalated along the chain (system owner, the leaver's manager and a
    principal, the CCO): one alert per step reached, so each escalation is its own dated record;
    critical on NPI systems and at the CCO, high elsewhere."""
    sys_rows = {r.name: dict(r._mapping) for r in conn.execute(sa.select(systems))}
    rows = [dict(r._mapping) for r in conn.execute(sa.select(tasks).where(tasks.c.opened_at <= as_of))]
    folks = {
        r.employee_id: dict(r._mapping)
        for r in conn.execute(
            sa.select(
                people.c.employee_id,
                people.c.first_name,
                people.c.last_name,
                people.c.work_email,
                people.c.manager_id,
            )
        )
    }
    findings = []
    for t in rows:
        if (t["status"] == "closed" and t["closed_at"] <= as_of) or t["due_at"] >= as_of:
            continue
        npi = bool(sys_rows.get(t["system"], {}).get("npi"))
        late = as_of - t["due_at"]
        step = escalation(ws, late, sys_rows.get(t["system"], {}), folks.get(t["employee_id"] or ""), folks)
        findings.append(
            AlertDraft(
                control="access.tasks",
                rule_id="access.task_overdue",
                rule_version="2",
                title=f"Deprovisioning of {t['login_id']} on {t['system']} overdue by {_human(late)}"
                + f" (escalated to {step['step'].replace('_', ' ')})",
                severity=Severity.CRITICAL if npi or step["step"] == "cco" else Severity.HIGH,
                subjects=(
                    Subject("access.account", f"{t['system']}:{t['login_id']}"),
                    *((Subject("access.person", t["employee_id"]),) if t["employee_id"] else ()),
                ),
                evidence={
                    "task": t["id"],
                    "kind": t["kind"],
                    "system": t["system"],
                    "login_id": t["login_id"],
                    "employee_id": t["employee_id"],
                    "reason": t["reason"],
                    "effective": t["effective"].isoformat(),
                    "due_at": t["due_at"].isoformat(),
                    "overdue_hours": round(late.total_seconds() / 3600, 1),
                    "npi": npi,
                    "outbox_file": t["outbox_file"],
                    "message_sha256": t["message_sha256"],
                    "escalation": step,
                },
                evidence_type="access.task",
                dedupe_key=digest(
                    f"access.tasks:{t['id']}" + (f":{step['step']}" if step["level"] > 1 else "")
                ),
            )
        )
    return len(rows), findings


def _human(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"
