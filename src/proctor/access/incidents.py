"""Reg S-P incidents: from alerts to awareness, determination, notices, clocks and closing.

The amended rule (Release 34-100155, 17 CFR 248.30(a)(3)-(5)) turns an access finding into dated
obligations: notice to affected customers no later than 30 days after becoming aware, unless a
reasonable investigation shows the sensitive information has not been and is not reasonably likely
to be used in a manner resulting in substantial harm or inconvenience (the presumption of notice,
rebutted only on that documented investigation — approved here by a second person); a delay only at
the Attorney General's written request (recorded as a dated fact); and service providers' notice to
the firm within 72 hours of their becoming aware. Each of those is a step row here (insert-only,
journaled), the incident row carries the clocks, and `clock_findings` is what the
`access.incident_clocks` control alerts on before a clock runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.access.activity_formats import EXFIL_ACTIONS
from proctor.access.activity_store import load_events
from proctor.access.activity_tables import incident_steps, incidents
from proctor.access.notices import CONTENT_ITEMS, FirmContact, check_items, customer_notice, vendor_notice
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.clock import ensure_utc, iso_utc
from proctor.core.errors import InputError, InvalidTransition, NotFound
from proctor.core.roles import ALERT_APPROVE, CASE_WORK, NPI_VIEW, require
from proctor.platform.approvals import ApprovalRule, approve, reject
from proctor.store.schema import alerts

CUSTOMER_NOTICE = timedelta(days=30)  # 248.30(a)(4)(iii)
PROVIDER_NOTICE = timedelta(hours=72)  # 248.30(a)(5)(i)
AG_DELAY_STEP = timedelta(days=30)  # 248.30(a)(4)(iii): up to 30 days per written request
AG_DELAY_MAX = timedelta(days=120)  # 30 + 30 + 60 in extraordinary circumstances
WARN_BEFORE = (timedelta(days=7), timedelta(hours=48))
PROVIDER_WARN = timedelta(hours=24)
REBUTTAL_RULE = ApprovalRule(approvers=1, permission=ALERT_APPROVE, open_status="rebuttal_proposed")
OPEN_NOTICE = ("required", "rebuttal_proposed")


def _now(ws: Any) -> datetime:
    return ensure_utc(ws.clock.now())


def get(ws: Any, incident_id: str) -> dict[str, Any]:
    with ws.read() as conn:
        row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).one_or_none()
    if row is None:
        raise NotFound(f"no incident {incident_id!r}; see `proctor access incident list`")
    return dict(row._mapping)


def list_incidents(ws: Any, status: str | None = None) -> list[dict[str, Any]]:
    q = sa.select(incidents).order_by(incidents.c.opened_at.desc())
    if status:
        q = q.where(incidents.c.status == status)
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def steps(ws: Any, incident_id: str) -> list[dict[str, Any]]:
    with ws.read() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(incident_steps)
                .where(incident_steps.c.incident_id == incident_id)
                .order_by(incident_steps.c.recorded_at, incident_steps.c.id)
            )
        ]


def deadline(incident: dict[str, Any]) -> datetime:
    """The customer-notice deadline in force: 30 days from awareness, or the end of an AG delay."""
    base = ensure_utc(incident["customer_deadline"])
    delay = incident.get("ag_delay_until")
    return max(base, ensure_utc(delay)) if delay is not None else base


def _step(
    ws: Any,
    tx: Any,
    incident_id: str,
    kind: str,
    actor: str,
    data: dict[str, Any],
    at: datetime | None = None,
    blob: str | None = None,
) -> dict[str, Any]:
    now = _now(ws)
    return tx.insert(  # type: ignore[no-any-return]
        incident_steps,
        {
            "id": ws.ids("IST"),
            "incident_id": incident_id,
            "kind": kind,
            "at": at or now,
            "recorded_at": now,
            "actor": actor,
            "data": data,
            "blob_sha256": blob,
        },
        f"access.incident.{kind}",
    )


def _load_alerts(ws: Any, alert_ids: Sequence[str]) -> list[dict[str, Any]]:
    with ws.read() as conn:
        rows = [
            dict(r._mapping) for r in conn.execute(sa.select(alerts).where(alerts.c.id.in_(list(alert_ids))))
        ]
    found = {r["id"] for r in rows}
    missing = [a for a in alert_ids if a not in found]
    if missing:
        raise NotFound(f"no alert {missing[0]!r}")
    foreign = [r["id"] for r in rows if r["module"] != "access"]
    if foreign:
        raise InputError(f"alert {foreign[0]} is not an access alert", field="--alert")
    return rows


def _accounts_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The involved accounts, each with the person and the days the alerts concern."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for alert in rows:
        ev = alert["evidence"]
        person = ev.get("employee_id")
        logins = {e["login_id"] for e in ev.get("timeline") or []} | set(ev.get("logins") or [])
        if ev.get("login_id"):
            logins.add(ev["login_id"])
        for login in sorted(logins):
            key = (str(ev.get("system")), str(login))
            acc = out.setdefault(
                key, {"system": key[0], "login_id": key[1], "employee_id": person, "days": [], "alerts": []}
            )
            if ev.get("day") and ev["day"] not in acc["days"]:
                acc["days"].append(ev["day"])
            acc["alerts"].append(alert["id"])
    return [dict(v, days=sorted(v["days"])) for _, v in sorted(out.items())]


def _provider_of(ws: Any, accounts: list[dict[str, Any]]) -> str:
    from proctor.access.systems import get_system

    for acc in accounts:
        try:
            system = get_system(ws, acc["system"])
        except NotFound:
            continue
        if system["kind"] == "vendor" and system["vendor_contact"]:
            return str(system["vendor_contact"])
    return ""


def open_incident(
    ws: Any,
    alert_ids: Sequence[str],
    *,
    actor: str,
    title: str = "",
    aware_at: datetime | None = None,
    provider: str | None = None,
    provider_aware_at: datetime | None = None,
) -> dict[str, Any]:
    """Open an incident from one or more access alerts; awareness starts the 30-day clock."""
    require(ws.users.get(actor), CASE_WORK)
    if not alert_ids:
        raise InputError("an incident is opened from at least one alert", field="--alert")
    rows = _load_alerts(ws, alert_ids)
    accounts = _accounts_of(rows)
    aware = ensure_utc(aware_at) if aware_at is not None else _now(ws)
    if aware > _now(ws):
        raise InputError("the aware time cannot be in the future", field="--aware-at")
    chosen_provider = provider if provider is not None else _provider_of(ws, accounts)
    provider_aware = (
        ensure_utc(provider_aware_at) if provider_aware_at else (aware if chosen_provider else None)
    )
    incident_id = ws.ids("INC")
    now = _now(ws)
    values = {
        "id": incident_id,
        "title": (title or f"Unauthorized access to customer information ({len(accounts)} account(s))")[:400],
        "status": "open",
        "opened_by": actor,
        "opened_at": now,
        "aware_at": aware,
        "alert_ids": list(alert_ids),
        "accounts": accounts,
        "sensitive": "undetermined",
        "notice_status": "required",
        "customer_deadline": aware + CUSTOMER_NOTICE,
        "ag_delay_until": None,
        "customers_notified_at": None,
        "provider": chosen_provider,
        "provider_aware_at": provider_aware,
        "provider_deadline": provider_aware + PROVIDER_NOTICE if provider_aware else None,
        "provider_notified_at": None,
        "closed_at": None,
        "updated_at": now,
    }
    with ws.transaction(actor) as tx:
        row = tx.insert(incidents, values, "access.incident.opened")
        _step(
            ws,
            tx,
            incident_id,
            "opened",
            actor,
            {"alerts": list(alert_ids), "aware_at": iso_utc(aware)},
            aware,
        )
        for alert in rows:
            tx.event("access.incident.alert_linked", Subject("alert", alert["id"]), {"incident": incident_id})
    return dict(row)


def _update(
    ws: Any,
    incident_id: str,
    actor: str,
    kind: str,
    values: dict[str, Any],
    data: dict[str, Any],
    *,
    at: datetime | None = None,
    blob: str | None = None,
    open_only: bool = True,
) -> dict[str, Any]:
    with ws.transaction(actor) as tx:
        current = tx.get(incidents, incident_id)
        if current is None:
            raise NotFound(f"no incident {incident_id!r}")
        if open_only and current["status"] != "open":
            raise InvalidTransition(f"incident {incident_id} is {current['status']}")
        row = tx.update(incidents, incident_id, {**values, "updated_at": _now(ws)}, f"access.incident.{kind}")
        _step(ws, tx, incident_id, kind, actor, data, at, blob)
    return dict(row)


def _work(ws: Any, actor: str) -> None:
    require(ws.users.get(actor), CASE_WORK)


def _text(value: str, option: str, minimum: int = 10) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise InputError(f"needs at least {minimum} characters saying why", field=option)
    return text


def set_aware(ws: Any, incident_id: str, at: datetime, *, actor: str, rationale: str) -> dict[str, Any]:
    """Correct when the firm became aware (e.g. an earlier report surfaces); the clock follows."""
    _work(ws, actor)
    at = ensure_utc(at)
    return _update(
        ws,
        incident_id,
        actor,
        "aware_set",
        {"aware_at": at, "customer_deadline": at + CUSTOMER_NOTICE},
        {"aware_at": iso_utc(at), "rationale": _text(rationale, "--rationale")},
        at=at,
    )


def determine_sensitive(
    ws: Any, incident_id: str, sensitive: bool, *, actor: str, rationale: str
) -> dict[str, Any]:
    """Whether sensitive customer information (248.30(d)) was, or is reasonably likely to have been,
    accessed."""
    _work(ws, actor)
    return _update(
        ws,
        incident_id,
        actor,
        "sensitive_determined",
        {"sensitive": "yes" if sensitive else "no"},
        {"sensitive": sensitive, "rationale": _text(rationale, "--rationale")},
    )


def propose_rebuttal(ws: Any, incident_id: str, investigation: str, *, actor: str) -> dict[str, Any]:
    """The documented reasonable investigation that would rebut the presumption of notice."""
    _work(ws, actor)
    text = _text(investigation, "--investigation", 40)
    inc = get(ws, incident_id)
    if inc["notice_status"] != "required":
        raise InvalidTransition(f"notice is {inc['notice_status']}: nothing to rebut")
    with ws.transaction(actor) as tx:
        sha = tx.put_blob(text.encode("utf-8"))
    return _update(
        ws,
        incident_id,
        actor,
        "rebuttal_proposed",
        {"notice_status": "rebuttal_proposed"},
        {"investigation_sha256": sha, "summary": text[:300], "proposed_by": actor},
        blob=sha,
    )


def _proposal(ws: Any, incident_id: str) -> dict[str, Any]:
    found = [s for s in steps(ws, incident_id) if s["kind"] == "rebuttal_proposed"]
    if not found:
        raise InvalidTransition("no rebuttal has been proposed")
    return found[-1]


def approve_rebuttal(ws: Any, incident_id: str, *, actor: str, comment: str = "") -> dict[str, Any]:
    """A second person (never the proposer) approves: notice is then not required."""
    inc = get(ws, incident_id)
    proposal = _proposal(ws, incident_id)
    decision = approve(
        ws,
        actor,
        what=f"the rebuttal of notice for {incident_id}",
        proposer=proposal["actor"],
        status=inc["notice_status"],
        rule=REBUTTAL_RULE,
    )
    values = {"notice_status": "rebutted"} if decision.complete else {}
    return _update(
        ws,
        incident_id,
        actor,
        "rebuttal_approved",
        values,
        {
            "proposal": proposal["id"],
            "approvals": decision.records(),
            "comment": comment,
            "complete": decision.complete,
        },
    )


def reject_rebuttal(ws: Any, incident_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    inc = get(ws, incident_id)
    proposal = _proposal(ws, incident_id)
    reject(
        ws,
        actor,
        what=f"the rebuttal of notice for {incident_id}",
        proposer=proposal["actor"],
        status=inc["notice_status"],
        rule=REBUTTAL_RULE,
    )
    return _update(
        ws,
        incident_id,
        actor,
        "rebuttal_rejected",
        {"notice_status": "required"},
        {"proposal": proposal["id"], "reason": _text(reason, "--reason")},
    )


def record_ag_delay(
    ws: Any, incident_id: str, *, actor: str, requested_at: datetime, days: int, reference: str
) -> dict[str, Any]:
    """The Attorney General's written request to delay notice (national security / public safety)."""
    _work(ws, actor)
    if not 1 <= days <= AG_DELAY_STEP.days:
        raise InputError("an Attorney General request delays notice by 1 to 30 days", field="--days")
    inc = get(ws, incident_id)
    until = deadline(inc) + timedelta(days=days)
    if until - ensure_utc(inc["customer_deadline"]) > AG_DELAY_MAX:
        raise InputError("delays beyond 120 days after the notice deadline are not allowed", field="--days")
    return _update(
        ws,
        incident_id,
        actor,
        "ag_delay",
        {"ag_delay_until": until},
        {
            "requested_at": iso_utc(ensure_utc(requested_at)),
            "days": days,
            "reference": _text(reference, "--reference", 5),
            "until": iso_utc(until),
        },
        at=ensure_utc(requested_at),
    )


