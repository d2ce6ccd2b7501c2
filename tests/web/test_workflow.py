"""Working alerts and cases through the pages and the API, as reviewers and principals do."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.platform import Workspace

from .conftest import TestClient, form
from .firm import Firm

Clients = Callable[[str], tuple[TestClient, str]]


def test_a_reviewer_works_an_alert_from_queue_to_closed(
    client_for: Clients, ws: Workspace, firm: Firm
) -> None:
    alert_id = firm.ids["low0"]
    paula, paula_csrf = client_for("paula")
    assigned = paula.post(f"/alerts/{alert_id}/assign", data=form(paula_csrf, assignee="ravi"))
    assert assigned.status_code == 200 and f"{alert_id} assigned to ravi" in assigned.text

    ravi, csrf = client_for("ravi")
    queue = ravi.get("/alerts").text
    assert f'data-href="/alerts/{alert_id}"' in queue
    assert "Start review" in ravi.get(f"/alerts/{alert_id}").text
    ravi.post(f"/alerts/{alert_id}/start", data=form(csrf))
    too_short = ravi.post(
        f"/alerts/{alert_id}/close", data=form(csrf, disposition="no_action", rationale="ok")
    )
    assert too_short.status_code == 409
    assert "rationale of at least 10 characters" in too_short.text
    closed = ravi.post(
        f"/alerts/{alert_id}/close",
        data=form(csrf, disposition="no_action", rationale="Sampled message is a routine settlement notice."),
    )
    assert closed.status_code == 200
    assert f"{alert_id} closed as no_action" in closed.text
    row = ws.alerts.get(alert_id)
    assert (row["status"], row["disposition"], row["assignee"]) == ("closed", "no_action", "ravi")
    history = closed.text.split('id="history"')[1]
    for event in ("alert.raised", "alert.assigned", "alert.review_started", "alert.closed"):
        assert event in history
    assert "status → closed" in history


def test_four_eyes_a_reviewer_proposes_and_a_principal_approves(
    client_for: Clients, ws: Workspace, firm: Firm
) -> None:
    alert_id = firm.ids["trade_through"]
    ws.alerts.assign(alert_id, "ravi", actor="paula")
    ravi, csrf = client_for("ravi")
    headers = {"X-CSRF-Token": csrf}
    assert ravi.post(f"/api/alerts/{alert_id}/start", headers=headers).status_code == 200
    proposed = ravi.post(
        f"/api/alerts/{alert_id}/close",
        json={
            "disposition": "false_positive",
            "rationale": "Quote was stale: NYSE bid was withdrawn 5 ms earlier.",
        },
        headers=headers,
    ).json()
    assert proposed["status"] == "pending_approval" and proposed["proposed_by"] == "ravi"
    own = ravi.post(f"/api/alerts/{alert_id}/approve", json={}, headers=headers)
    assert own.status_code == 403

    paula, paula_csrf = client_for("paula")
    pending = paula.get("/approvals").text
    assert alert_id in pending and "ravi" in pending
    page = paula.get(f"/alerts/{alert_id}").text
    assert 'id="approve-form"' in page and "Awaiting second approval" in page
    approved = paula.post(f"/alerts/{alert_id}/approve", data=form(paula_csrf, comment="Agree: stale quote."))
    assert "closed as false_positive" in approved.text
    row = ws.alerts.get(alert_id)
    assert (row["status"], row["approved_by"], row["disposition"]) == ("closed", "paula", "false_positive")
    assert alert_id not in paula.get("/approvals").text


def test_a_principal_sends_a_proposed_closing_back(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    alert_id = firm.ids["access"]
    ws.alerts.assign(alert_id, "rita", actor="paula")
    ws.alerts.close(alert_id, "no_action", "Access was by IT for the offboarding audit.", actor="rita")
    paula, csrf = client_for("paula")
    sent_back = paula.post(
        f"/alerts/{alert_id}/reject", data=form(csrf, reason="Show the offboarding ticket before closing.")
    )
    assert sent_back.status_code == 200
    assert ws.alerts.get(alert_id)["status"] == "in_review"
    assert "Closing rejected: Show the offboarding ticket" in sent_back.text


def test_escalating_an_alert_opens_a_case_with_it(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    alert_id = firm.ids["reserve"]
    paula, csrf = client_for("paula")
    answer = paula.post(
        f"/alerts/{alert_id}/escalate",
        data=form(
            csrf, title="Reserve feed omits short market value", rationale="Systemic: affects every week."
        ),
        follow_redirects=False,
    )
    assert answer.status_code == 303
    case_url = answer.headers["location"]
    case_id = case_url.rsplit("/", 1)[1]
    page = paula.get(case_url).text
    assert "Reserve feed omits short market value" in page and alert_id in page
    paula.post(f"{case_url}/note", data=form(csrf, text="Asked operations for the feed specification."))
    paula.post(f"{case_url}/investigate", data=form(csrf))
    closed = paula.post(
        f"{case_url}/close", data=form(csrf, text="Feed fixed; recomputed 32 weeks; FOCUS amended.")
    )
    assert closed.status_code == 200
    case = ws.cases.get(case_id)
    assert case["status"] == "closed" and [a["id"] for a in case["alerts"]] == [alert_id]
    assert "Asked operations for the feed specification." in closed.text
    assert "case.investigating" in closed.text and "case.closed" in closed.text
    assert ws.alerts.get(alert_id)["disposition"] == "escalated"
    listed = paula.get("/api/cases").json()
    assert listed["cases"][0]["alert_count"] == 1


def test_a_second_alert_joins_an_existing_case(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    case_id = ws.cases.open_case("Lexicon hits by one rep", actor="paula", alert_ids=[firm.ids["low1"]])
    paula, csrf = client_for("paula")
    answer = paula.post(
        f"/api/alerts/{firm.ids['low2']}/escalate",
        json={"case_id": case_id, "rationale": "Same mailbox as the alert already in the case."},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.json() == {"case_id": case_id}
    assert len(paula.get(f"/api/cases/{case_id}").json()["case"]["alerts"]) == 2


def test_the_queue_filters_sorts_and_pages_on_the_server(client_for: Clients, firm: Firm) -> None:
    client, _ = client_for("paula")
    first = client.get("/api/alerts", params={"page_size": 3, "sort": "severity"}).json()
    assert first["total"] == 7 and first["pages"] == 3 and len(first["alerts"]) == 3
    assert first["alerts"][0]["severity"] == "critical"
    last = client.get("/api/alerts", params={"page_size": 3, "page": 3}).json()
    assert len(last["alerts"]) == 1
    high = client.get("/api/alerts", params={"severity": "high"}).json()
    assert {a["id"] for a in high["alerts"]} == {firm.ids["trade_through"], firm.ids["access"]}
    assert client.get("/api/alerts", params={"module": "reserve"}).json()["total"] == 1
    assert client.get("/api/alerts", params={"q": "ACME"}).json()["total"] == 1
    assert client.get("/api/alerts", params={"control": "review.sampling"}).json()["total"] == 3
    bad = client.get("/api/alerts", params={"sort": "colour"})
    assert bad.status_code == 400 and bad.json()["field"] == "sort"


def test_the_queue_filter_form_swaps_only_the_results_for_htmx(client_for: Clients) -> None:
    client, _ = client_for("paula")
    partial = client.get(
        "/alerts", params={"severity": "low"}, headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert partial.text.lstrip().startswith('<div id="queue-results">')
    assert "<html" not in partial.text and partial.text.count('class="row') == 3
    full = client.get("/alerts", params={"severity": "low"})
    assert "<html" in full.text and 'id="queue-filters"' in full.text


def test_alerts_export_as_csv_with_formulas_neutralised(client_for: Clients, ws: Workspace) -> None:
    ws.alerts.raise_alert(
        AlertDraft(
            control="comms.lexicon",
            rule_id="FINRA 2210",
            rule_version="1",
            title="=HYPERLINK('http://evil.example','click')",
            severity=Severity.LOW,
            subjects=(Subject("person", "x@harborstreet.com"),),
            evidence={},
        ),
        actor="ada",
    )
    client, _ = client_for("paula")
    answer = client.get("/alerts/export.csv", params={"module": "comms"})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 2
    assert {r["title"][:1] for r in rows} >= {"'"}
    assert rows[0]["module"] == "comms"


def test_every_list_exports_as_csv(client_for: Clients) -> None:
    client, _ = client_for("otto")
    for path, column in [
        ("/alerts/export.csv", "severity"),
        ("/cases/export.csv", "title"),
        ("/controls/export.csv", "last_outcome"),
        ("/controls/runs.csv", "input_count"),
        ("/journal/export.csv", "event_type"),
    ]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        header = next(csv.reader(io.StringIO(answer.text)))
        assert column in header, path


def test_verify_now_shows_the_result_in_place(client_for: Clients) -> None:
    client, csrf = client_for("otto")
    page = client.get("/journal").text
    assert "Latest signed tree head" in page and "Root hash" in page
    partial = client.post("/journal/verify", headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert 'data-intact="true"' in partial.text and "<html" not in partial.text
    full = client.post("/journal/verify", data=form(csrf))
    assert "Intact." in full.text and "Root hash" in full.text


def test_a_journal_page_pages_back_through_older_events(client_for: Clients) -> None:
    client, _ = client_for("otto")
    latest = client.get("/api/journal").json()
    assert latest["head"]["tree_size"] >= 10
    older = client.get("/api/journal", params={"before": latest["events"][-1]["seq"]}).json()
    assert all(e["seq"] < latest["events"][-1]["seq"] for e in older["events"])


def test_a_control_page_shows_its_runs(client_for: Clients) -> None:
    client, _ = client_for("paula")
    page = client.get("/controls/platform.journal_integrity").text
    assert 'class="chart chart-columns"' in page and "SEA 17a-4(f)(2)(i)(A)" in page
    assert client.get("/controls/no.such").status_code == 404
    data = client.get("/api/controls/platform.journal_integrity").json()
    assert data["runs"][0]["outcome"] == "passed"
