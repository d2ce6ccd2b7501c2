"""A small insurer-system firm for the activity and incident tests: HR, a vendor roster, a vendor log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proctor.access import people, systems
from proctor.access.accounts import import_roster
from proctor.access.activity_store import import_activity
from proctor.core.clock import FixedClock
from tests.access.firm import add_staff, at, hr_csv, roster_csv, t, write

VENDOR_LOG_HEADER = "ts,login_id,action,record_id,record_type,client_ip,detail"


def vendor_log(folder: Path, name: str, *rows: str) -> Path:
    return write(folder, name, "\n".join([VENDOR_LOG_HEADER, *rows]))


def insurer_firm(ws: Any, clock: FixedClock, folder: Path) -> None:
    """Ann stays; Bob leaves on 1 May 2017 17:00 New York (notified 20 April); Cy leaves 15 May."""
    add_staff(ws)
    at(clock, "2017-03-01T12:00:00+00:00")
    systems.add_system(
        ws, "insurer", kind="vendor", npi=True, actor="ada", vendor_contact="access@insurer.example"
    )
    people.import_hr(
        ws,
        hr_csv(
            folder,
            "hr1.csv",
            "E1,Ann,Archer,ann.archer@firm.example,active,employee,2015-01-05,,,,,",
            "E2,Bob,Baker,bob.baker@firm.example,active,employee,2015-01-05,,,,,",
            "E3,Cy,Cole,cy.cole@firm.example,active,employee,2015-01-05,,,,,",
        ),
        actor="ada",
        as_of=t("2017-03-01T00:00:00+00:00"),
    )
    import_roster(
        ws,
        "insurer",
        roster_csv(
            folder,
            "r1.csv",
            'MSI001,"ARCHER, ANN",ann.archer@firm.example,active,2016-09-01,',
            'MSI002,"BAKER, BOB",bob.baker@firm.example,active,2016-09-01,',
            'MSI003,"COLE, CY",cy.cole@firm.example,active,2016-09-01,',
        ),
        actor="ada",
        as_of=t("2017-03-01T06:00:00+00:00"),
    )
    at(clock, "2017-04-21T12:00:00+00:00")
    people.import_hr(
        ws,
        hr_csv(
            folder,
            "hr2.csv",
            "E1,Ann,Archer,ann.archer@firm.example,active,employee,2015-01-05,,,,,",
            "E2,Bob,Baker,bob.baker@firm.example,notified,employee,2015-01-05,2017-05-01T17:00:00-04:00,,,,",
            "E3,Cy,Cole,cy.cole@firm.example,active,employee,2015-01-05,,,,,",
        ),
        actor="ada",
        as_of=t("2017-04-21T00:00:00+00:00"),
    )
    at(clock, "2017-05-16T12:00:00+00:00")
    people.import_hr(
        ws,
        hr_csv(
            folder,
            "hr3.csv",
            "E1,Ann,Archer,ann.archer@firm.example,active,employee,2015-01-05,,,,,",
            "E2,Bob,Baker,bob.baker@firm.example,terminated,employee,2015-01-05,2017-05-01T17:00:00-04:00,,,,yes",
            "E3,Cy,Cole,cy.cole@firm.example,terminated,employee,2015-01-05,2017-05-15T17:00:00-04:00,,,,yes",
        ),
        actor="ada",
        as_of=t("2017-05-16T00:00:00+00:00"),
    )


def insurer_log(folder: Path) -> Path:
    return vendor_log(
        folder,
        "insurer-may.csv",
        "2017-04-25T14:00:00-04:00,MSI002,download,C-7,customer,198.51.100.2,notice period",
        "2017-05-01T16:59:00-04:00,MSI002,view,C-8,customer,198.51.100.2,last minute of employment",
        "2017-05-02T09:00:00-04:00,MSI001,login,,,198.51.100.1,",
        "2017-05-02T09:05:00-04:00,MSI001,view,C-1,customer,198.51.100.1,",
        "2017-05-03T10:00:00-04:00,MSI002,login,,,203.0.113.9,",
        "2017-05-03T10:02:00-04:00,MSI002,view,C-448812,customer,203.0.113.9,",
        "2017-05-03T10:03:00-04:00,MSI002,download,C-448812,customer,203.0.113.9,policy summary",
        "2017-05-03T10:04:00-04:00,MSI002,print,C-448812,customer,203.0.113.9,",
        "2017-05-04T10:00:00-04:00,MSI002,login,,,203.0.113.9,",
        "2017-05-16T08:00:00-04:00,MSI003,login,,,203.0.113.10,",
        "2017-05-16T08:01:00-04:00,msi003,search,,,203.0.113.10,by last name",
    )


def load_insurer_log(ws: Any, clock: FixedClock, folder: Path) -> dict[str, Any]:
    at(clock, "2017-05-17T12:00:00+00:00")
    return import_activity(
        ws, insurer_log(folder), "insurer", actor="ada", as_of=t("2017-05-17T11:00:00+00:00")
    )
