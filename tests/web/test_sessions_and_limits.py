"""Sessions that stay revoked, sign-in that resists guessing, and requests that cannot exhaust memory."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.testclient import TestClient

from proctor.core.errors import PermissionDenied
from proctor.platform import Workspace
from proctor.platform import users as users_module
from proctor.platform.alerts import AlertQuery
from proctor.web import WebSettings, create_app
from proctor.web.session import SESSION_COOKIE

from .conftest import SECRET, login
from .firm import PASSWORD, renderers


def fresh_app(ws: Workspace) -> Any:
    """Another server process over the same workspace (or the same one after a restart)."""
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False), renderers())


def try_login(client: TestClient, user: str, password: str) -> int:
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login",
        data={"username": user, "password": password, "login_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    return answer.status_code


def test_a_logged_out_cookie_is_refused_by_a_restarted_server(ws: Workspace, app: Any) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "paula")
        cookie = client.cookies.get(SESSION_COOKIE)
        assert (
            client.post("/logout", headers={"x-csrf-token": csrf}, follow_redirects=False).status_code == 303
        )
    with TestClient(fresh_app(ws), base_url="http://127.0.0.1") as restarted:
        restarted.cookies.set(SESSION_COOKIE, cookie)
        assert restarted.get("/api/session").status_code == 401


def test_a_session_is_shared_by_every_server_process(ws: Workspace, app: Any) -> None:
    other = fresh_app(ws)
    with (
        TestClient(app, base_url="http://127.0.0.1") as first,
        TestClient(other, base_url="http://127.0.0.1") as second,
    ):
        csrf = login(first, "paula")
        second.cookies.set(SESSION_COOKIE, first.cookies.get(SESSION_COOKIE))
        assert second.get("/api/session").json()["user"] == "paula"
        first.post("/logout", headers={"x-csrf-token": csrf}, follow_redirects=False)
        assert second.get("/api/session").status_code == 401  # the logout reached the other process


def test_a_password_change_signs_out_every_session(
    ws: Workspace, client_for: Callable[[str], tuple[TestClient, str]]
) -> None:
    client, _ = client_for("ravi")
    assert client.get("/api/session").status_code == 200
    ws.users.set_password("ravi", "a brand new secret", actor="ravi")
    assert client.get("/api/session").status_code == 401


def test_guessing_a_password_locks_the_account_until_an_admin_unlocks(
    ws: Workspace, anonymous: TestClient
) -> None:
    for _ in range(5):
        assert try_login(anonymous, "rita", "guess") == 401
    assert try_login(anonymous, "rita", PASSWORD) == 429  # even the right password, while locked
    page = anonymous.get("/login")
    assert page.status_code == 200
    ws.users.throttle.unlock("rita", actor="ada")
    assert try_login(anonymous, "rita", PASSWORD) == 303


def test_guessing_across_accounts_locks_the_client_address(ws: Workspace, anonymous: TestClient) -> None:
    for n in range(20):
        try_login(anonymous, f"nobody{n}", "guess")
    assert try_login(anonymous, "paula", PASSWORD) == 429
    ws.users.throttle.unlock("", actor="ada", address="testclient")
    assert try_login(anonymous, "paula", PASSWORD) == 303


def test_unknown_users_cost_a_full_password_check(monkeypatch: Any, ws: Workspace) -> None:
    checked: list[str] = []
    real = users_module._hasher

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            checked.append(hash_)
            return bool(real.verify(hash_, password))

    monkeypatch.setattr(users_module, "_hasher", Counting())
    for name in ("nobody-here", "paula"):
        with contextlib.suppress(PermissionDenied):
            ws.users.authenticate(name, "wrong password")
    assert len(checked) == 2  # one argon2 verification each, known or not
    assert checked[0] == users_module._DUMMY_HASH


def test_request_bodies_are_limited_on_every_route(
    ws: Workspace, client_for: Callable[[str], tuple[TestClient, str]], anonymous: TestClient
) -> None:
    small = create_app(
        ws, WebSettings(secret_key=SECRET, secure_cookies=False, max_body_bytes=4096), renderers()
    )
    with TestClient(small, base_url="http://127.0.0.1") as client:
        csrf = login(client, "paula")
        big = "x" * 10_000
        declared = client.post("/api/alerts/ALR-X/notes", json={"text": big}, headers={"x-csrf-token": csrf})
        assert declared.status_code == 413

        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b"text=" + b"y" * 1000

        streamed = client.post(
            "/alerts/ALR-X/notes",
            content=chunks(),
            headers={"x-csrf-token": csrf, "content-type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413
        assert client.post("/login", content=b"u" * 10_000).status_code == 413  # before sign-in too
        assert client.get("/api/session").status_code == 200  # ordinary requests pass


def test_a_reviewer_exports_only_the_journal_he_may_read(
    ws: Workspace, client_for: Callable[[str], tuple[TestClient, str]]
) -> None:
    rita, _ = client_for("rita")
    principal, _ = client_for("paula")
    everything = list(csv.DictReader(io.StringIO(principal.get("/journal/export.csv").text)))
    hers = list(csv.DictReader(io.StringIO(rita.get("/journal/export.csv").text)))
    rows, _ = ws.alerts.query(AlertQuery(assignee="rita", status="any"))
    her_alerts = {r["id"] for r in rows}
    about_alerts = {r["subject_id"] for r in hers if r["subject_kind"] == "alert"}
    assert about_alerts <= her_alerts
    assert {r["subject_id"] for r in everything if r["subject_kind"] == "alert"} - her_alerts  # others exist
    assert all(r["actor"] == "rita" or r["subject_kind"] in ("alert", "case") for r in hers)

