"""`proctor access activity` and `proctor access incident` as a compliance officer types them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PROCTOR = Path(sys.executable).parent / "proctor"
HR_HEADER = (
    "employee_id,first_name,last_name,work_email,status,worker_type,hire_date,termination_effective,"
    "last_day_worked,manager_id,crd_number,u5_filed\n"
)
HR = (
    HR_HEADER
    + """E1,Ann,Archer,ann.archer@firm.example,active,employee,2015-01-05,,,,,
E2,Bob,Baker,bob.baker@firm.example,terminated,employee,2015-01-05,2026-11-02T17:00:00-05:00,,,,yes
"""
)
ROSTER = """login_id,display_name,email,status,created,last_login
MSI001,"ARCHER, ANN",ann.archer@firm.example,active,2016-09-01,
MSI002,"BAKER, BOB",bob.baker@firm.example,active,2016-09-01,
"""
LOG = """ts,login_id,action,record_id,record_type,client_ip,detail
2026-11-03T10:00:00-05:00,MSI002,login,,,203.0.113.9,
2026-11-03T10:03:00-05:00,MSI002,print,C-448812,customer,203.0.113.9,policy summary
2026-11-03T11:00:00-05:00,MSI001,view,C-1,customer,198.51.100.1,
2026-11-03T11:00:00-05:00,MSI001,teleport,C-1,customer,198.51.100.1,
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "PROCTOR_NEW_PASSWORD": "correct horse"}
    return subprocess.run(
        [str(PROCTOR), *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("activity-cli")
    assert run("init", "firm", "--firm", "Harbor Street Securities LLC", cwd=root).returncode == 0
    ws = root / "firm"
    for name, role in (("ada", "admin"), ("carl", "principal")):
        done = run("user", "add", name, "--role", role, "--as", "ada", "-w", str(ws), cwd=root)
        assert done.returncode == 0, done.stderr
    (root / "hr.csv").write_text(HR)
    (root / "roster.csv").write_text(ROSTER)
    (root / "log.csv").write_text(LOG)
    steps = [
        (
            "access",
            "system",
            "add",
            "insurer",
            "--kind",
            "vendor",
            "--npi",
            "--vendor-contact",
            "it@insurer.example",
        ),
        ("access", "hr", "import", str(root / "hr.csv"), "--as-of", "2026-11-02T23:00:00Z"),
        (
            "access",
            "accounts",
            "import",
            "insurer",
            str(root / "roster.csv"),
            "--as-of",
            "2026-11-01T00:00:00Z",
        ),
    ]
    for step in steps:
        done = run(*step, "--as", "ada", "-w", str(ws), cwd=root)
        assert done.returncode == 0, done.stderr
    return ws


def test_import_quarantines_with_line_and_reason_and_is_idempotent(firm: Path) -> None:
    args = ("access", "activity", "import", str(firm.parent / "log.csv"), "--system", "insurer")
    first = run(*args, "--as-of", "2026-11-04T00:00:00Z", "--as", "ada", "-w", str(firm), cwd=firm.parent)
    assert first.returncode == 0, first.stderr
    assert "4 lines, 3 stored, 1 quarantined" in first.stdout and "line 5: action 'teleport'" in first.stdout
    again = run(*args, "--as", "ada", "-w", str(firm), cwd=firm.parent)
    assert "already imported" in again.stdout
    listed = json.loads(run("access", "activity", "list", "--json", "-w", str(firm), cwd=firm.parent).stdout)
    assert [(r["stored"], r["quarantined_lines"]) for r in listed] == [(3, 1)]
    bad = run(
        "access",
        "activity",
        "import",
        str(firm.parent / "log.csv"),
        "--system",
        "nowhere",
        "--as",
        "ada",
        "-w",
        str(firm),
        cwd=firm.parent,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_incident_from_the_alert_to_a_verified_pack(firm: Path) -> None:
    cwd, w = firm.parent, ("-w", str(firm))
    ran = run(
        "controls",
        "run",
        "access.npi_exposure",
        "--as-of",
        "2026-11-04T01:00:00Z",
        "--as",
        "ada",
        *w,
        cwd=cwd,
    )
    assert ran.returncode == 0, ran.stderr
    alerts = json.loads(run("alerts", "list", "--json", "--as", "ada", *w, cwd=cwd).stdout)
    rows = alerts["alerts"] if isinstance(alerts, dict) else alerts
    critical = [a["id"] for a in rows if a["control"] == "access.npi_exposure"]
    assert len(critical) == 1
    opened = run("access", "incident", "open", "--alert", critical[0], "--json", "--as", "ada", *w, cwd=cwd)
    assert opened.returncode == 0, opened.stderr
    iid = json.loads(opened.stdout)["id"]
    updates = [
        ("--sensitive", "--rationale", "A printed policy record with the customer's name and address."),
        ("--notify-provider",),
        (
            "--draft-notices",
            "--phone",
            "1-800-555-0142",
            "--email",
            "privacy@firm.example",
            "--postal",
            "100 Harbor St, Boston MA",
            "--protection",
            "The insurer disabled the account the same day.",
        ),
    ]
    for extra in updates:
        done = run("access", "incident", "update", iid, *extra, "--as", "ada", *w, cwd=cwd)
        assert done.returncode == 0, done.stderr
    shown = json.loads(run("access", "incident", "show", iid, "--json", "--as", "ada", *w, cwd=cwd).stdout)
    assert [c["customer"] for c in shown["customers"]] == ["C-448812"] and shown["customers"][0][
        "printed"
    ] == 1
    assert shown["provider"] == "it@insurer.example"
    refused = run(
        "access",
        "incident",
        "close",
        iid,
        "--rationale",
        "Nothing more to do here.",
        "--as",
        "ada",
        *w,
        cwd=cwd,
    )
    assert refused.returncode == 2 and "notice is required" in refused.stderr
    out = cwd / "pack"
    exported = run("access", "incident", "export", iid, "--out", str(out), "--as", "ada", *w, cwd=cwd)
    assert exported.returncode == 0, exported.stderr
    check = subprocess.run(
        [sys.executable, str(REPO / "tools" / "verify_proof.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout[-1500:]
