"""A principal proposes a retention schedule version in the browser; another principal approves it.

The form starts from the schedule in force (the packaged SEA 17a-4 / FINRA 4511 baseline here),
and what it sends is checked by the archive exactly as a file given to `proctor comms retention
import` is: a period below the regulatory floor is refused, naming the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from proctor.comms import retention_changes
from proctor.comms.retention import packaged_schedule
from proctor.platform import Workspace

from .conftest import TestClient
from .test_approvals_inbox import row_of

Clients = Callable[[str], tuple[TestClient, str]]


def schedule_form(csrf: str, reason: str, change: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The form as the page fills it (the baseline's rows, then a blank one), with `change` applied
    per kind; a kind mapped to {"kind": ""} is dropped, a new kind goes in the blank row."""
    base = packaged_schedule().to_dict()
    rows = [{"kind": "default", **base["default"]}, *base["rules"]]
    rows.append({"kind": "", "retain_years": "", "accessible_years": "", "citation": "", "note": ""})
    for kind, values in (change or {}).items():
        target = next((r for r in rows if r["kind"] == kind), None) or rows[-1]
        target.update(values)
    fields = ("kind", "retain_years", "accessible_years", "citation", "note")
    return {
        "csrf_token": csrf,
        "version": "comms-retention-2026.1",
        "effective_from": "2026-01-05",
        "source": base["source"],
        "reason": reason,
        **{name: [str(r[name]) for r in rows] for name in fields},
    }


def version(ws: Workspace, name: str) -> dict[str, Any]:
    return next(v for v in retention_changes.list_versions(ws) if v["version"] == name)


def test_the_page_shows_the_schedule_in_force_and_starts_the_form_from_it(client_for: Clients) -> None:
    paula, _ = client_for("paula")
    page = paula.get("/archive/retention").text
    assert "In force: comms-retention-2025.1" in page
    assert 'name="version" value="comms-retention-2026.1"' in page
    assert 'value="customer_service"' in page and 'value="17 CFR 240.17a-4(b)(4)"' in page
    assert "at least 3 years (2 easily accessible" in page
    data = paula.get("/api/archive/retention").json()
    assert data["in_force"]["version"] == "comms-retention-2025.1" and data["can_propose"] is True


def test_a_principal_proposes_and_another_approves_it_in_the_inbox(
    client_for: Clients, ws: Workspace
) -> None:
    paula, csrf = client_for("paula")
    sent = schedule_form(
        csrf,
        "Mailboxes kept four years per the 2026 WSP update; voice added.",
        {
            "mailbox": {"retain_years": "4"},
            "chat_channel": {"kind": ""},
            "": {
                "kind": "voice_recording",
                "retain_years": "6",
                "accessible_years": "2",
                "citation": "17 CFR 240.17a-4(b)(4)",
                "note": "Recorded lines of the trading desk.",
            },
        },
    )
    answer = paula.post("/archive/retention", data=sent)
    assert answer.status_code == 200 and "comms-retention-2026.1 proposed" in answer.text
    row = version(ws, "comms-retention-2026.1")
    assert (row["status"], row["proposed_by"], row["origin"]) == ("proposed", "paula", "web:paula")
    kinds = {r["kind"]: r["retain_years"] for r in row["schedule"]["rules"]}
    assert kinds["mailbox"] == 4 and kinds["voice_recording"] == 6 and "chat_channel" not in kinds
    own = row_of(paula.get("/approvals").text, "comms-retention-2026.1")
    assert "Your own proposal" in own and ">Approve<" not in own
    sam, s_csrf = client_for("sam")
    item = row_of(sam.get("/approvals").text, "comms-retention-2026.1")
    assert ">Approve<" in item and 'href="/archive/retention#v-comms-retention-2026.1"' in item
    decided = sam.post(
        "/approvals/retention/comms-retention-2026.1/approve",
        data={"csrf_token": s_csrf, "rationale": "Agrees with the WSP."},
    )
    assert decided.status_code == 200
    assert version(ws, "comms-retention-2026.1")["in_force"] is True
    assert "In force: comms-retention-2026.1" in sam.get("/archive/retention").text


def test_a_period_below_the_regulatory_floor_is_refused_naming_the_rule(
    client_for: Clients, ws: Workspace
) -> None:
    paula, csrf = client_for("paula")
    short = paula.post(
        "/archive/retention",
        data=schedule_form(
            csrf, "Shorter mail retention to save storage.", {"mailbox": {"retain_years": "2"}}
        ),
    )
    assert short.status_code == 400 and "below the 3-year minimum of 17 CFR 240.17a-4(b)(4)" in short.text
    words = paula.post(
        "/archive/retention",
        data=schedule_form(
            csrf, "A typo in the periods of the mailbox row.", {"mailbox": {"retain_years": "four"}}
        ),
    )
    assert words.status_code == 400 and "whole number of years" in words.text
    orphan = paula.post(
        "/archive/retention",
        data=schedule_form(csrf, "A row without its kind of record.", {"": {"retain_years": "6"}}),
    )
    assert orphan.status_code == 400 and "needs its kind" in orphan.text
    terse = paula.post("/archive/retention", data=schedule_form(csrf, "because"))
    assert terse.status_code == 400 and "reason of at least 10" in terse.text
    assert [v["version"] for v in retention_changes.list_versions(ws)] == ["comms-retention-2025.1"]


def test_who_may_propose_and_the_csrf_token(client_for: Clients, ws: Workspace) -> None:
    for user in ("ravi", "otto"):
        c, csrf = client_for(user)
        page = c.get("/archive/retention")
        assert page.status_code == 200 and 'id="retention-form"' not in page.text, user
        refused = c.post("/archive/retention", data=schedule_form(csrf, "Keep mailboxes four years instead."))
        assert refused.status_code == 403, user
    paula, _ = client_for("paula")
    forged = schedule_form("", "Keep mailboxes four years instead.")
    del forged["csrf_token"]
    answer = paula.post("/archive/retention", data=forged)
    assert answer.status_code == 403 and "CSRF" in answer.text
    assert [v["version"] for v in retention_changes.list_versions(ws)] == ["comms-retention-2025.1"]


def test_the_json_twin_proposes_the_same_way(client_for: Clients, ws: Workspace) -> None:
    paula, csrf = client_for("paula")
    document = packaged_schedule().to_dict()
    document.update(version="comms-retention-2026.2", effective_from="2026-02-01")
    answer = paula.post(
        "/api/archive/retention",
        json={"document": document, "reason": "Same periods, a new effective date for the audit."},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200 and answer.json()["status"] == "proposed"
    assert version(ws, "comms-retention-2026.2")["origin"] == "web:paula"
