"""Nobody reviews a message they sent or received (FINRA 3110(b)(6)): not by CLI, API or web page.

Dana is a branch manager (a principal) who is also a registered representative: she may see the
review queue, and she may not decide on her own e-mail however she tries.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from proctor.core.evidence import RendererRegistry
from proctor.platform import Workspace
from proctor.review.evidence import EVIDENCE_RENDERERS
from proctor.review.run import select
from proctor.web import WebSettings, create_app
from tests.review.review_support import build_desk, item_for

PASSWORD = "correct horse"
SECRET = "test-secret-for-signing-sessions-0123456789abcdef"
CONCERNS_DANA = "it concerns them (dana@harborstreet.com)"

CLI = """
import sys
from proctor.cli.common import fail
from proctor.cli.review_cmd import app
from proctor.core.errors import ProctorError
try:
    app(args=sys.argv[1:], prog_name="proctor review")
except ProctorError as error:
    fail(error)
"""


@pytest.fixture
def dana_item(ws: Workspace, tmp_path: Path) -> str:
    """The review item on Dana's own e-mail to a client ('risk free', 'guaranteed return')."""
    ws.users.add("dana", "principal", actor="ada", password=PASSWORD, identities=["dana@harborstreet.com"])
    desk = build_desk(ws, tmp_path / "desk")
    select(ws, "paula")
    alert = item_for(ws, desk.ids["guarantee"])
    assert alert is not None and alert["status"] == "assigned"
    return str(alert["id"])


def proctor_review(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    """`proctor review ...` in its own process (through `proctor` once the group is registered)."""
    from proctor.cli.main import app

    if "review" in {g.name for g in app.registered_groups}:
        command = [sys.executable, "-c", "from proctor.cli.main import run; run()", "review", *args]
    else:
        command = [sys.executable, "-c", CLI, *args]
    env = {**os.environ, "PROCTOR_WORKSPACE": str(ws.path), "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_by_cli(ws: Workspace, dana_item: str) -> None:
    for action in ("no_issue", "escalate", "request_info"):
        refused = proctor_review(
            ws,
            "decide",
            dana_item,
            "--action",
            action,
            "--rationale",
            "My own e-mail is fine.",
            "--as",
            "dana",
        )
        assert refused.returncode == 2, refused.stderr
        assert CONCERNS_DANA in " ".join(refused.stderr.split())
        assert "Traceback" not in refused.stderr
    assert ws.alerts.get(dana_item)["status"] == "assigned"
    allowed = proctor_review(
        ws,
        "decide",
        dana_item,
        "--action",
        "no_issue",
        "--rationale",
        "Coupon as in the prospectus.",
        "--as",
        "ravi",
    )
    assert allowed.returncode == 0, allowed.stderr
    assert f"{dana_item}: closed as no_action" in allowed.stdout


@pytest.fixture
def client_for(ws: Workspace) -> Iterator:  # type: ignore[type-arg]
    registry = RendererRegistry()
    for kind, renderer in EVIDENCE_RENDERERS.items():
        registry.register(kind, renderer)
    app = create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False), registry)
    clients: list[TestClient] = []

    def make(user: str) -> tuple[TestClient, str]:
        client = TestClient(app, base_url="http://127.0.0.1")
        clients.append(client)
        page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text)
        assert token is not None
        answer = client.post(
            "/login",
            data={"username": user, "password": PASSWORD, "login_token": token.group(1), "next": "/"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return client, str(client.get("/api/session").json()["csrf_token"])

    yield make
    for client in clients:
        client.close()


def test_by_api(ws: Workspace, dana_item: str, client_for) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for("dana")
    headers = {"X-CSRF-Token": csrf}
    assert client.get(f"/api/alerts/{dana_item}").status_code == 200, "seeing it is not reviewing it"
    attempts = [
        ("start", {}),
        ("assign", {"assignee": "dana"}),
        ("close", {"disposition": "no_action", "rationale": "My own e-mail is fine."}),
        ("notes", {"text": "Information requested: nothing, it is mine."}),
        ("escalate", {"rationale": "Escalating my own e-mail.", "title": "Mine"}),
    ]
    for action, body in attempts:
        answer = client.post(f"/api/alerts/{dana_item}/{action}", json=body, headers=headers)
        assert answer.status_code == 403, (action, answer.text)
        assert CONCERNS_DANA in answer.json()["detail"]
    paula, paula_csrf = client_for("paula")
    to_dana = paula.post(
        f"/api/alerts/{dana_item}/assign", json={"assignee": "dana"}, headers={"X-CSRF-Token": paula_csrf}
    )
    assert to_dana.status_code == 403
    alert = ws.alerts.get(dana_item)
    assert (alert["status"], alert["assignee"]) == ("assigned", "ravi")
    assert ws.alerts.notes(dana_item) == []


def test_by_web_page(ws: Workspace, dana_item: str, client_for) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for("dana")
    page = client.get(f"/alerts/{dana_item}")
    assert page.status_code == 200
    assert "<mark" in page.text and "risk free" in page.text, "the hits are highlighted"
    answer = client.post(
        f"/alerts/{dana_item}/close",
        data={
            "csrf_token": csrf,
            "disposition": "no_action",
            "rationale": "Standard wording, nothing promised.",
        },
    )
    assert answer.status_code == 403
    assert "Not allowed" in answer.text and "concerns them" in answer.text
    assert ws.alerts.get(dana_item)["status"] == "assigned"
