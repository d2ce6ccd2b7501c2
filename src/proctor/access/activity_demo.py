"""The case itself, on top of the access demo firm: five former representatives on the insurer's system.

Harbor Street's acquired representatives keep accounts on the insurer's policy system. Nobody
told the insurer when Sam Whitaker and four others left, so their accounts stayed active. The
insurer sends its monthly activity export; the day it arrives, Proctor attributes every event to
a person through the account links and HR history: all five used the system after termination,
and Frank Ruiz downloaded and printed customer record C-448812. Active representatives' daily work
raises nothing. An incident is opened with the 30-day customer clock and the insurer's 72-hour
clock, the insurer is notified, notices are drafted and the examiner pack is exported.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access.hr import STANDARD_COLUMNS

SYSTEM = "insurer_policy"
PRINTED_RECORD = "C-448812"
# employee id, first, last, vendor login, days before now the termination took effect
NEW_LEAVERS = (
    ("E2101", "Frank", "Ruiz", "MSI07311", 25),
    ("E2102", "Grace", "Lindqvist", "MSI07420", 20),
    ("E2103", "Henry", "Okafor", "MSI07555", 15),
    ("E2104", "Irene", "Castillo", "MSI07689", 6),
)
SAM = ("E2005", "MSI06644")
ACTIVE = {"MSI05120": "E2002", "MSI04417": "E2001", "MSI06031": "E2004"}
UNLINKED = ("MSI05588", "MSI09921")  # awaiting review; an orphan
DANA = "MSI07002"
HR_COLUMNS = STANDARD_COLUMNS  # the canonical HR export the demo writes
ROSTER_COLUMNS = ("login_id", "display_name", "email", "status", "created", "last_login")


def _csv(rows: list[dict[str, Any]], header: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, list(header), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _latest_hr(ws: Any) -> list[dict[str, Any]]:
    from proctor.access import people
    from proctor.access.tables import hr_snapshots

    with ws.read() as conn:
        row = conn.execute(sa.select(hr_snapshots).order_by(hr_snapshots.c.as_of.desc()).limit(1)).first()
    return [] if row is None else [r.as_dict() for r in people.snapshot_rows(ws, row.rows_sha256)]


def _latest_roster(ws: Any) -> list[dict[str, Any]]:
    from proctor.access import accounts

    with ws.read() as conn:
        snap = accounts.latest_snapshot(conn, SYSTEM)
    return [] if snap is None else [vars(r) for r in accounts.snapshot_rows(ws, snap["rows_sha256"])]


def activity_log(now: datetime, dana_end: datetime, sam_end: datetime) -> bytes:
    """The insurer's export: 30 days of generic-CSV events for every account on its system."""
    rng = random.Random(2017)
    rows: list[dict[str, Any]] = []

    def add(ts: datetime, login: str, action: str, record: str = "", detail: str = "") -> None:
        rows.append(
            {
                "ts": ts.isoformat(),
                "login_id": login,
                "action": action,
                "record_id": record,
                "record_type": "customer" if record else "",
                "client_ip": f"198.51.100.{len(login) * 7 % 250}",
                "detail": detail,
            }
        )

    for day in range(30, 0, -1):
        start = (now - timedelta(days=day)).replace(hour=13, minute=0, second=0, microsecond=0)
        for n, login in enumerate([*ACTIVE, *UNLINKED]):
            t = start + timedelta(minutes=11 * n)
            add(t, login, "login")
            for k in range(rng.randint(1, 4)):
                add(t + timedelta(minutes=2 + k), login, "view", f"C-{rng.randint(100000, 100400)}")
        if start < dana_end - timedelta(hours=2):
            add(start + timedelta(minutes=50), DANA, "login")
            add(start + timedelta(minutes=52), DANA, "view", f"C-{rng.randint(100000, 100400)}")
        if start < sam_end - timedelta(hours=2) or day in (9, 7, 3):
            add(start + timedelta(hours=2), SAM[1], "login")
            add(start + timedelta(hours=2, minutes=4), SAM[1], "view", f"C-{rng.randint(100000, 100400)}")
    for _, _, _, login, ended in NEW_LEAVERS:
        for after in (2, 4):
            if ended - after > 0:
                t = (now - timedelta(days=ended - after)).replace(hour=16, minute=5, second=0, microsecond=0)
                add(t, login, "login")
                add(t + timedelta(minutes=3), login, "search", "", "last name search")
                add(t + timedelta(minutes=5), login, "view", f"C-{rng.randint(100000, 100400)}")
    frank = (now - timedelta(days=21)).replace(hour=19, minute=40, second=0, microsecond=0)
    add(frank, "MSI07311", "login")
    add(frank + timedelta(minutes=2), "MSI07311", "view", PRINTED_RECORD)
    add(frank + timedelta(minutes=3), "MSI07311", "download", PRINTED_RECORD, "policy summary PDF")
    add(frank + timedelta(minutes=4), "MSI07311", "print", PRINTED_RECORD, "policy summary")
    rows.sort(key=lambda r: str(r["ts"]))
    return _csv(rows, ("ts", "login_id", "action", "record_id", "record_type", "client_ip", "detail"))


