"""Sessions, CSRF, headers: what stands between the internet and customer NPI.

The route tests enumerate `app.routes`, so a route added later is checked without anyone
remembering to add it here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import iter_route_contexts

from proctor.platform import Workspace
from proctor.store.schema import journal_events
from proctor.web import WebSettings, create_app

from .conftest import SECRET, TestClient, login
from .firm import Firm

PUBLIC = {"/login"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app: Any) -> Iterator[tuple[str, str]]:
    """(method, concrete path) for every route, path parameters filled with plausible values.

    Routers are included lazily by FastAPI, so the walk goes through `iter_route_contexts`.
    """
    for route in iter_route_contexts(app.routes):
        if not route.methods or not route.path:
            continue  # the static files mount
        path = route.path.replace("{action}", "note")
        path = re.sub(r"\{[^}]+\}", "ALR-0000", path)
        for method in sorted(route.methods):
            yield method, path


def test_the_app_has_pages_api_and_changes_to_check(app: Any) -> None:
    found = list(routes(app))
    assert ("GET", "/") in found and ("GET", "/api/alerts") in found
    assert sum(1 for m, _ in found if m in UNSAFE) >= 15


def test_every_route_but_login_refuses_a_request_without_a_session(app: Any, anonymous: TestClient) -> None:
    checked = 0
    for method, path in routes(app):
        if path in PUBLIC:
            continue
        answer = anonymous.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json() == {"detail": "sign in first"}
        else:
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/login")
        checked += 1
    assert checked >= 40


def test_unknown_paths_and_malformed_bodies_meet_the_login_check_first(anonymous: TestClient) -> None:
    assert anonymous.get("/admin/secrets", follow_redirects=False).status_code == 303
    bad_json = anonymous.post(
        "/api/alerts/ALR-1/close", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 401


def test_the_login_page_and_static_assets_answer_without_a_session(anonymous: TestClient) -> None:
    assert anonymous.get("/login").status_code == 200
    script = anonymous.get("/static/htmx.min.js")
    assert script.status_code == 200 and script.text.startswith("/*! htmx 2.")
    assert anonymous.get("/static/app.js").status_code == 200


def test_a_page_redirect_remembers_where_the_user_was_going(anonymous: TestClient) -> None:
    answer = anonymous.get("/alerts?severity=high", follow_redirects=False)
    assert answer.headers["location"] == "/login?next=%2Falerts%3Fseverity%3Dhigh"


def test_every_change_without_the_csrf_token_is_refused(
    app: Any, client_for: Callable[[str], tuple[TestClient, str]], ws: Workspace, firm: Firm
) -> None:
    client, _csrf = client_for("paula")
    alert_id = firm.ids["low0"]
    before = ws.alerts.get(alert_id)
    checked = 0
    for method, path in routes(app):
        if method not in UNSAFE or path in PUBLIC:
            continue
        path = path.replace("ALR-0000", alert_id)
        no_token = client.request(method, path, data={"text": "a note long enough"}, follow_redirects=False)
        wrong = client.request(
            method, path, json={"text": "x" * 20}, headers={"X-CSRF-Token": "forged"}, follow_redirects=False
        )
        assert no_token.status_code == 403, (method, path, no_token.status_code)
        assert wrong.status_code == 403, (method, path, wrong.status_code)
        checked += 1
    assert checked >= 15
    assert ws.alerts.get(alert_id) == before
    assert ws.alerts.notes(alert_id) == []


def test_the_login_form_needs_its_own_token(anonymous: TestClient) -> None:
    answer = anonymous.post(
        "/login", data={"username": "paula", "password": "proctor-demo", "login_token": "guess"}
    )
    assert answer.status_code == 403
    assert "proctor_session" not in answer.cookies


def test_a_wrong_password_gets_one_message_and_no_session(anonymous: TestClient) -> None:
    page = anonymous.get("/login")
    for user in ("paula", "nobody"):
        token = re.search(r'name="login_token" value="([^"]+)"', page.text)
        assert token
        page = anonymous.post(
            "/login", data={"username": user, "password": "wrong-password", "login_token": token.group(1)}
        )
        assert page.status_code == 401
        assert "Unknown user or wrong password." in page.text
    assert anonymous.get("/api/session").status_code == 401


def test_session_cookie_is_httponly_samesite_lax_and_secure_when_configured(ws: Workspace) -> None:
    secure_app = create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=True))
    with TestClient(secure_app, base_url="https://proctor.example") as client:
        login(client, "paula")
        page = client.get("/login?next=/", follow_redirects=False)
        assert page.status_code == 303  # already signed in
    with TestClient(secure_app, base_url="https://proctor.example") as client:
        form_page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form_page.text)
        assert token
        answer = client.post(
            "/login",
            data={"username": "paula", "password": "proctor-demo", "login_token": token.group(1)},
            follow_redirects=False,
        )
        cookie = next(
            v for k, v in answer.headers.multi_items() if k == "set-cookie" and "proctor_session" in v
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
        assert "strict-transport-security" in answer.headers


def test_security_headers_on_pages_api_static_and_errors(
    client_for: Callable[[str], tuple[TestClient, str]], anonymous: TestClient
) -> None:
    client, _ = client_for("ravi")
    answers = [
        client.get("/"),
        client.get("/api/alerts"),
        client.get("/alerts/ALR-NOPE"),
        anonymous.get("/static/app.css"),
        anonymous.get("/login"),
    ]
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert answers[0].headers["cache-control"] == "no-store"
    assert answers[2].status_code == 404


def test_pages_carry_no_inline_script_or_style(
    client_for: Callable[[str], tuple[TestClient, str]], firm: Firm
) -> None:
    client, _ = client_for("paula")
    for path in ["/", "/alerts", f"/alerts/{firm.ids['trade_through']}", "/controls", "/journal", "/cases"]:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert re.search(r" on[a-z]+=", html) is None, path


def test_logout_revokes_the_session_even_for_a_copied_cookie(
    client_for: Callable[[str], tuple[TestClient, str]], ws: Workspace
) -> None:
    client, csrf = client_for("ravi")
    stolen = client.cookies.get("proctor_session")
    answer = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    client.cookies.set("proctor_session", stolen or "")
    assert client.get("/api/session").status_code == 401
    with ws.read() as conn:
        types = [
            r.event_type
            for r in conn.execute(sa.select(journal_events).where(journal_events.c.actor == "ravi"))
        ]
    assert types[-2:] == ["user.login", "user.logout"]


def test_a_deactivated_user_is_signed_out_at_once(
    client_for: Callable[[str], tuple[TestClient, str]], ws: Workspace
) -> None:
    client, _ = client_for("rita")
    assert client.get("/api/session").status_code == 200
    ws.users.set_active("rita", False, actor="ada")
    assert client.get("/api/session").status_code == 401


def test_a_tampered_session_cookie_is_ignored(client_for: Callable[[str], tuple[TestClient, str]]) -> None:
    client, _ = client_for("ravi")
    value = client.cookies.get("proctor_session") or ""
    client.cookies.clear()
    client.cookies.set(
        "proctor_session", value.replace("ravi", "ada", 1) if "ravi" in value else value[:-2] + "xx"
    )
    assert client.get("/api/session").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(anonymous: TestClient, target: str) -> None:
    # a principal goes to "/", the auditor to his own start page: never to the target
    for user, landing in (("paula", "/"), ("otto", "/examiner")):
        anonymous.cookies.clear()
        page = anonymous.get("/login", params={"next": target})
        token = re.search(r'name="login_token" value="([^"]+)"', page.text)
        assert token
        answer = anonymous.post(
            "/login",
            data={
                "username": user,
                "password": "proctor-demo",
                "login_token": token.group(1),
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == landing, user


def test_openapi_document_describes_the_api_only(client_for: Callable[[str], tuple[TestClient, str]]) -> None:
    client, _ = client_for("otto")
    document = client.get("/api/openapi.json").json()
    paths = set(document["paths"])
    assert {"/api/alerts", "/api/alerts/{alert_id}/close", "/api/dashboard", "/api/journal/verify"} <= paths
    assert all(p.startswith("/api/") for p in paths)