def affected_customers(ws: Any, incident: dict[str, Any]) -> list[dict[str, Any]]:
    """Customers whose records the involved accounts touched on the incident's days (from the events)."""
    accounts = incident["accounts"]
    if not accounts:
        return []
    events, _ = load_events(ws, systems=sorted({a["system"] for a in accounts}))
    wanted = pl.DataFrame(
        [(a["system"], a["login_id"].lower(), d) for a in accounts for d in a["days"]],
        schema={"system": pl.Utf8, "_login": pl.Utf8, "_day": pl.Utf8},
        orient="row",
    )
    touched = (
        events.with_columns(
            pl.col("login_id").str.to_lowercase().alias("_login"),
            pl.col("ts").dt.date().cast(pl.Utf8).alias("_day"),
        )
        .join(wanted, on=["system", "_login", "_day"], how="inner")
        .filter(pl.col("record_id").is_not_null() & (pl.col("outcome") == "success"))
        .drop("_login", "_day")
    )
    if touched.height:  # on a leaver's day, only what they did once no longer entitled to
        from proctor.access import correlation, people
        from proctor.access.detections import attribute

        touched = attribute(touched, correlation.link_frame(ws), people.employment_frame(ws)).filter(
            ~((pl.col("state") == "employed") & pl.col("term_end").is_not_null())
        )
    out = []
    for (record,), part in sorted(
        touched.partition_by("record_id", as_dict=True).items(), key=lambda kv: str(kv[0])
    ):
        acts = part["action"].to_list()
        out.append(
            {
                "customer": str(record),
                "record_type": part["record_type"].drop_nulls().first()
                if part["record_type"].drop_nulls().len()
                else None,
                "systems": sorted(set(part["system"].to_list())),
                "logins": sorted(set(part["login_id"].to_list())),
                "seen": sum(a in ("view", "search") for a in acts),
                "downloaded": acts.count("download"),
                "exported": acts.count("export"),
                "printed": acts.count("print"),
                "taken": any(a in EXFIL_ACTIONS for a in acts),
                "first_access": iso_utc(part["ts"].min()),  # type: ignore[arg-type]
                "last_access": iso_utc(part["ts"].max()),  # type: ignore[arg-type]
            }
        )
    return out