def seed_activity(ws: Any, actor: str) -> dict[str, Any]:
    """Replay the case on the access demo firm (seeding that first when it is absent)."""
    from proctor.access import activity_store, correlation, incidents, people
    from proctor.access.accounts import import_roster
    from proctor.access.evidence_pack import export_pack
    from proctor.access.notices import FirmContact
    from proctor.access.systems import get_system
    from proctor.core.errors import NotFound

    try:
        get_system(ws, SYSTEM)
    except NotFound:
        from proctor.access.demo import seed_demo

        seed_demo(ws, actor)
    now = ws.clock.now().replace(microsecond=0)
    folder = Path(ws.path) / "demo-inputs" / "access"
    folder.mkdir(parents=True, exist_ok=True)
    hr_rows = _latest_hr(ws)
    by_id = {r["employee_id"]: r for r in hr_rows}
    sam_end = datetime.fromisoformat(by_id[SAM[0]]["termination_effective"]) if SAM[0] in by_id else now
    dana_row = by_id.get("E2006", {})
    dana_end = (
        datetime.fromisoformat(dana_row["termination_effective"])
        if dana_row.get("termination_effective")
        else now
    )
    for eid, first, last, _, ended in NEW_LEAVERS:
        hr_rows.append(
            {
                "employee_id": eid,
                "first_name": first,
                "last_name": last,
                "work_email": f"{first.lower()}.{last.lower()}@harborstreet.com",
                "status": "terminated",
                "worker_type": "employee",
                "hire_date": "2016-07-01",
                "termination_effective": (now - timedelta(days=ended)).replace(hour=21, minute=0).isoformat(),
                "last_day_worked": (now - timedelta(days=ended)).date().isoformat(),
                "manager_id": "E1001",
                "crd_number": str(5_200_000 + int(eid[1:])),
                "u5_filed": "yes",
            }
        )
    hr_path = folder / "hr-activity.csv"
    hr_path.write_bytes(_csv(hr_rows, HR_COLUMNS))
    people.import_hr(ws, hr_path, actor=actor, as_of=now - timedelta(hours=5))
    roster = _latest_roster(ws)
    roster += [
        {
            "login_id": login,
            "display_name": f"{last.upper()}, {first.upper()}",
            "email": "",
            "status": "active",
            "created": "2016-09-01",
            "last_login": (now - timedelta(days=2)).isoformat(),
        }
        for _, first, last, login, _ in NEW_LEAVERS
    ]
    roster_path = folder / "insurer-activity-roster.csv"
    roster_path.write_bytes(_csv(roster, ROSTER_COLUMNS))
    import_roster(ws, SYSTEM, roster_path, actor=actor, as_of=now - timedelta(hours=4))
    log_path = folder / "insurer-activity-export.csv"
    log_path.write_bytes(activity_log(now, dana_end, sam_end))
    activity_store.set_cadence(
        ws,
        SYSTEM,
        timedelta(days=1),
        actor=actor,
        reason="The insurer sends its activity export daily under the vendor agreement.",
    )
    imported = activity_store.import_activity(
        ws, log_path, SYSTEM, actor=actor, fmt="csv", as_of=now - timedelta(hours=3)
    )
    runs = {
        name: ws.controls.run(name, actor=actor, as_of=now)
        for name in (
            "access.post_termination",
            "access.npi_exposure",
            "access.disabled_accounts",
            "access.silent_source",
        )
    }
    raised = [a for r in runs.values() for a in r["alert_ids"]]
    incident_alerts = [
        a for a in raised if ws.alerts.get(a)["control"] in ("access.post_termination", "access.npi_exposure")
    ]
    summary: dict[str, Any] = {
        "import": imported["id"],
        "alerts": len(raised),
        "queue": len(correlation.queue(ws)),
    }
    if not incident_alerts:
        return summary
    inc = incidents.open_incident(
        ws,
        incident_alerts,
        actor=actor,
        aware_at=now,
        title="Former representatives used the insurer's policy system",
    )
    incidents.notify_provider(ws, inc["id"], actor=actor)
    incidents.determine_sensitive(
        ws,
        inc["id"],
        True,
        actor=actor,
        rationale="A customer's policy record with name, address and policy number "
        "was downloaded and printed by a former representative.",
    )
    incidents.draft_notices(
        ws,
        inc["id"],
        FirmContact(
            ws.config.firm_name,
            "Privacy Office",
            "1-800-555-0142",
            "privacy@harborstreet.com",
            "100 Harbor Street, Boston, MA 02110",
        ),
        "We asked the insurer to disable the accounts and revoke their sessions the day we found the access, "
        "and we now reconcile every vendor system's accounts against our HR records daily.",
        actor=actor,
    )
    pack = export_pack(ws, inc["id"], Path(ws.path) / "demo-outputs" / f"incident-{inc['id']}", actor=actor)
    summary.update({"incident": inc["id"], "pack": pack["folder"], "pack_files": pack["files"]})
    return summary
