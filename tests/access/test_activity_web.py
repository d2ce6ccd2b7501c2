"""The access pages over the case: people, systems, incidents with clocks; NPI views journaled."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from proctor.access.activity_demo import PRINTED_RECORD, seed_activity
from proctor.access.demo import seed_demo
from proctor.platform import Workspace
from proctor.store.schema import journal_events
from proctor.web import WebSettings, create_app

SECRET = "test-secret-for-signing-sessions-0123456789abcdef"


def _login(client: TestClient, user: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login",
        data={"username": user, "password": "correct horse", "login_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(client.get("/api/session").json()["csrf_token"])


@pytest.fixture
def case(sqlite_ws: Workspace) -> tuple[Any, Workspace, dict[str, Any]]:
    ws = sqlite_ws
    for name, role in (("paula", "principal"), ("fiona", "finop")):
        ws.users.add(name, role, actor="ada", password="correct horse")
    seed_demo(ws, "ada")
    summary = seed_activity(ws, "ada")
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False)), ws, summary


def _views(ws: Workspace, kind: str) -> int:
    """NPI views journaled about subjects of one kind."""
    with ws.read() as conn:
        stmt = sa.select(journal_events.c.seq).where(
            journal_events.c.event_type == "npi.viewed", journal_events.c.subject_kind == kind
        )
        return len(conn.execute(stmt).all())


def test_pages_show_people_systems_and_incident_clocks(case: tuple[Any, Workspace, dict[str, Any]]) -> None:
    app, ws, summary = case
    client = TestClient(app)
    csrf = _login(client, "paula")
    people = client.get("/access/people")
    assert people.status_code == 200 and "Whitaker, Sam" in people.text
    person = client.get("/access/people/E2101")
    assert person.status_code == 200 and "MSI07311" in person.text and PRINTED_RECORD in person.text
    assert _views(ws, "access.person") == 1
    systems = client.get("/access/systems")
    assert "insurer_policy" in systems.text and "Overdue tasks" in systems.text
    incidents = client.get("/access/incidents")
    assert summary["incident"] in incidents.text and "days left" in incidents.text
    before = _views(ws, "access.incident")
    page = client.get(f"/access/incidents/{summary['incident']}")
    assert page.status_code == 200 and PRINTED_RECORD in page.text and "3.0 days left" in page.text
    assert _views(ws, "access.incident") == before + 1
    api = client.get(f"/api/access/incidents/{summary['incident']}").json()
    assert api["customer_clock"]["state"] == "running" and api["provider_clock"]["hours"] <= 72
    refused = client.post(f"/access/incidents/{summary['incident']}/note", data={"text": "no token"})
    assert refused.status_code == 403
    noted = client.post(
        f"/access/incidents/{summary['incident']}/note",
        data={"text": "Called the insurer's access team.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert noted.status_code == 303
    assert client.get("/access/incidents/INC-404").status_code == 404


def test_a_finop_sees_the_clocks_but_not_the_customers(case: tuple[Any, Workspace, dict[str, Any]]) -> None:
    app, ws, summary = case
    client = TestClient(app)
    _login(client, "fiona")
    before = _views(ws, "access.incident")
    page = client.get(f"/access/incidents/{summary['incident']}")
    assert page.status_code == 200 and PRINTED_RECORD not in page.text and "may not view" in page.text
    assert _views(ws, "access.incident") == before
    person = client.get("/access/people/E2101")
    assert PRINTED_RECORD not in person.text