def show(ws: Any, incident_id: str, *, actor: str) -> dict[str, Any]:
    """The incident with clocks, steps and affected customers; reading customers is a journaled NPI view."""
    user = ws.users.get(actor)
    require(user, NPI_VIEW)
    inc = get(ws, incident_id)
    customers = affected_customers(ws, inc)
    with ws.transaction(actor) as tx:
        tx.event(  # the platform's one event for a view of customer NPI
            "npi.viewed",
            Subject("access.incident", incident_id),
            {"incident": incident_id, "viewer": actor, "customers": len(customers)},
        )
    return {**inc, "deadline": deadline(inc), "steps": steps(ws, incident_id), "customers": customers}


def draft_notices(
    ws: Any, incident_id: str, contact: FirmContact, protection: str, *, actor: str
) -> dict[str, Any]:
    """One draft per affected customer with every required item; stored and journaled by hash."""
    _work(ws, actor)
    require(ws.users.get(actor), NPI_VIEW)
    missing = contact.missing()
    if missing:
        raise InputError(f"the notice needs the firm's {missing[0]}", field=f"--{missing[0]}")
    inc = get(ws, incident_id)
    customers = affected_customers(ws, inc)
    if not customers:
        raise InvalidTransition("no affected customer was found in the events: nothing to notify")
    drafts = []
    with ws.transaction(actor) as tx:
        for customer in customers:
            text, items = customer_notice(customer, inc, contact, _text(protection, "--protection"))
            empty = check_items(items)
            if empty:
                raise InputError(f"notice item {empty[0]} is empty", field=empty[0])
            drafts.append({"customer": customer["customer"], "sha256": tx.put_blob(text.encode("utf-8"))})
    return _update(
        ws,
        incident_id,
        actor,
        "notice_drafted",
        {},
        {"drafts": drafts, "contact": vars(contact), "items": [k for k, _ in CONTENT_ITEMS]},
    )


