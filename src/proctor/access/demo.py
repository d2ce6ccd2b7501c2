"""The access part of `proctor demo`: the case's acquisition, replayed on a small firm.

Harbor Street acquired an insurer's broker-dealer; its representatives keep accounts on the
insurer's policy system (a vendor system holding NPI, login ids like MSI04417 that match nobody's
e-mail). A transitional agreement lets four of them keep access until a sunset. Over two months:
Sam Whitaker gives notice and leaves — the identity provider and CRM drop him within the hour, the
insurer never does (terminated but active past the SLA, and his vendor task overdue); Dana Brooks
leaves and the insurer removes her within a day (nothing raised); Walter Grant's sunset passed;
Mei Chen was never on the agreement; an account nobody in HR owns sits on the insurer's system;
one vendor account's name is misspelt and waits in the review queue. Priya Nair and Omar Haddad
(who simply vanishes from the HR feed) lose their accounts in time and raise nothing.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from proctor.access import agreements, certification, correlation, people, systems
from proctor.access.accounts import import_roster
from proctor.access.hr import STANDARD_COLUMNS

HR_HEADER = list(STANDARD_COLUMNS)

STAFF = [  # employee id, first, last, acquired from the insurer's broker-dealer
    ("E1001", "Alice", "Moreno", False),
    ("E1002", "Ben", "Adler", False),
    ("E1003", "Priya", "Nair", False),
    ("E1004", "Omar", "Haddad", False),
    ("E2001", "Walter", "Grant", True),
    ("E2002", "Hana", "Osei", True),
    ("E2003", "Luis", "Ortega", True),
    ("E2004", "Mei", "Chen", True),
    ("E2005", "Sam", "Whitaker", True),
    ("E2006", "Dana", "Brooks", True),
]
VENDOR_LOGINS = {
    "E2001": "MSI04417",
    "E2002": "MSI05120",
    "E2003": "MSI05588",
    "E2004": "MSI06031",
    "E2005": "MSI06644",
    "E2006": "MSI07002",
}


def _email(first: str, last: str) -> str:
    return f"{first.lower()}.{last.lower()}@harborstreet.com"


def _csv(rows: list[dict[str, Any]], header: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _hr(changes: dict[str, dict[str, str]], gone: set[str]) -> bytes:
    rows = []
    for eid, first, last, acquired in STAFF:
        if eid in gone:
            continue
        row = {
            "employee_id": eid,
            "first_name": first,
            "last_name": last,
            "work_email": _email(first, last),
            "status": "active",
            "worker_type": "employee",
            "hire_date": "2016-07-01" if acquired else "2014-03-03",
            "termination_effective": "",
            "last_day_worked": "",
            "manager_id": "E1001" if eid != "E1001" else "",
            "crd_number": str(5_100_000 + int(eid[1:])),
            "u5_filed": "no",
        }
        row.update(changes.get(eid, {}))
        rows.append(row)
    return _csv(rows, HR_HEADER)


def _scim_roster(present: set[str]) -> bytes:
    users = [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": f"00u{eid}",
            "userName": _email(f, la),
            "name": {"givenName": f, "familyName": la},
            "active": True,
            "emails": [{"value": _email(f, la), "primary": True, "type": "work"}],
        }
        for eid, f, la, _ in STAFF
        if eid in present
    ]
    return json.dumps(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(users),
            "Resources": users,
        },
        indent=1,
    ).encode()


def _crm_roster(present: set[str], disabled: set[str] = frozenset()) -> bytes:  # type: ignore[assignment]
    rows = [
        {
            "login_id": eid.lower(),
            "display_name": f"{f} {la}",
            "email": "",
            "status": "disabled" if eid in disabled else "active",
            "created": "2024-01-02",
            "last_login": "",
        }
        for eid, f, la, _ in STAFF
        if eid in present
    ]
    rows.append(
        {
            "login_id": "svc-crm-sync",
            "display_name": "CRM nightly sync",
            "email": "",
            "status": "active",
            "created": "2023-05-01",
            "last_login": "",
        }
    )
    return _csv(rows, ["login_id", "display_name", "email", "status", "created", "last_login"])


def _vendor_roster(present: set[str], last_login: str) -> bytes:
    names = {eid: (f, la) for eid, f, la, _ in STAFF}
    rows = [
        {
            "login_id": VENDOR_LOGINS[eid],
            "display_name": f"{names[eid][1].upper()}, {names[eid][0].upper()}",
            "email": "",
            "status": "active",
            "created": "2016-09-01",
            "last_login": last_login,
        }
        for eid in sorted(VENDOR_LOGINS)
        if eid in present
    ]
    for row in rows:
        if row["login_id"] == "MSI05588":
            row["display_name"] = "ORTEGA, LUIZ"  # misspelt by the vendor: a candidate, never a silent link
    rows.append(
        {
            "login_id": "MSI09921",
            "display_name": "KOWALSKI, JAN",
            "email": "jkowalski@mail.example",
            "status": "active",
            "created": "2016-09-01",
            "last_login": last_login,
        }
    )
    return _csv(rows, ["login_id", "display_name", "email", "status", "created", "last_login"])


def seed_demo(ws: Any, actor: str) -> dict[str, Any]:
    now: datetime = ws.clock.now().replace(microsecond=0)
    folder = Path(ws.path) / "demo-inputs" / "access"
    folder.mkdir(parents=True, exist_ok=True)

    def at(days: float, hours: float = 0) -> datetime:
        return now - timedelta(days=days) + timedelta(hours=hours)

    def iso(moment: datetime) -> str:
        return moment.isoformat()

    def put(name: str, data: bytes) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    owner = "paula" if _has_user(ws, "paula") else ""
    systems.add_system(
        ws,
        "okta",
        kind="connected",
        owner=owner,
        actor=actor,
        description="Identity provider (SCIM-provisioned)",
    )
    systems.add_system(
        ws,
        "crm",
        kind="connected",
        npi=True,
        owner=owner,
        actor=actor,
        description="Customer relationship management: client profiles, account numbers",
    )
    systems.add_system(
        ws,
        "insurer_policy",
        kind="vendor",
        npi=True,
        owner=owner,
        actor=actor,
        vendor_contact="access-admin@northgate-insurance.example",
        description="Acquired insurer's policy administration system (third-party)",
    )
    everyone = {s[0] for s in STAFF}
    sam_end, dana_end, priya_end = at(10), at(8), at(5)
    people.import_hr(ws, put("hr-1.csv", _hr({}, set())), actor=actor, as_of=at(60))
    import_roster(ws, "okta", put("okta-1.json", _scim_roster(everyone)), actor=actor, as_of=at(30))
    import_roster(ws, "crm", put("crm-1.csv", _crm_roster(everyone)), actor=actor, as_of=at(30))
    import_roster(
        ws,
        "insurer_policy",
        put("insurer-1.csv", _vendor_roster(everyone, iso(at(31)))),
        actor=actor,
        as_of=at(30),
    )
    agreements.import_agreements(
        ws,
        put(
            "agreement.csv",
            _csv(
                [
                    {
                        "employee_id": "E2001",
                        "name": "Walter Grant",
                        "email": "",
                        "system": "insurer_policy",
                        "sunset_date": (now - timedelta(days=40)).date().isoformat(),
                    },
                    *[
                        {
                            "employee_id": e,
                            "name": n,
                            "email": "",
                            "system": "insurer_policy",
                            "sunset_date": (now + timedelta(days=60)).date().isoformat(),
                        }
                        for e, n in (
                            ("E2002", "Hana Osei"),
                            ("E2003", "Luis Ortega"),
                            ("E2005", "Sam Whitaker"),
                            ("E2006", "Dana Brooks"),
                        )
                    ],
                ],
                ["employee_id", "name", "email", "system", "sunset_date"],
            ),
        ),
        actor=actor,
    )
    # Sam gives notice (a future-dated termination: tasks go out before his last day)
    people.import_hr(
        ws,
        put("hr-2.csv", _hr({"E2005": {"status": "notified", "termination_effective": iso(sam_end)}}, set())),
        actor=actor,
        as_of=at(12),
    )
    left = {
        "E2005": {"status": "terminated", "termination_effective": iso(sam_end), "u5_filed": "yes"},
        "E2006": {"status": "notified", "termination_effective": iso(dana_end)},
    }
    people.import_hr(ws, put("hr-3.csv", _hr(left, set())), actor=actor, as_of=at(9, 12))
    present = everyone - {"E2005"}
    import_roster(
        ws,
        "okta",
        put("okta-2.json", _scim_roster(present)),
        actor=actor,
        as_of=sam_end + timedelta(minutes=30),
    )
    import_roster(
        ws, "crm", put("crm-2.csv", _crm_roster(present)), actor=actor, as_of=sam_end + timedelta(minutes=40)
    )
    present -= {"E2006"}
    import_roster(
        ws,
        "okta",
        put("okta-3.json", _scim_roster(present)),
        actor=actor,
        as_of=dana_end + timedelta(minutes=20),
    )
    import_roster(
        ws, "crm", put("crm-3.csv", _crm_roster(present)), actor=actor, as_of=dana_end + timedelta(minutes=25)
    )
    # the insurer removes Dana within a day; Sam is never removed because nobody asked in time
    import_roster(
        ws,
        "insurer_policy",
        put("insurer-2.csv", _vendor_roster((everyone - {"E2006"}), iso(at(8, 2)))),
        actor=actor,
        as_of=dana_end + timedelta(hours=20),
    )
    left.update(
        {
            "E2006": {"status": "terminated", "termination_effective": iso(dana_end)},
            "E1003": {
                "status": "terminated",
                "termination_effective": iso(priya_end),
                "last_day_worked": (priya_end - timedelta(days=1)).date().isoformat(),
            },
        }
    )
    import_roster(
        ws,
        "okta",
        put("okta-3b.json", _scim_roster(present - {"E1003"})),
        actor=actor,
        as_of=priya_end + timedelta(minutes=30),
    )
    import_roster(
        ws,
        "crm",
        put("crm-3b.csv", _crm_roster(present, {"E1003"})),
        actor=actor,
        as_of=priya_end + timedelta(minutes=35),
    )
    people.import_hr(ws, put("hr-4.csv", _hr(left, {"E1004"})), actor=actor, as_of=at(4))  # Omar vanishes
    present -= {"E1003", "E1004"}
    import_roster(ws, "okta", put("okta-4.json", _scim_roster(present)), actor=actor, as_of=at(4, 0.5))
    import_roster(ws, "crm", put("crm-4.csv", _crm_roster(present, {"E1003"})), actor=actor, as_of=at(4, 0.6))
    import_roster(
        ws,
        "insurer_policy",
        put("insurer-3.csv", _vendor_roster(everyone - {"E2006"}, iso(at(2)))),
        actor=actor,
        as_of=at(1),
    )
    import_roster(ws, "okta", put("okta-5.json", _scim_roster(present)), actor=actor, as_of=at(0, -2))
    import_roster(ws, "crm", put("crm-5.csv", _crm_roster(present, {"E1003"})), actor=actor, as_of=at(0, -2))
    summary: dict[str, Any] = {"systems": 3, "queue": len(correlation.queue(ws))}
    if _has_user(ws, "paula"):
        correlation.tag(
            ws,
            "crm",
            "svc-crm-sync",
            "service",
            actor="paula",
            rationale="Nightly integration account owned by the CRM team; no person logs in with it.",
        )
        campaign = certification.start(
            ws,
            "crm",
            reviewer="paula",
            due=now + timedelta(days=2),
            actor=actor,
            note="Quarterly certification of CRM access",
        )
        summary["campaign"] = campaign["id"]
    return summary


def _has_user(ws: Any, name: str) -> bool:
    try:
        ws.users.get(name)
    except Exception:
        return False
    return True
