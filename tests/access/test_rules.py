"""Correlation rules are a versioned table: a change is proposed, approved by someone else, and then
in force from its date; each link and each leaver run names the rules it was made under."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from proctor.access import correlation, people, rules, systems
from proctor.access.accounts import import_roster
from proctor.access.tables import links
from proctor.core.errors import InputError
from proctor.platform import Workspace
from proctor.platform.approvals import ApprovalError
from tests.access.firm import add_staff, at, hr_csv, roster_csv, t, write

ANA = "E100,Ana,Lopez,ana.lopez@harborstreet.com,active,employee,2019-04-01,,,,,no"
BO = "E200,Bo,Kim,bo.kim@harborstreet.com,active,employee,2016-07-01,,,,,no"
STRICT = """
version: "2026.1"
effective_from: 2026-02-01
rules:
  - {name: employee_id, key: employee_id, auto_link: true, citation: "17 CFR 248.30(a)"}
  - {name: email, key: email, auto_link: true}
  - {name: name_full, key: name_full, auto_link: false}
  - {name: name_fuzzy, key: name_fuzzy, auto_link: false, threshold: 92}
"""


def _firm(ws: Workspace, clock: Any, tmp_path: Path) -> None:
    add_staff(ws)
    at(clock, "2026-01-20T12:00:00Z")
    systems.add_system(
        ws,
        "insurer",
        kind="vendor",
        npi=True,
        actor="ada",
        owner="paula",
        vendor_contact="ops@insurer.example",
    )
    people.import_hr(ws, hr_csv(tmp_path, "hr.csv", ANA, BO), actor="ada", as_of=t("2026-01-20T06:00:00Z"))
    import_roster(
        ws, "insurer", roster_csv(tmp_path, "v1.csv", 'MSI100,"LOPEZ, ANA",,active,2016-09-01,'), actor="ada"
    )


def test_a_rule_change_needs_a_second_approver_and_applies_from_its_date(
    ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    _firm(ws, clock, tmp_path)
    base = rules.baseline()
    assert correlation.situation_of(ws, "insurer", "MSI100")["situation"] == "linked"  # type: ignore[index]
    proposal = rules.propose(
        ws, write(tmp_path, "strict.yaml", STRICT), actor="paula", rationale="names alone never link"
    )
    assert proposal["status"] == "proposed" and correlation.rules(ws).digest == base.digest
    with pytest.raises(ApprovalError):
        rules.approve(ws, proposal["id"], actor="paula")  # not one's own proposal
    approved = rules.approve(ws, proposal["id"], actor="ada")
    assert approved["status"] == "approved" and approved["approvals"][0]["user"] == "ada"
    assert correlation.rules(ws).digest == base.digest  # not before its effective date
    at(clock, "2026-02-02T12:00:00Z")
    strict = correlation.rules(ws)
    assert strict.version == "2026.1" and strict.digest == proposal["digest"]
    roster = roster_csv(
        tmp_path, "v2.csv", 'MSI100,"LOPEZ, ANA",,active,2016-09-01,', 'MSI200,"KIM, BO",,active,2016-09-01,'
    )
    import_roster(ws, "insurer", roster, actor="ada")
    assert correlation.situation_of(ws, "insurer", "MSI200")["situation"] == "unlinked"  # type: ignore[index]
    assert correlation.situation_of(ws, "insurer", "MSI100")["situation"] == "unlinked"  # type: ignore[index]
    with ws.read() as conn:
        made = {(r.login_id, r.situation, r.rules_digest) for r in conn.execute(sa.select(links))}
    assert ("MSI100", "linked", base.digest) in made and ("MSI200", "unlinked", strict.digest) in made
    run = ws.controls.run("access.leavers", actor="paula")
    assert run["summary"]["correlation_rules"] == strict.label()
    before = ws.controls.run("access.leavers", actor="paula", as_of=t("2026-01-25T00:00:00Z"))
    assert before["summary"]["correlation_rules"]["version"] == rules.BASELINE_VERSION


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("  - {name: name_fuzzy, key: name_fuzzy, auto_link: true, threshold: 95}", "rules[0].auto_link"),
        ("  - {name: name_fuzzy, key: name_fuzzy, auto_link: false, threshold: 60}", "rules[0].threshold"),
        ("  - {name: phone, key: phone, auto_link: true}", "rules[0]"),
    ],
)
def test_a_looser_or_unknown_rule_is_refused_naming_the_rule(tmp_path: Path, line: str, field: str) -> None:
    doc = f'version: "x"\neffective_from: 2026-02-01\nrules:\n{line}\n'
    with pytest.raises(InputError) as err:
        rules.from_dict(rules.read_document(doc, "r.yaml"), file="r.yaml")
    assert err.value.field == field


def test_the_baseline_is_the_shipped_rules_and_its_digest_is_its_content() -> None:
    base = rules.baseline()
    assert [r.name for r in base.rules] == [
        "employee_id",
        "email",
        "name_full",
        "name_first_last",
        "name_fuzzy",
    ]
    again = rules.from_dict(base.to_dict())
    assert again.rules == base.rules and again.digest == base.digest


def test_the_rules_commands_propose_approve_and_show(
    sqlite_ws: Workspace, clock: Any, tmp_path: Path
) -> None:
    """On SQLite, as the other CLI tests: each command opens the workspace as a user's shell would."""
    from tests.access.test_cli import _json, _run

    ws = sqlite_ws
    _firm(ws, clock, tmp_path)
    path = write(tmp_path, "strict.yaml", STRICT)
    proposed = _json(
        ws, "correlation", "rules", "propose", str(path), "--rationale", "stricter", actor="paula"
    )
    refused = _run(ws, "correlation", "rules", "approve", proposed["id"], actor="paula")
    assert isinstance(refused.exception, ApprovalError)  # the CLI prints it as one line
    assert _json(ws, "correlation", "rules", "approve", proposed["id"], actor="ada")["status"] == "approved"
    shown = _json(ws, "correlation", "rules", "show", "--as-of", "2026-02-02T00:00:00Z", actor="")
    assert shown["in_force"]["version"] == "2026.1" and shown["versions"][0]["id"] == proposed["id"]