def record_notices_sent(
    ws: Any, incident_id: str, *, actor: str, sent_at: datetime, method: str
) -> dict[str, Any]:
    _work(ws, actor)
    inc = get(ws, incident_id)
    drafted = [s for s in steps(ws, incident_id) if s["kind"] == "notice_drafted"]
    if not drafted:
        raise InvalidTransition("draft the notices first (`incident update --draft-notices`)")
    if inc["notice_status"] == "rebutted":
        raise InvalidTransition("notice was rebutted by an approved investigation")
    sent = ensure_utc(sent_at)
    return _update(
        ws,
        incident_id,
        actor,
        "notice_sent",
        {"notice_status": "sent", "customers_notified_at": sent},
        {
            "sent_at": iso_utc(sent),
            "method": method,
            "drafts": drafted[-1]["data"]["drafts"],
            "on_time": sent <= deadline(inc),
        },
        at=sent,
    )


def notify_provider(ws: Any, incident_id: str, *, actor: str, at: datetime | None = None) -> dict[str, Any]:
    """The firm's written notice to the service provider (journaled by hash, written to the outbox)."""
    _work(ws, actor)
    inc = get(ws, incident_id)
    if not inc["provider"]:
        raise InputError("the incident names no service provider", field="--provider")
    text = vendor_notice(inc, inc["provider"], inc["accounts"], ws.config.firm_name, actor)
    outbox = ws.path / "outbox"
    outbox.mkdir(exist_ok=True)
    with ws.transaction(actor) as tx:
        sha = tx.put_blob(text.encode("utf-8"))
    (outbox / f"{incident_id}-provider-{sha[:12]}.eml").write_text(text, encoding="utf-8")
    moment = ensure_utc(at) if at else _now(ws)
    return _update(
        ws,
        incident_id,
        actor,
        "provider_informed",
        {},
        {"to": inc["provider"], "sha256": sha, "at": iso_utc(moment)},
        at=moment,
        blob=sha,
    )


