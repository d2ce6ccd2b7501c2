"""Fixtures for the web tests: a firm's workspace, the app over it, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from proctor.bootstrap import open_workspace
from proctor.core.clock import FixedClock
from proctor.platform import Workspace
from proctor.web import WebSettings, create_app

from .firm import PASSWORD, Firm, build_firm, renderers

SECRET = "test-secret-for-signing-sessions-0123456789abcdef"


@pytest.fixture
def clock() -> FixedClock:
    """Monday 5 January 2026, 14:00 UTC; tests move it forward to make alerts late."""
    return FixedClock()


@pytest.fixture
def firm(tmp_path: Path, clock: FixedClock, db_url: str) -> Firm:
    """On SQLite and on PostgreSQL (the `db_url` fixture of tests/conftest.py)."""
    return build_firm(tmp_path / "firm", clock, db_url)


@pytest.fixture
def ws(firm: Firm, clock: FixedClock) -> Iterator[Workspace]:
    workspace = open_workspace(firm.path, clock=clock)
    yield workspace
    workspace.close()


@pytest.fixture
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False), renderers())


def client(app: Any, user: str) -> tuple[TestClient, str]:
    """A test client signed in as `user`, and its CSRF token."""
    c = TestClient(app, base_url="http://127.0.0.1")
    return c, login(c, user)


def login(client: TestClient, user: str, password: str = PASSWORD) -> str:
    """Sign in through the login form, as a browser does; returns the session's CSRF token."""
    page = client.get("/login")
    match = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert match, "login form has no token"
    answer = client.post(
        "/login",
        data={"username": user, "password": password, "login_token": match.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(client.get("/api/session").json()["csrf_token"])


@pytest.fixture
def client_for(app: Any) -> Iterator[Callable[[str], tuple[TestClient, str]]]:
    """A signed-in client per user: `client, csrf = client_for("ravi")`."""
    clients: list[TestClient] = []

    def make(user: str) -> tuple[TestClient, str]:
        client = TestClient(app, base_url="http://127.0.0.1")
        clients.append(client)
        return client, login(client, user)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def anonymous(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def form(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, **fields}
