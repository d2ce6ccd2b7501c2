"""A case that carries an investigation: fields with Rule 4530 reportability, attachments, linked
messages and a timeline from the journal, through the pages, the API and Chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from proctor.platform import Workspace
from proctor.store.schema import cases, journal_events
from proctor.web import WebSettings, create_app

from . import test_browser as first_browser_tests
from .conftest import SECRET, client
from .demo_firm import demo_copy, open_copy
from .test_browser import CHROMIUM, free_port, serve_command, wait_until_up
from .test_roles_browser import Demo, shot, sign_in

# The first browser tests' fixtures, for the Chromium test at the end: Debian's Chromium, console errors.
browser_type_launch_args = first_browser_tests.browser_type_launch_args
base_url = first_browser_tests.base_url
console_errors = first_browser_tests.console_errors


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = open_copy(demo_copy(tmp_path_factory, "cases-pages"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def case_of(ws: Workspace, user: str) -> str:
    with ws.read() as conn:
        found = conn.execute(sa.select(cases.c.id).where(cases.c.assignee == user).limit(1)).scalar()
    assert found, f"the demo firm has a case assigned to {user}"
    return str(found)


def events(ws: Workspace, case_id: str, kind: str) -> list[dict[str, Any]]:
    stmt = sa.select(journal_events).where(
        journal_events.c.subject_id == case_id, journal_events.c.event_type == kind
    )
    with ws.read() as conn:
        return [{**dict(r._mapping), "payload": json.loads(r.payload)} for r in conn.execute(stmt)]


def test_the_reviewer_records_the_investigation_and_reportability_under_rule_4530(
    app: Any, ws: Workspace
) -> None:
    ravi, csrf = client(app, "ravi")
    case_id = case_of(ws, "ravi")
    page = ravi.get(f"/cases/{case_id}").text
    assert "not yet determined" in page  # blank reportability is not "no"
    answer = ravi.post(
        f"/cases/{case_id}/investigation",
        data={
            "csrf_token": csrf,
            "summary": "Insurer policy system access kept 4.5 days after termination.",
            "subject_person": "MSI07689",
            "outcome": "violation_remediated",
            "due_date": "2027-01-15",
            "reportable_4530": "yes",
            "rule_4530_paragraph": "(b)",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = ravi.get(f"/cases/{case_id}").text
    assert "Rule 4530(b)" in page and "not filed" in page and "2027-01-15" in page
    assert "violation remediated" in page and "MSI07689" in page
    recorded = events(ws, case_id, "case.details_recorded")
    assert len(recorded) == 1 and recorded[0]["actor"] == "ravi"
    assert recorded[0]["payload"]["changed"] == [
        "due_date", "outcome", "reportable_4530", "rule_4530_paragraph", "subject_person", "summary",
    ]  # fmt: skip
    timeline = ravi.get(f"/api/cases/{case_id}/investigation").json()["timeline"]
    last = [t for t in timeline if t["event"] == "case.details_recorded"][-1]
    assert "Rule 4530 paragraph → (b)" in last["what"] and last["actor"] == "ravi"
    assert any(t["event"] == "case.opened" for t in timeline)
    assert any(t["subject"].startswith("alert ") for t in timeline)  # the case's alerts' own events

    filed = ravi.post(
        f"/api/cases/{case_id}/investigation",
        json={"filing_date": "2026-12-28"},
        headers={"X-CSRF-Token": csrf},
    )
    assert filed.status_code == 200 and filed.json()["changed"] == ["filing_date"]
    assert filed.json()["summary"].startswith("Insurer policy")  # fields not sent are kept


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reportable_4530": "yes", "rule_4530_paragraph": ""}, "rule_4530_paragraph"),
        ({"reportable_4530": "no", "rule_4530_paragraph": "(a)(1)(B)"}, "rule_4530_paragraph"),
        ({"reportable_4530": "", "filing_date": "2026-12-01"}, "filing_date"),
        ({"due_date": "next friday"}, "due_date"),
        ({"outcome": "fined"}, "outcome"),
        ({"reportable_4530": "maybe"}, "reportable_4530"),
    ],
)
def test_inconsistent_reportability_is_refused_naming_the_field(
    app: Any, ws: Workspace, fields: dict[str, str], field: str
) -> None:
    rita, csrf = client(app, "rita")
    case_id = case_of(ws, "rita")
    before = len(events(ws, case_id, "case.details_recorded"))
    answer = rita.post(f"/api/cases/{case_id}/investigation", json=fields, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 400 and answer.json()["field"] == field
    assert len(events(ws, case_id, "case.details_recorded")) == before  # nothing half-written


def test_an_attachment_is_stored_in_the_blob_store_journaled_and_downloaded(app: Any, ws: Workspace) -> None:
    ravi, csrf = client(app, "ravi")
    case_id = case_of(ws, "ravi")
    memo = b"HR termination memo for MSI07689, effective 2026-11-20.\n"
    answer = ravi.post(
        f"/cases/{case_id}/attachments",
        data={"csrf_token": csrf},
        files={"file": ("../../hr memo.txt", memo, "text/plain")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    added = events(ws, case_id, "case.attachment_added")[-1]["payload"]
    assert added["filename"] == "hr memo.txt" and added["size"] == len(memo)  # no path survives
    assert ws.blobs.get(added["sha256"]) == memo
    with ws.read() as conn:
        stored = conn.execute(
            sa.select(journal_events.c.event_type).where(journal_events.c.subject_id == added["sha256"])
        ).scalars()
        assert "blob.stored" in list(stored)
    download = ravi.get(f"/cases/{case_id}/attachments/{added['sha256']}")
    assert download.status_code == 200 and download.content == memo
    assert 'filename="hr memo.txt"' in download.headers["content-disposition"]
    empty = ravi.post(
        f"/api/cases/{case_id}/attachments", files={"file": ("blank.txt", b"", "text/plain")},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    rita, _ = client(app, "rita")  # another reviewer's case does not exist for her
    assert rita.get(f"/cases/{case_id}/attachments/{added['sha256']}").status_code == 404
    otto, otto_csrf = client(app, "otto")
    assert otto.get(f"/cases/{case_id}/attachments/{added['sha256']}").content == memo
    refused = otto.post(
        f"/api/cases/{case_id}/attachments", files={"file": ("x.txt", b"x", "text/plain")},
        headers={"X-CSRF-Token": otto_csrf},
    )  # fmt: skip
    assert refused.status_code == 403  # the auditor reads and changes nothing


def test_a_message_from_the_archive_is_linked_and_an_unknown_one_refused(app: Any, ws: Workspace) -> None:
    ravi, csrf = client(app, "ravi")
    case_id = case_of(ws, "ravi")
    hit = ravi.get("/api/archive/search").json()["hits"][0]
    unknown = ravi.post(
        f"/api/cases/{case_id}/messages", json={"message_id": "0" * 64}, headers={"X-CSRF-Token": csrf}
    )
    assert unknown.status_code == 404
    linked = ravi.post(
        f"/cases/{case_id}/messages",
        data={"csrf_token": csrf, "message_id": hit["id"].upper(), "note": "the chat the alert cites"},
        follow_redirects=False,
    )
    assert linked.status_code == 303
    page = ravi.get(f"/cases/{case_id}").text
    assert f'href="/archive/messages/{hit["id"]}"' in page and "the chat the alert cites" in page
    forged = ravi.post(f"/cases/{case_id}/messages", data={"message_id": hit["id"]}, follow_redirects=False)
    assert forged.status_code == 403  # no CSRF token, no change


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed")
    path = demo_copy(tmp_path_factory, "cases-browser")
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
def test_the_reviewer_works_an_investigation_in_chromium(
    page: Any, served: tuple[str, Path], console_errors: list[str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url, path = served
    sign_in(page, Demo(url, path, ""), "ravi")
    page.goto(f"{url}/cases")
    page.locator("a[href^='/cases/CAS-']", has_text="Investigation").first.click()
    expect(page.locator("#investigation")).to_be_visible()
    form = page.locator("#investigation-form")
    form.get_by_label("Summary").fill("Insurer policy access kept after termination; HR memo attached.")
    form.get_by_label("Subject person").fill("MSI07689")
    form.get_by_label("Outcome").select_option("violation_remediated")
    form.get_by_label("Due date").fill("2027-01-15")
    form.get_by_label("Reportable under Rule 4530").select_option("yes")
    form.get_by_label("Rule 4530 paragraph").select_option("(b)")
    form.get_by_role("button", name="Save investigation").click()
    expect(page.locator(".flash")).to_contain_text("Investigation updated")
    expect(page.locator("#case-4530")).to_contain_text("Rule 4530(b)")
    memo = tmp_path / "hr-memo.txt"
    memo.write_text("HR termination memo for MSI07689.\n", "utf-8")
    page.locator("#attachments input[type=file]").set_input_files(str(memo))
    page.locator("#attachments").get_by_role("button", name="Attach").click()
    expect(page.locator("#attachments")).to_contain_text("hr-memo.txt")
    with page.expect_download() as download:
        page.locator("#attachments a", has_text="hr-memo.txt").click()
    assert Path(download.value.path()).read_bytes() == memo.read_bytes()
    expect(page.locator("#timeline")).to_contain_text("case.attachment_added")
    expect(page.locator("#timeline")).to_contain_text(re.compile(r"Rule 4530 paragraph → \(b\)"))
    shot(page, "reviewer-case-investigation")
    assert console_errors == []