def record_provider_notice(
    ws: Any, incident_id: str, *, actor: str, received_at: datetime, aware_at: datetime | None, summary: str
) -> dict[str, Any]:
    """The service provider's own notice of the breach, against its 72-hour clock."""
    _work(ws, actor)
    inc = get(ws, incident_id)
    received = ensure_utc(received_at)
    values: dict[str, Any] = {"provider_notified_at": received}
    if aware_at is not None:
        values["provider_aware_at"] = ensure_utc(aware_at)
        values["provider_deadline"] = ensure_utc(aware_at) + PROVIDER_NOTICE
    limit = values.get("provider_deadline", inc["provider_deadline"])
    return _update(
        ws,
        incident_id,
        actor,
        "provider_notice_received",
        values,
        {
            "received_at": iso_utc(received),
            "summary": _text(summary, "--summary"),
            "on_time": limit is None or received <= ensure_utc(limit),
        },
        at=received,
    )


def note(ws: Any, incident_id: str, text: str, *, actor: str) -> dict[str, Any]:
    _work(ws, actor)
    return _update(ws, incident_id, actor, "note", {}, {"text": _text(text, "--note", 3)})


def close(ws: Any, incident_id: str, *, actor: str, rationale: str) -> dict[str, Any]:
    """Close only when the notice duty is discharged and the provider clock resolved."""
    _work(ws, actor)
    inc = get(ws, incident_id)
    if inc["sensitive"] == "undetermined":
        raise InvalidTransition("determine whether sensitive customer information was involved first")
    if inc["sensitive"] == "yes" and inc["notice_status"] not in ("sent", "rebutted"):
        raise InvalidTransition(f"customer notice is {inc['notice_status']}: send it or rebut it first")
    if inc["provider"] and inc["provider_notified_at"] is None:
        raise InvalidTransition("the service provider's notice has not been recorded")
    now = _now(ws)
    return _update(
        ws,
        incident_id,
        actor,
        "closed",
        {"status": "closed", "closed_at": now},
        {"rationale": _text(rationale, "--rationale")},
    )


