"""Who sees and does what through the web: the platform's rules, shown as HTTP answers.

Reviewers see only their own queue, auditors change nothing, principals approve, nobody reviews an
alert about themselves, and every view of customer NPI is journaled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from proctor.core.clock import FixedClock
from proctor.platform import Workspace
from proctor.store.schema import journal_events

from .conftest import TestClient, form
from .firm import PASSWORD, Firm

Clients = Callable[[str], tuple[TestClient, str]]


def npi_views(ws: Workspace, alert_id: str) -> list[str]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(journal_events.c.actor)
            .where(journal_events.c.event_type == "npi.viewed", journal_events.c.subject_id == alert_id)
            .order_by(journal_events.c.seq)
        )
        return [r.actor for r in rows]


def test_a_reviewer_is_refused_the_principals_approval_page(client_for: Clients) -> None:
    client, _ = client_for("ravi")
    page = client.get("/approvals")
    assert page.status_code == 403
    assert "Not allowed" in page.text and "may not approve alert closings" in page.text
    assert client.get("/api/approvals").status_code == 403
    assert 'href="/approvals"' not in client.get("/").text


def test_a_reviewer_sees_only_their_own_queue(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    ws.alerts.assign(firm.ids["low0"], "ravi", actor="paula")
    ws.alerts.assign(firm.ids["low1"], "rita", actor="paula")
    client, _ = client_for("ravi")
    queue = client.get("/api/alerts", params={"status": "any"}).json()
    assert [a["id"] for a in queue["alerts"]] == [firm.ids["low0"]]
    assert queue["total"] == 1
    assert client.get(f"/alerts/{firm.ids['low1']}").status_code == 403
    dashboard = client.get("/api/dashboard").json()
    assert dashboard["open_total"] == 1


def test_a_principal_sees_every_queue(client_for: Clients, firm: Firm) -> None:
    client, _ = client_for("paula")
    assert client.get("/api/alerts").json()["total"] == len(firm.ids)


def test_an_auditor_reads_everything_and_changes_nothing(
    client_for: Clients, ws: Workspace, firm: Firm
) -> None:
    client, csrf = client_for("otto")
    alert_id = firm.ids["low2"]
    for path in ["/", "/alerts", f"/alerts/{alert_id}", "/cases", "/controls", "/journal"]:
        assert client.get(path).status_code == 200, path
    headers = {"X-CSRF-Token": csrf}
    attempts = [
        (f"/api/alerts/{alert_id}/assign", {"assignee": "otto"}),
        (f"/api/alerts/{alert_id}/start", {}),
        (
            f"/api/alerts/{alert_id}/close",
            {"disposition": "no_action", "rationale": "Looks fine to the auditor."},
        ),
        (f"/api/alerts/{alert_id}/notes", {"text": "auditor note"}),
        (f"/api/alerts/{alert_id}/escalate", {"title": "Audit", "rationale": "Escalating for audit."}),
        ("/api/controls/platform.control_health/run", {}),
    ]
    for path, body in attempts:
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 403, (path, answer.status_code, answer.text)
    assert ws.alerts.get(alert_id)["status"] == "new"
    page = client.get(f"/alerts/{alert_id}").text
    assert 'id="close-form"' not in page and 'action="/alerts/' not in page
    verify = client.post("/api/journal/verify", headers=headers)
    assert verify.status_code == 200 and verify.json()["intact"] is True


def test_self_review_is_refused_through_the_api(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    """Sam is a branch manager and the registered rep who sent the e-mail in question."""
    alert_id = firm.ids["guarantee"]
    client, csrf = client_for("sam")
    headers = {"X-CSRF-Token": csrf}
    for path, body in [
        (f"/api/alerts/{alert_id}/assign", {"assignee": "sam"}),
        (f"/api/alerts/{alert_id}/start", {}),
        (
            f"/api/alerts/{alert_id}/close",
            {"disposition": "no_action", "rationale": "Nothing wrong with it."},
        ),
    ]:
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 403, path
        assert "it concerns them (sam.ortiz@harborstreet.com)" in answer.json()["detail"]
    paula, paula_csrf = client_for("paula")
    to_sam = paula.post(
        f"/api/alerts/{alert_id}/assign", json={"assignee": "sam"}, headers={"X-CSRF-Token": paula_csrf}
    )
    assert to_sam.status_code == 403
    assert ws.alerts.get(alert_id)["status"] == "new"


def test_self_review_is_refused_through_the_web_page(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    alert_id = firm.ids["guarantee"]
    client, csrf = client_for("sam")
    page = client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200
    answer = client.post(
        f"/alerts/{alert_id}/close",
        data=form(csrf, disposition="false_positive", rationale="Standard marketing language, no concern."),
    )
    assert answer.status_code == 403
    assert "Not allowed" in answer.text and "concerns them" in answer.text
    assert ws.alerts.get(alert_id)["status"] == "new"


def test_every_view_of_an_alert_with_customer_npi_is_journaled(
    client_for: Clients, ws: Workspace, firm: Firm
) -> None:
    paula, _ = client_for("paula")
    otto, _ = client_for("otto")
    npi_alert = firm.ids["guarantee"]
    assert paula.get(f"/alerts/{npi_alert}").status_code == 200
    assert otto.get(f"/api/alerts/{npi_alert}").status_code == 200
    assert npi_views(ws, npi_alert) == ["paula", "otto"]
    assert paula.get(f"/alerts/{firm.ids['reserve']}").status_code == 200
    assert npi_views(ws, firm.ids["reserve"]) == []
    queue = paula.get("/api/alerts").json()
    assert all("evidence" not in a for a in queue["alerts"])
    assert npi_views(ws, npi_alert) == ["paula", "otto"]


def test_an_action_answer_never_carries_evidence(client_for: Clients, firm: Firm) -> None:
    client, csrf = client_for("paula")
    answer = client.post(
        f"/api/alerts/{firm.ids['guarantee']}/assign",
        json={"assignee": "ravi"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200
    assert answer.json()["assignee"] == "ravi" and "evidence" not in answer.json()


def test_only_those_allowed_may_run_a_control_now(
    client_for: Clients, ws: Workspace, clock: FixedClock
) -> None:
    ravi, ravi_csrf = client_for("ravi")
    before = len(ws.controls.history("platform.control_health"))
    refused = ravi.post("/controls/platform.control_health/run", data=form(ravi_csrf))
    assert refused.status_code == 403
    assert "Run now" not in ravi.get("/controls").text
    clock.advance(timedelta(hours=1))
    fiona, csrf = client_for("fiona")
    ran = fiona.post("/controls/platform.control_health/run", data=form(csrf), follow_redirects=False)
    assert ran.status_code == 303
    assert "platform.control_health ran: passed" in fiona.get(ran.headers["location"]).text
    runs = ws.controls.history("platform.control_health")
    assert len(runs) == before + 1
    assert runs[0]["actor"] == "fiona"


def sign_in_answer(client: TestClient, user: str, next_page: str) -> str:
    """Where the sign-in form sends the browser."""
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "login_token": token.group(1), "next": next_page},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return answer.headers["location"]


def test_the_auditor_lands_on_the_examiner_view_unless_he_asked_for_a_page(app: object) -> None:
    for user, next_page, landing in (
        ("otto", "/", "/examiner"),
        ("otto", "/journal/events", "/journal/events"),
        ("paula", "/", "/"),
        ("ravi", "/", "/"),
    ):
        with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
            assert sign_in_answer(client, user, next_page) == landing, user
            if landing == "/examiner":
                assert client.get(landing).status_code == 200
