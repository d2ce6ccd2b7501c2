"""Access certification: a reviewer confirms, account by account, who still needs an NPI system.

A campaign is taken over the system's latest roster; if that roster is older than the system's
cadence the campaign is "not evaluable" and says so (certifying a stale list proves nothing). Each
line is kept or revoked with a rationale; a revocation opens a deprovisioning task that closes only
when a roster shows the account gone. Reminders and overdue campaigns are raised by the
`access.certification` control.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import sqlalchemy as sa

from proctor.access import tasks as task_mod
from proctor.access.accounts import latest_snapshot
from proctor.access.permissions import ACCESS_MANAGE, ACCESS_REVIEW
from proctor.access.systems import get_system
from proctor.access.tables import accounts, campaign_lines, campaigns, systems
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs
from proctor.core.errors import InputError, InvalidTransition, NotFound, PermissionDenied
from proctor.core.roles import require

REMIND_BEFORE = timedelta(days=3)
PERIOD = timedelta(days=90)  # an NPI system is certified at least quarterly


def start(
    ws: Any, system: str, *, reviewer: str, due: datetime, actor: str, note: str = ""
) -> dict[str, Any]:
    require(ws.users.get(actor), ACCESS_MANAGE)
    require(ws.users.get(reviewer), ACCESS_REVIEW)
    now = ws.clock.now()
    if due <= now:
        raise InputError("the due date must be in the future", field="--due")
    with ws.transaction(actor) as tx:
        sysrow = get_system(ws, system, tx.conn)
        if not sysrow["npi"]:
            raise InputError(f"{system} holds no NPI; campaigns cover NPI systems", field="SYSTEM")
        snap = latest_snapshot(tx.conn, system)
        fresh = snap is not None and now - snap["as_of"] <= timedelta(
            seconds=int(sysrow["roster_cadence_seconds"])
        )
        campaign = tx.insert(
            campaigns,
            {
                "id": ws.ids("cmp"),
                "system": system,
                "reviewer": reviewer,
                "due_at": due,
                "status": "open" if fresh else "not_evaluable",
                "roster_snapshot": snap["id"] if snap else None,
                "note": note
                if fresh
                else (
                    note
                    or (
                        "no roster"
                        if snap is None
                        else f"latest roster {snap['as_of'].isoformat()} is past its cadence"
                    )
                ),
                "reminded_at": None,
                "created_by": actor,
                "created_at": now,
                "completed_at": None,
            },
            "access.campaign.started",
        )
        if fresh:
            rows = tx.conn.execute(
                sa.select(accounts).where(
                    accounts.c.system == system, accounts.c.status.in_(("active", "unknown"))
                )
            ).all()
            tx.insert_many(
                campaign_lines,
                [
                    {
                        "id": ws.ids("cml"),
                        "campaign_id": campaign["id"],
                        "login_id": r.login_id,
                        "employee_id": r.employee_id,
                        "display_name": r.display_name,
                        "decision": None,
                        "rationale": "",
                        "decided_by": None,
                        "decided_at": None,
                        "task_id": None,
                    }
                    for r in rows
                ],
                "access.campaign.line",
            )
    return dict(campaign)


def decide(
    ws: Any, campaign_id: str, login_id: str, decision: str, *, rationale: str, actor: str
) -> dict[str, Any]:
    if decision not in ("keep", "revoke"):
        raise InputError("decide keep or revoke", field="DECISION")
    if not rationale.strip():
        raise InputError("a rationale is required", field="--rationale")
    user = ws.users.get(actor)
    require(user, ACCESS_REVIEW)
    with ws.transaction(actor) as tx:
        camp = tx.get(campaigns, campaign_id)
        if camp is None:
            raise NotFound(f"no campaign {campaign_id}")
        if camp["status"] != "open":
            raise InvalidTransition(f"campaign {campaign_id} is {camp['status']}")
        if actor != camp["reviewer"]:
            raise PermissionDenied(f"campaign {campaign_id} is assigned to {camp['reviewer']}")
        line = tx.conn.execute(
            sa.select(campaign_lines).where(
                campaign_lines.c.campaign_id == campaign_id, campaign_lines.c.login_id == login_id
            )
        ).one_or_none()
        if line is None:
            raise NotFound(f"{login_id} is not in campaign {campaign_id}")
        acct = tx.get(accounts, f"{camp['system']}:{login_id}")
        if acct and acct["email"] and acct["email"] in user.all_identities():
            raise PermissionDenied("nobody certifies their own access")
        task_id = None
        if decision == "revoke" and acct is not None:
            sysrow = tx.get(systems, camp["system"])
            task = task_mod.open_task(
                ws,
                tx,
                sysrow,
                acct,
                reason="certification_revoke",
                trigger=f"campaign:{campaign_id}",
                effective=ws.clock.now(),
                employee_id=acct["employee_id"],
            )
            task_id = task["id"]
        row = tx.update(
            campaign_lines,
            line.id,
            {
                "decision": decision,
                "rationale": rationale,
                "decided_by": actor,
                "decided_at": ws.clock.now(),
                "task_id": task_id,
            },
            f"access.campaign.{decision}",
        )
        left = tx.conn.execute(
            sa.select(sa.func.count())
            .select_from(campaign_lines)
            .where(campaign_lines.c.campaign_id == campaign_id, campaign_lines.c.decision.is_(None))
        ).scalar()
        if not left:
            tx.update(
                campaigns,
                campaign_id,
                {"status": "completed", "completed_at": ws.clock.now()},
                "access.campaign.completed",
            )
    return dict(row)


def show(ws: Any, campaign_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        camp = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one_or_none()
        if camp is None:
            raise NotFound(f"no campaign {campaign_id}")
        lines = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(campaign_lines)
                .where(campaign_lines.c.campaign_id == campaign_id)
                .order_by(campaign_lines.c.login_id)
            )
        ]
    return {**dict(camp._mapping), "lines": lines}


def list_campaigns(ws: Any) -> list[dict[str, Any]]:
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(campaigns).order_by(campaigns.c.created_at))]


def certification_control(ctx: ControlContext) -> ControlOutcome:
    """Reminders before the due date, overdue campaigns, not-evaluable ones, NPI systems left uncertified."""
    ws, as_of = ctx.workspace, ctx.as_of
    with ws.read() as conn:
        camps = [
            dict(r._mapping)
            for r in conn.execute(sa.select(campaigns).where(campaigns.c.created_at <= as_of))
        ]
        npi = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(systems).where(systems.c.npi.is_(True), systems.c.created_at <= as_of)
            )
        ]
    findings = []
    to_remind: list[dict[str, Any]] = []
    for c in camps:
        if c["status"] == "completed" and c["completed_at"] <= as_of:
            continue
        subject = (Subject("access.campaign", c["id"]), Subject("access.system", c["system"]))
        ev = {
            "campaign": c["id"],
            "system": c["system"],
            "reviewer": c["reviewer"],
            "due_at": c["due_at"].isoformat(),
            "status": c["status"],
            "note": c["note"],
        }
        if c["status"] == "not_evaluable":
            findings.append(
                _alert(
                    "not_evaluable",
                    f"Certification of {c['system']} not evaluable: {c['note']}",
                    Severity.HIGH,
                    subject,
                    ev,
                    c["id"],
                )
            )
        elif c["due_at"] < as_of:
            findings.append(
                _alert(
                    "overdue",
                    f"Certification of {c['system']} overdue (reviewer {c['reviewer']})",
                    Severity.HIGH,
                    subject,
                    ev,
                    c["id"],
                )
            )
        elif c["due_at"] - as_of <= REMIND_BEFORE:
            if c["reminded_at"] is None:
                to_remind.append(c)
            findings.append(
                _alert(
                    "reminder",
                    f"Certification of {c['system']} due {c['due_at']:%Y-%m-%d}",
                    Severity.LOW,
                    subject,
                    ev,
                    c["id"],
                )
            )
    for s in npi:
        recent = [c for c in camps if c["system"] == s["name"] and c["created_at"] > as_of - PERIOD]
        if not recent and as_of - s["created_at"] > PERIOD:
            findings.append(
                _alert(
                    "missing",
                    f"No access certification of {s['name']} in {PERIOD.days} days",
                    Severity.MEDIUM,
                    (Subject("access.system", s["name"]),),
                    {"system": s["name"], "period_days": PERIOD.days},
                    f"{s['name']}:{as_of:%Y-%m}",
                )
            )
    with ws.read() as conn:
        undecided = {
            c["id"]: int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(campaign_lines)
                    .where(campaign_lines.c.campaign_id == c["id"], campaign_lines.c.decision.is_(None))
                ).scalar()
                or 0
            )
            for c in to_remind
        }

    def send_reminders(tx: Any, alert_ids: Any) -> None:
        for c in to_remind:
            send_reminder(ws, tx, c, as_of, undecided[c["id"]])

    return ControlOutcome(
        len(camps) + len(npi),
        hash_inputs(sorted(c["id"] + c["status"] for c in camps)),
        findings,
        {
            "campaigns": len(camps),
            "npi_systems": len(npi),
            "findings": len(findings),
            "reminders_sent": len(to_remind),
        },
        send_reminders if to_remind else None,
    )


def _address(ws: Any, name: str) -> str:
    """The reviewer's e-mail: their first registered identity, else name@the firm's domain."""
    try:
        ids = sorted(ws.users.get(name).identities)
    except Exception:
        ids = []
    return ids[0] if ids else f"{name}@{task_mod.domain_of(ws)}"


def send_reminder(ws: Any, tx: Any, camp: dict[str, Any], at: datetime, open_lines: int) -> str:
    """Write the reminder to the reviewer as an e-mail in the outbox (like a vendor notice), store
    and journal its bytes, and mark the campaign reminded so it is sent once."""
    msg = EmailMessage()
    domain = task_mod.domain_of(ws)
    msg["From"] = str(ws.config.section("access").get("notice_from") or f"compliance@{domain}")
    msg["To"] = _address(ws, camp["reviewer"])
    msg["Subject"] = (
        f"{ws.config.firm_name}: access certification of {camp['system']} due "
        f"{camp['due_at']:%Y-%m-%d} ({camp['id']})"
    )
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{camp['id']}-reminder@{domain}>"
    msg.set_content(
        f"The access certification {camp['id']} of {camp['system']} is due "
        f"{camp['due_at'].isoformat()}.\n{open_lines} account(s) still need a keep or revoke decision:\n\n"
        f"  proctor access certify show {camp['id']}\n"
        f"  proctor access certify decide {camp['id']} LOGIN_ID keep|revoke --rationale TEXT\n"
    )
    data = bytes(msg)
    sha = tx.put_blob(data)
    folder = task_mod.outbox_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{camp['id']}-reminder.eml"
    path.write_bytes(data)
    relative = str(path.relative_to(ws.path))
    tx.update(campaigns, camp["id"], {"reminded_at": at}, "access.campaign.reminded")
    tx.event(
        "access.campaign.reminder_sent",
        Subject("access.campaign", camp["id"]),
        {"to": msg["To"], "outbox_file": relative, "message_sha256": sha, "open_lines": open_lines},
    )
    return relative


def _alert(
    kind: str, title: str, severity: Severity, subjects: tuple[Subject, ...], ev: dict[str, Any], key: str
) -> AlertDraft:
    return AlertDraft(
        control="access.certification",
        rule_id=f"access.certification.{kind}",
        rule_version="1",
        title=title,
        severity=severity,
        subjects=subjects,
        evidence={"finding": kind, **ev},
        evidence_type="access.certification",
        dedupe_key=digest(f"access.certification:{kind}:{key}"),
    )