def _clock_alert(inc: dict[str, Any], clock: str, stage: str, due: datetime, left: timedelta) -> AlertDraft:
    hours = round(left.total_seconds() / 3600, 1)
    what = "customer notice (30 days)" if clock == "customer" else "service-provider notice (72 hours)"
    overdue = left.total_seconds() <= 0
    return AlertDraft(
        control="access.incident_clocks",
        rule_id=f"access.incident_clocks.{clock}",
        rule_version="1",
        title=(
            f"Incident {inc['id']}: {what} "
            + ("is overdue" if overdue else f"due in {hours} h")
            + f" ({due:%Y-%m-%d %H:%M} UTC)"
        ),
        severity=Severity.CRITICAL if overdue or stage == "48h" else Severity.HIGH,
        subjects=(Subject("access.incident", inc["id"]),),
        evidence={
            "incident": inc["id"],
            "clock": clock,
            "stage": stage,
            "deadline": iso_utc(due),
            "hours_left": hours,
            "aware_at": iso_utc(inc["aware_at"]),
        },
        evidence_type="access_incident",
        due_in=max(left, timedelta(hours=4)),
        dedupe_key=digest({"incident": inc["id"], "clock": clock, "stage": stage}),
    )


def clock_findings(ws: Any, as_of: datetime) -> tuple[int, list[AlertDraft]]:
    """Warnings 7 days and 48 hours before the customer deadline, 24 hours before the provider's,
    and a critical alert once either has passed."""
    found = []
    opened = [i for i in list_incidents(ws, "open") if ensure_utc(i["opened_at"]) <= as_of]
    for inc in opened:
        if inc["sensitive"] != "no" and inc["notice_status"] in OPEN_NOTICE:
            due = deadline(inc)
            left = due - as_of
            stage = (
                "overdue"
                if left <= timedelta(0)
                else "48h"
                if left <= WARN_BEFORE[1]
                else ("7d" if left <= WARN_BEFORE[0] else "")
            )
            if stage:
                found.append(_clock_alert(inc, "customer", stage, due, left))
        if inc["provider_deadline"] is not None and inc["provider_notified_at"] is None:
            due = ensure_utc(inc["provider_deadline"])
            left = due - as_of
            stage = "overdue" if left <= timedelta(0) else "24h" if left <= PROVIDER_WARN else ""
            if stage:
                found.append(_clock_alert(inc, "provider", stage, due, left))
    return len(opened), found
