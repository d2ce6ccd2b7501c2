"""One approvals inbox for every two-person item: the proposer never gets an approve button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proctor.platform import Workspace
from proctor.platform.alerts import AlertQuery
from proctor.reserve import governance
from proctor.review import store
from proctor.web import WebSettings, create_app

from .conftest import SECRET, client
from .demo_firm import demo_copy, open_copy
from .test_review_pages import propose_sampling_change


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = open_copy(demo_copy(tmp_path_factory, "approvals-inbox"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def row_of(page: str, item_id: str) -> str:
    found = re.search(
        r'<tr class="inbox-item"[^>]*data-id="' + re.escape(item_id) + r'">(.*?)</tr>', page, re.S
    )
    assert found, f"{item_id} is in the inbox"
    return found.group(1)


def test_the_inbox_gathers_every_module_and_the_proposer_gets_no_approve_button(
    app: Any, ws: Workspace, tmp_path: Path
) -> None:
    version = propose_sampling_change(ws, tmp_path, "carl")
    formula = governance.propose(
        ws, actor="fiona", kind="parameter",
        changes=[{"op": "set_param", "name": "variance_abs", "value": "150000.00"}],
        reason="Lower the variance review threshold after the week-four feed change went unnoticed.",
        new_version="exhibit-a-2025.1-firm.3",
    )  # fmt: skip
    pending_alert = ws.alerts.query(AlertQuery(status="pending_approval"))[0][0]
    carl, _ = client(app, "carl")
    page = carl.get("/approvals").text
    own = row_of(page, version["id"])
    assert "Your own proposal" in own and ">Approve<" not in own
    assert ">Approve<" in row_of(page, formula["id"]) and ">Approve<" in row_of(page, pending_alert["id"])
    kinds = {i["kind"] for i in carl.get("/api/approvals").json()["items"]}
    assert {"policy", "formula", "alert"} <= kinds
    fiona, _ = client(app, "fiona")
    mine = fiona.get("/approvals").text
    assert "Your own proposal" in row_of(mine, formula["id"])
    assert ">Approve<" in row_of(mine, version["id"])  # the FINOP may approve policy changes


def test_a_principal_approves_a_version_another_proposed_and_the_proposer_cannot(
    app: Any, ws: Workspace
) -> None:
    with ws.read() as conn:
        version = next(v for v in store.list_versions(conn) if v["status"] == "proposed")
    carl, carl_csrf = client(app, "carl")
    own = carl.post(
        f"/approvals/policy/{version['id']}/approve", data={"csrf_token": carl_csrf, "rationale": "ok"}
    )
    assert own.status_code == 403 and "proposer cannot approve" in own.text
    paula, csrf = client(app, "paula")
    forged = paula.post(f"/approvals/policy/{version['id']}/approve", data={"rationale": "Reviewed."})
    assert forged.status_code == 403
    short = paula.post(
        f"/approvals/policy/{version['id']}/reject", data={"csrf_token": csrf, "rationale": "no"}
    )
    assert short.status_code == 400
    done = paula.post(
        f"/approvals/policy/{version['id']}/approve",
        data={"csrf_token": csrf, "rationale": "Seed rotation and rate agree with the annual WSP review."},
    )
    assert done.status_code == 200 and f"{version['id']} approved" in done.text
    with ws.read() as conn:
        row = store.get_version(conn, version["id"])
    assert (row["status"], row["decided_by"]) == ("active", "paula")
    assert version["id"] not in paula.get("/approvals").text


def test_a_formula_change_needs_two_approvers_then_replays(app: Any, ws: Workspace) -> None:
    proposal = next(p for p in governance.list_proposals(ws) if p["status"] == "open")
    paula, p_csrf = client(app, "paula")
    first = paula.post(
        f"/api/approvals/formula/{proposal['id']}/approve", json={}, headers={"X-CSRF-Token": p_csrf}
    )
    assert first.status_code == 200
    again = paula.get("/approvals").text
    assert ">Approve<" not in row_of(again, proposal["id"])  # no second vote by the same person
    carl, c_csrf = client(app, "carl")
    second = carl.post(
        f"/approvals/formula/{proposal['id']}/approve", data={"csrf_token": c_csrf, "rationale": ""}
    )
    assert second.status_code == 200
    row = governance.get_proposal(ws, proposal["id"])
    assert row["status"] == "approved" and row["replay"]


def test_a_reviewer_and_an_auditor_decide_nothing(app: Any) -> None:
    for user in ("ravi", "otto"):
        c, csrf = client(app, user)
        assert c.get("/approvals").status_code == 403
        assert c.post("/approvals/policy/RPV-X/approve", data={"csrf_token": csrf}).status_code in (403, 404)


def test_an_unknown_kind_or_verdict_is_refused(app: Any) -> None:
    paula, csrf = client(app, "paula")
    assert paula.post("/approvals/lunch/X/approve", data={"csrf_token": csrf}).status_code == 404
    assert paula.post("/approvals/policy/X/maybe", data={"csrf_token": csrf}).status_code == 400
