"""The examiner's 8210 view: a period and a custodian give the records, alerts, reviews and control
runs, read only; a production of those records is made, downloaded and verified, in Chromium too."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from proctor.comms import api as comms
from proctor.platform import Workspace
from proctor.store.schema import control_runs, journal_events
from proctor.web import WebSettings, create_app

from . import test_browser as first_browser_tests
from .conftest import SECRET, client
from .demo_firm import demo_copy, open_copy
from .test_browser import CHROMIUM, free_port, serve_command, wait_until_up
from .test_roles_browser import Demo, shot, sign_in

browser_type_launch_args = first_browser_tests.browser_type_launch_args
base_url = first_browser_tests.base_url
console_errors = first_browser_tests.console_errors
CUSTODIAN = "dana.whitfield@harborstreet.com"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = open_copy(demo_copy(tmp_path_factory, "examiner"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def period(ws: Workspace) -> dict[str, str]:
    """The demo firm is built today: its period is the span of its control runs."""
    with ws.read() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(control_runs.c.as_of), sa.func.max(control_runs.c.as_of))
        ).one()
    return {"since": first.date().isoformat(), "until": last.date().isoformat()}


def test_the_examiner_gathers_the_custodians_records_alerts_reviews_and_runs(app: Any, ws: Workspace) -> None:
    otto, _ = client(app, "otto")
    span = period(ws)
    package = otto.get("/api/examiner", params={**span, "custodian": CUSTODIAN}).json()
    records = package["records"]
    assert records["total"] > 0 and records["rows"]
    with ws.read() as conn:
        for row in records["rows"][:20]:
            message = comms.get_message(conn, row["id"])
            assert CUSTODIAN in {p["address"] for p in message["participants"]}
            assert span["since"] <= message["sent_at"].date().isoformat() <= span["until"]
        runs = conn.execute(sa.select(sa.func.count()).select_from(control_runs)).scalar_one()
    assert package["alerts"] and all(CUSTODIAN in a["subject_text"] for a in package["alerts"])
    assert len(package["runs"]) == runs  # every run of the period, whoever the custodian
    alert_ids = {a["id"] for a in package["alerts"]}
    assert package["reviews"] and all(r["alert_id"] in alert_ids for r in package["reviews"])
    everyone = otto.get("/api/examiner", params=span).json()
    assert everyone["records"]["total"] > records["total"] and len(everyone["alerts"]) > len(
        package["alerts"]
    )
    sheet = otto.get("/examiner/alerts.csv", params={**span, "custodian": CUSTODIAN})
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [r["id"] for r in rows] == [a["id"] for a in package["alerts"]]
    assert otto.get("/examiner/nothing.csv", params=span).status_code == 400
    assert otto.get("/examiner", params={**span, "since": "Q3"}).status_code == 400


def test_a_reviewer_has_no_examiner_view(app: Any, ws: Workspace) -> None:
    ravi, csrf = client(app, "ravi")
    assert ravi.get("/examiner", params=period(ws)).status_code == 403
    refused = ravi.post(
        "/examiner/productions",
        data={"csrf_token": csrf, **period(ws), "request_name": "x"},
        follow_redirects=False,
    )
    assert refused.status_code == 403


def test_the_examiner_produces_downloads_and_verifies_through_the_production_service(
    app: Any, ws: Workspace
) -> None:
    otto, csrf = client(app, "otto")
    span = period(ws)
    forged = otto.post("/examiner/productions", data={**span, "request_name": "8210"}, follow_redirects=False)
    assert forged.status_code == 403  # no CSRF token
    made = otto.post(
        "/examiner/productions",
        data={
            "csrf_token": csrf,
            **span,
            "custodian": CUSTODIAN,
            "request_name": "FINRA 8210 request 2026-0412",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = otto.get(made.headers["location"]).text
    name = made.headers["location"].split("verified=")[1].split("#")[0]
    assert "verified</span>" in page and "verification failed" not in page
    package = otto.get("/api/examiner", params={**span, "custodian": CUSTODIAN, "verified": name}).json()
    assert package["report"]["valid"] is True and package["report"]["failures"] == []
    listed = next(p for p in package["productions"] if p["folder"] == name)
    assert listed["request"] == "FINRA 8210 request 2026-0412" and listed["produced_by"] == "otto"
    assert listed["records"] == package["records"]["total"]
    download = otto.get(f"/archive/productions/{name}.zip")
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert f"{name}/manifest.json" in names
    with ws.read() as conn:
        journaled = set(
            conn.execute(
                sa.select(journal_events.c.event_type).where(journal_events.c.actor == "otto")
            ).scalars()
        )
    assert {"comms.production.created", "comms.production.downloaded"} <= journaled


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed")
    path = demo_copy(tmp_path_factory, "examiner-browser")
    port = free_port()
    log = path.parent / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROCTOR_WEB_SECRET", None)
    with log.open("wb") as out:
        process = subprocess.Popen(serve_command(path, port), stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield url, path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.browser
def test_the_auditor_answers_an_8210_request_in_chromium(
    page: Any, served: tuple[str, Path], console_errors: list[str], ws: Workspace
) -> None:
    from playwright.sync_api import expect

    url, path = served
    span = period(ws)
    sign_in(page, Demo(url, path, ""), "otto")
    page.locator("header.top nav a", has_text="Journal").click()
    page.locator("#filter-journal").click()
    page.get_by_label("User").select_option("paula")
    page.get_by_label("Event type").fill("alert.*")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#events tbody tr").first).to_contain_text("paula")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows and {r["actor"] for r in rows} == {"paula"}
    shot(page, "auditor-journal-filtered")
    page.locator("header.top nav a", has_text="Examiner").click()
    page.get_by_label("From", exact=True).fill(span["since"])
    page.get_by_label("To", exact=True).fill(span["until"])
    page.get_by_label("Custodian").fill(CUSTODIAN)
    page.get_by_role("button", name="Gather").click()
    expect(page.locator("#records tbody tr").first).to_contain_text("harborstreet")
    expect(page.locator("#runs tbody tr").first).to_be_visible()
    page.get_by_label("Request").fill("FINRA 8210 request 2026-0412")
    page.get_by_role("button", name="Produce these records").click()
    expect(page.locator(".flash")).to_contain_text("Production PRD-")
    expect(page.locator("#verification")).to_contain_text("verified")
    shot(page, "auditor-examiner-8210")
    with page.expect_download() as zipped:
        page.locator("#productions a", has_text="Download").first.click()
    assert zipfile.is_zipfile(zipped.value.path())
    assert console_errors == []
