"""The FINOP's week in the web app: Exhibit A, a line down to accounts, variances, sign-off.

Runs on a copy of the demo firm, whose last two weeks are computed and not yet signed off and
whose fourth week was put on HOLD by the input gates (the new feed dropped two columns).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from proctor.platform import Workspace
from proctor.reserve import service
from proctor.store.schema import journal_events
from proctor.web import WebSettings, create_app

from .conftest import SECRET, client
from .demo_firm import demo_copy, open_copy


@pytest.fixture(scope="module")
def firm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(tmp_path_factory, "reserve-pages")


@pytest.fixture(scope="module")
def ws(firm_path: Path) -> Iterator[Workspace]:
    workspace = open_copy(firm_path)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def open_computation(ws: Workspace) -> dict[str, Any]:
    """The newest customer computation of record that still waits for review."""
    return next(r for r in service.history(ws, "customer") if r["status"] == "COMPUTED")


def test_the_finop_lands_on_the_reserve_page(app: Any) -> None:
    fiona, _ = client(app, "fiona")
    answer = fiona.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/reserve"
    page = fiona.get("/reserve").text
    assert "Computation history" in page and "<strong>HOLD:</strong>" in page
    assert re.search(r"\$\d{1,3}(,\d{3})*\.\d{2}", page), "amounts are shown as money"


def test_a_hold_shows_its_gate_reasons_and_offers_no_sign_off(app: Any, ws: Workspace) -> None:
    fiona, _ = client(app, "fiona")
    held = [r for r in service.history(ws, "customer") if r["gates"]["status"] != "PASS"]
    assert held, "the demo's fourth week was held by the gates"
    hold = held[0]
    page = fiona.get(f"/reserve/{hold['id']}").text
    failed = [g["reason"] for g in hold["gates"]["gates"] if not g["passed"]]
    assert failed and failed[0] in page.replace("&#39;", "'")
    assert "On HOLD" in page and 'action="/reserve/' + hold["id"] + '/signoff"' not in page
    assert "Exhibit A</h2>" not in page


def test_a_line_drills_down_to_accounts_and_the_view_is_journaled(app: Any, ws: Workspace) -> None:
    fiona, _ = client(app, "fiona")
    row = open_computation(ws)
    page = fiona.get(f"/reserve/{row['id']}").text
    assert f'href="/reserve/{row["id"]}/lines/1"' in page
    focus = page.split('id="focus"', 1)[1].split("</section>", 1)[0]  # the figures as filed, in whole dollars
    requirement = -(-row["requirement"] // 100)  # the requirement rounds up to the dollar, never down
    assert "FOCUS Part II, as filed" in focus and f"${requirement:,}" in focus and "date of deposit" in focus
    line = fiona.get(f"/reserve/{row['id']}/lines/1").text
    total = row["lines"]["1"]
    assert f"${total // 100:,}.{total % 100:02d}" in line
    assert "accounts.free_credit" in line and "accounts.csv" in line
    account = re.search(r'lines/1\?account=([A-Z0-9]+)"', line)
    assert account, "each account links to its own rows"
    one = fiona.get(f"/reserve/{row['id']}/lines/1", params={"account": account.group(1)}).text
    assert account.group(1) in one and "all accounts" in one
    with ws.read() as conn:
        viewed = conn.execute(
            sa.select(journal_events.c.actor, journal_events.c.payload).where(
                journal_events.c.event_type == "reserve.lineage.viewed",
                journal_events.c.subject_id == row["id"],
            )
        ).all()
    assert [v.actor for v in viewed] == ["fiona", "fiona"]


def test_a_deficiency_shows_its_deadline_in_eastern_time_beside_utc(app: Any, ws: Workspace) -> None:
    fiona, _ = client(app, "fiona")
    short = next(r for r in service.history(ws) if (r["deficiency"] or 0) > 0)
    page = fiona.get(f"/reserve/{short['id']}").text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)", page)
    assert "15c3-3(i) notice" in page
    assert "Deposit deadlines and notices" in fiona.get("/reserve").text


def test_variances_are_explained_then_the_computation_is_signed_off(app: Any, ws: Workspace) -> None:
    fiona, csrf = client(app, "fiona")
    row = open_computation(ws)
    keys = service.open_variances(row)
    assert keys, "the demo leaves the last weeks' variances for the FINOP"
    early = fiona.post(
        f"/reserve/{row['id']}/signoff", data={"csrf_token": csrf, "statement": "All reviewed."}
    )
    assert early.status_code in (400, 409) and "explain these variances" in early.text
    short = fiona.post(
        f"/reserve/{row['id']}/variances", data={"csrf_token": csrf, "key": keys[0], "text": "grew"}
    )
    assert short.status_code == 400 and "20 characters" in short.text
    for key in keys:
        answer = fiona.post(
            f"/reserve/{row['id']}/variances",
            data={
                "csrf_token": csrf,
                "key": key,
                "text": "Customer balances grew with new accounts; tied to the GL.",
            },
        )
        assert answer.status_code == 200 and f"Variance {key} explained" in answer.text
    done = fiona.post(
        f"/reserve/{row['id']}/signoff",
        data={"csrf_token": csrf, "statement": "Reviewed Exhibit A against the GL tie-outs and lineage."},
    )
    assert done.status_code == 200 and "signed off" in done.text
    assert service.get_computation(ws, row["id"])["status"] == "SIGNED_OFF"


def test_only_the_finop_signs_off_and_forms_need_the_csrf_token(app: Any, ws: Workspace) -> None:
    row = next(r for r in service.history(ws, "pab") if r["status"] == "COMPUTED")
    paula, csrf = client(app, "paula")
    assert paula.get(f"/reserve/{row['id']}").status_code == 200  # principals read the reserve
    refused = paula.post(
        f"/reserve/{row['id']}/signoff", data={"csrf_token": csrf, "statement": "Looks right to me."}
    )
    assert refused.status_code == 403
    fiona, _ = client(app, "fiona")
    forged = fiona.post(f"/reserve/{row['id']}/signoff", data={"statement": "Reviewed and signed."})
    assert forged.status_code == 403
    assert service.get_computation(ws, row["id"])["status"] == "COMPUTED"


def test_a_formula_proposal_shows_its_diff_and_replay(app: Any, ws: Workspace) -> None:
    from proctor.reserve import governance

    proposal = governance.list_proposals(ws)[0]
    otto, _ = client(app, "otto")
    page = otto.get(f"/reserve/proposals/{proposal['id']}").text
    assert "item 1 mapping" in page and "other.dividend_payable" in page
    first = proposal["replay"][0]
    assert f"${first['new_requirement'] // 100:,}" in page
