"""HR snapshots: hires, notice, future-dated terminations, leavers who vanish, rehires, bad rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proctor.access import people
from proctor.core.errors import InputError
from tests.access.firm import at, hr_csv, t, write
from tests.conftest import SHARED_DATA

ANA = "E100,Ana,Lopez,ana.lopez@harborstreet.com,active,employee,2019-04-01,,,E900,4455123,no"
BO = "E200,Bo,Kim,bo.kim@harborstreet.com,active,contractor,2021-06-14,,,E900,,"
CY = "E300,Cy,Ward,cy.ward@harborstreet.com,active,employee,2015-01-05,,,E900,2233441,no"


def test_notice_future_termination_vanishing_leaver_and_rehire(sqlite_ws, clock, tmp_path: Path) -> None:
    ws = sqlite_ws
    at(clock, "2026-03-31T12:00:00Z")
    people.import_hr(
        ws, hr_csv(tmp_path, "jan.csv", ANA, BO, CY), actor="ada", as_of=t("2026-01-31T06:00:00Z")
    )
    notice = (
        "E100,Ana,Lopez,ana.lopez@harborstreet.com,notified,employee,2019-04-01,"
        "2026-02-20T17:00:00-05:00,,E900,4455123,no"
    )
    people.import_hr(
        ws, hr_csv(tmp_path, "feb1.csv", notice, BO, CY), actor="ada", as_of=t("2026-02-10T06:00:00Z")
    )
    # Bo vanishes without a termination date; Cy is terminated with a last day worked only
    cy_gone = (
        "E300,Cy,Ward,cy.ward@harborstreet.com,terminated,employee,2015-01-05,,2026-02-27,E900,2233441,yes"
    )
    people.import_hr(
        ws, hr_csv(tmp_path, "feb2.csv", notice, cy_gone), actor="ada", as_of=t("2026-02-28T06:00:00Z")
    )
    # Ana comes back on a new hire date
    ana_back = "E100,Ana,Lopez,ana.lopez@harborstreet.com,active,employee,2026-03-16,,,E900,4455123,no"
    result = people.import_hr(
        ws, hr_csv(tmp_path, "mar.csv", ana_back, cy_gone), actor="ada", as_of=t("2026-03-20T06:00:00Z")
    )
    assert result["quarantined"] == 0

    ana = people.history(ws, "E100")
    assert ana is not None and ana.rehired
    assert (
        ana.spans[0].end == t("2026-02-20T22:00:00Z") and ana.spans[0].end_source == "termination_effective"
    )
    assert ana.spans[0].notified_at == t("2026-02-10T06:00:00Z")
    assert ana.status_at(t("2026-02-15T00:00:00Z")) == "notice"
    assert ana.notice_at(t("2026-02-15T00:00:00Z")) is ana.spans[0]
    assert ana.status_at(t("2026-03-01T00:00:00Z")) == "terminated"
    assert ana.termination_at(t("2026-03-01T00:00:00Z")) == t("2026-02-20T22:00:00Z")
    assert ana.status_at(t("2026-03-17T00:00:00Z")) == "employed"  # rehired on 16 March (New York)
    assert ana.termination_at(t("2026-03-17T00:00:00Z")) is None

    bo = people.history(ws, "E200")
    assert (
        bo is not None
        and bo.spans[-1].end == t("2026-02-28T06:00:00Z")
        and bo.spans[-1].end_source == "vanished"
    )
    cy = people.history(ws, "E300")
    assert cy is not None and cy.spans[-1].end_source == "last_day_worked"
    assert cy.spans[-1].end == t("2026-02-28T05:00:00Z")  # end of 27 Feb in New York

    # what the firm knew on 15 February: Ana on notice (future termination), Bo still employed
    then = people.histories(ws, known_at=t("2026-02-15T00:00:00Z"))
    assert then["E200"].status_at(t("2026-02-15T00:00:00Z")) == "employed"
    assert not then["E100"].rehired
    frame = people.employment_frame(ws)
    assert frame.filter(frame["employee_id"] == "E100").height == 2
    assert people.person(ws, "E200")["status"] == "gone"  # type: ignore[index]


def test_rescinded_future_termination(sqlite_ws, clock, tmp_path: Path) -> None:
    at(clock, "2026-03-01T00:00:00Z")
    leaving = (
        "E100,Ana,Lopez,ana.lopez@harborstreet.com,notified,employee,2019-04-01,2026-02-20T17:00:00-05:00,,,,"
    )
    people.import_hr(
        sqlite_ws, hr_csv(tmp_path, "a.csv", leaving), actor="ada", as_of=t("2026-02-01T00:00:00Z")
    )
    people.import_hr(sqlite_ws, hr_csv(tmp_path, "b.csv", ANA), actor="ada", as_of=t("2026-02-10T00:00:00Z"))
    history = people.history(sqlite_ws, "E100")
    assert history is not None and history.spans[-1].end is None and not history.rehired


def test_bad_rows_are_quarantined_and_the_person_stays_present(sqlite_ws, clock, tmp_path: Path) -> None:
    at(clock, "2026-03-01T00:00:00Z")
    people.import_hr(
        sqlite_ws, hr_csv(tmp_path, "a.csv", ANA, BO), actor="ada", as_of=t("2026-02-01T00:00:00Z")
    )
    bad_bo = "E200,Bo,Kim,bo.kim@harborstreet.com,retired,contractor,2021-06-14,,,E900,,"
    blank = ",Zed,Nobody,zed@harborstreet.com,active,employee,,,,,,"
    result = people.import_hr(
        sqlite_ws, hr_csv(tmp_path, "b.csv", ANA, bad_bo, blank), actor="ada", as_of=t("2026-02-02T00:00:00Z")
    )
    assert result["quarantined"] == 2
    assert {(e["row"], e["field"]) for e in result["errors"]} == {(3, "status"), (4, "employee_id")}
    bo = people.history(sqlite_ws, "E200")
    assert bo is not None and bo.spans[-1].end is None  # a bad row is not a leaver


def test_whole_file_errors_and_future_as_of_are_refused(sqlite_ws, clock, tmp_path: Path) -> None:
    at(clock, "2026-03-01T00:00:00Z")
    with pytest.raises(InputError, match="employee id column"):
        people.import_hr(
            sqlite_ws,
            write(tmp_path, "x.csv", "name,email\nAna,ana@x.com"),
            actor="ada",
            column_map="standard",
        )
    with pytest.raises(InputError, match="in the future"):
        people.import_hr(
            sqlite_ws, hr_csv(tmp_path, "a.csv", ANA), actor="ada", as_of=t("2026-03-02T00:00:00Z")
        )
    bad_time = "E100,Ana,Lopez,ana.lopez@harborstreet.com,terminated,employee,,2026-02-20T17:00:00,,,,"
    result = people.import_hr(sqlite_ws, hr_csv(tmp_path, "b.csv", bad_time), actor="ada")
    assert (
        result["errors"][0]["field"] == "termination_effective" and "offset" in result["errors"][0]["error"]
    )


def test_scim_users_with_the_enterprise_extension(sqlite_ws, clock, tmp_path: Path) -> None:
    at(clock, "2026-03-01T00:00:00Z")
    doc = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "Resources": [
            {
                "userName": "ana.lopez@harborstreet.com",
                "name": {"givenName": "Ana", "familyName": "Lopez"},
                "active": True,
                "emails": [{"value": "Ana.Lopez@harborstreet.com", "primary": True}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                    "employeeNumber": "E100",
                    "manager": {"value": "E900"},
                },
            },
            {
                "userName": "bo.kim@harborstreet.com",
                "displayName": "Bo Kim",
                "active": False,
                "userType": "Contractor",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E200"},
            },
            {"userName": "nobody@harborstreet.com"},
        ],
    }
    result = people.import_hr(
        sqlite_ws,
        write(tmp_path, "users.json", json.dumps(doc)),
        actor="ada",
        as_of=t("2026-02-01T00:00:00Z"),
    )
    assert result["rows"] == 2 and result["quarantined"] == 1
    ana = people.person(sqlite_ws, "E100")
    assert (
        ana is not None and ana["work_email"] == "ana.lopez@harborstreet.com" and ana["manager_id"] == "E900"
    )
    bo = people.history(sqlite_ws, "E200")
    assert bo is not None and bo.status_at(t("2026-02-02T00:00:00Z")) == "terminated"
    assert people.person(sqlite_ws, "E200")["worker_type"] == "contractor"  # type: ignore[index]


def test_a_column_map_file_reads_another_layout(sqlite_ws, clock, tmp_path: Path) -> None:
    at(clock, "2026-03-01T00:00:00Z")
    cmap = write(
        tmp_path,
        "payroll.json",
        json.dumps(
            {
                "columns": {
                    "employee_id": ["EmpNo"],
                    "full_name": ["Name"],
                    "work_email": ["Mail"],
                    "status": ["State"],
                },
                "status": {"A": "active", "T": "terminated"},
            }
        ),
    )
    export = write(
        tmp_path, "payroll.csv", 'EmpNo,Name,Mail,State\n77,"Moreno, Alice",a.moreno@harborstreet.com,A'
    )
    people.import_hr(sqlite_ws, export, actor="ada", column_map=str(cmap))
    alice = people.person(sqlite_ws, "77")
    assert alice is not None and (alice["first_name"], alice["last_name"]) == ("Alice", "Moreno")


@pytest.mark.parametrize(
    "name,rows,leavers", [("hris-export-sample.csv", 44, 2), ("export-initial.csv", 50, 2)]
)
def test_the_midpoint_hr_samples_import_cleanly(sqlite_ws, name: str, rows: int, leavers: int) -> None:
    path = SHARED_DATA / "hr_samples" / name
    if not path.exists():
        pytest.skip(f"shared HR sample {path} is not available")
    result = people.import_hr(sqlite_ws, path, actor="ada")
    assert (result["rows"], result["quarantined"]) == (rows, 0)
    now = sqlite_ws.clock.now()
    gone = [h for h in people.histories(sqlite_ws).values() if h.status_at(now) == "terminated"]
    assert len(gone) == leavers
    jimmy = people.person(sqlite_ws, "1003")
    assert jimmy is not None and jimmy["last_name"] == "Taylor" and jimmy["status"] == "terminated"
