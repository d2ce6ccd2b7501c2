"""Each role's weekly work, end to end in Chromium, on the demo firm; a screenshot of every page.

FINOP: lands on the reserve, explains a line down to accounts, explains the variances, signs off.
Principal: searches the archive, places a legal hold, produces and verifies, reads a ticket in its
thread, approves a policy version, a correlation rule table and turns down a rebuttal of customer
notice another principal proposed, proposes a retention schedule that the other approves.
Reviewer: lands on the queue by due time and works an alert. Admin: adds a user, who then signs in,
and edits a user's identities. Auditor: lands on the examiner view, reads every module's pages,
changes nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from proctor.access import incidents, rules
from proctor.bootstrap import open_workspace
from proctor.review import store

from . import test_browser as first_browser_tests
from .demo_firm import DEMO_PASSWORD, demo_copy
from .test_browser import ARTIFACTS, CHROMIUM, free_port, serve_command, wait_until_up

# The first browser tests' fixtures: Debian's Chromium, no base URL, console errors collected.
browser_type_launch_args = first_browser_tests.browser_type_launch_args
base_url = first_browser_tests.base_url
console_errors = first_browser_tests.console_errors

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's Chromium is not installed", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

SAMPLING = Path(store.__file__).resolve().parent / "data" / "demo_sampling.yaml"


CORRELATION_RULES = """\
version: "2026.1"
effective_from: 2026-01-01
rules:
  - {name: employee_id, key: employee_id, auto_link: true}
  - {name: email, key: email, auto_link: true}
  - {name: name_fuzzy, key: name_fuzzy, auto_link: false, threshold: 92}
"""
INVESTIGATION = (
    "The insurer's logs show the former representatives' sessions were read-only; the printed page held "
    "one customer's policy number and no account access data."
)


class Demo:
    def __init__(
        self, url: str, path: Path, version_id: str, rules_id: str = "", incident_id: str = ""
    ) -> None:
        self.url, self.path, self.version_id = url, path, version_id
        self.rules_id, self.incident_id = rules_id, incident_id


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = demo_copy(tmp_path_factory, "roles-browser")
    ws = open_workspace(path)
    try:  # carl proposes a new sampling policy; paula approves it in the browser
        text = SAMPLING.read_text("utf-8").replace('version: "2024.3"', 'version: "2025.1"')
        policy = path.parent / "sampling-2025.1.yaml"
        policy.write_text(text.replace("seed: sample-2024.3-c7f2a9", "seed: sample-2025.1-77aa01"), "utf-8")
        version_id = store.import_policy(ws, policy, "carl")["id"]
        table = path.parent / "correlation-2026.1.yaml"  # and a correlation rule table,
        table.write_text(CORRELATION_RULES, "utf-8")
        rules_id = rules.propose(ws, table, actor="carl", rationale="Fuzzy names at 92 after the HR merge")[
            "id"
        ]
        incident_id = incidents.list_incidents(ws)[0]["id"]  # and a rebuttal of customer notice
        incidents.propose_rebuttal(ws, incident_id, INVESTIGATION, actor="carl")
    finally:
        ws.close()
    port = free_port()
    log = path.parent / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROCTOR_WEB_SECRET", None)
    with log.open("wb") as out:
        process = subprocess.Popen(serve_command(path, port), stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Demo(url, path, version_id, rules_id, incident_id)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def sign_in(page: Page, demo: Demo, user: str, password: str = DEMO_PASSWORD) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{demo.url}/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header.top .user")).to_contain_text(user)


def test_the_finop_explains_a_line_explains_the_variances_and_signs_off(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "fiona")
    expect(page).to_have_url(f"{demo.url}/reserve")
    expect(page.get_by_role("heading", name=re.compile("^Reserve"))).to_be_visible()
    shot(page, "finop-reserve")
    row = page.locator("#history tr", has_text="customer").filter(has_text="to explain").first
    row.locator("a").first.click()
    expect(page.get_by_role("heading", name="Exhibit A", exact=True)).to_be_visible()
    shot(page, "finop-computation")
    page.locator("#exhibit a.line-link", has_text=re.compile(r"^1$")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Exhibit A item 1: \$"))).to_be_visible()
    expect(page.locator("#accounts tbody tr").first).to_be_visible()
    shot(page, "finop-explain-line")
    page.go_back()
    forms = page.locator("form.variance-form")
    expect(forms.first).to_be_visible()
    while forms.count():
        forms.first.locator("textarea").fill(
            "Growth in customer credit balances; tied to the GL and stock record."
        )
        forms.first.get_by_role("button", name="Explain").click()
        expect(page.locator(".flash")).to_contain_text("explained")
    shot(page, "finop-variances-explained")
    page.get_by_label("What you reviewed").fill("Reviewed Exhibit A, lineage and the GL tie-outs.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator(".flash")).to_contain_text("signed off")
    expect(page.locator("h1 .badge")).to_have_text("SIGNED OFF")
    shot(page, "finop-signed-off")
    assert console_errors == []


def test_the_principal_searches_holds_produces_and_verifies(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "paula")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    shot(page, "principal-dashboard")
    page.get_by_role("link", name="Archive").click()
    page.get_by_label("Words").fill("guaranteed")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results mark").first).to_be_visible()
    shot(page, "principal-archive-search")
    page.locator("#results a.subject").first.click()
    expect(page.get_by_role("heading", name="Where it was seen")).to_be_visible()
    shot(page, "principal-message")
    page.go_back()
    hold = page.locator("#hold-form")
    hold.get_by_label("Matter").fill("SEC inquiry HO-14412")
    hold.get_by_label("Reason").fill("Preserve promissory-language messages for the inquiry.")
    hold.get_by_role("button", name="Place hold").click()
    expect(page.locator(".flash")).to_contain_text("records held")
    expect(page.locator("#holds-table")).to_contain_text("SEC inquiry HO-14412")
    shot(page, "principal-holds")
    page.goto(f"{demo.url}/archive?q=guaranteed")
    produce = page.locator("#produce-form")
    produce.get_by_label("Request answered").fill("FINRA 8210 request 2026-0142")
    produce.get_by_role("button", name="Produce").click()
    expect(page.locator(".flash")).to_contain_text("Production PRD-")
    expect(page.locator("#verify-report h2")).to_contain_text("VALID")
    with page.expect_download() as download:
        page.locator("#productions-table a", has_text="Download").first.click()
    assert download.value.suggested_filename.endswith(".zip")
    shot(page, "principal-productions")
    assert console_errors == []


def test_the_principal_approves_a_policy_version_another_proposed(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "carl")
    page.goto(f"{demo.url}/approvals")
    own = page.locator(f'tr[data-id="{demo.version_id}"]')
    expect(own).to_contain_text("Your own proposal")
    expect(own.get_by_role("button", name="Approve")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo, "paula")
    page.get_by_role("link", name="Approvals").click()
    item = page.locator(f'tr[data-id="{demo.version_id}"]')
    item.locator("a").first.click()
    expect(page.locator("#diff")).to_contain_text("sample-2025.1-77aa01")
    shot(page, "principal-policy-diff")
    page.go_back()
    shot(page, "principal-approvals")
    item.get_by_label("Rationale").fill("New seed for the 2025 sample, per the annual WSP review.")
    item.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash")).to_contain_text(f"{demo.version_id} approved")
    page.goto(f"{demo.url}/review/policies")
    expect(page.locator("#versions")).to_contain_text("2025.1")
    shot(page, "principal-review-policies")
    assert console_errors == []


def test_the_principal_decides_the_access_items_another_principal_proposed(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "carl")
    page.goto(f"{demo.url}/approvals")
    for item_id in (demo.rules_id, demo.incident_id):
        own = page.locator(f'tr[data-id="{item_id}"]')
        expect(own).to_contain_text("Your own proposal")
        expect(own.get_by_role("button", name="Approve")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo, "paula")
    page.get_by_role("link", name="Approvals").click()
    rules_row = page.locator(f'tr[data-id="{demo.rules_id}"]')
    expect(rules_row).to_contain_text("name_fuzzy (name_fuzzy ≥ 92, to the queue)")
    rebuttal = page.locator(f'tr[data-id="{demo.incident_id}"]')
    expect(rebuttal).to_contain_text("No customer notice for")
    shot(page, "principal-approvals-access")
    rules_row.get_by_label("Rationale").fill("Employee id and e-mail link; fuzzy names still go to a person.")
    rules_row.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash")).to_contain_text(f"{demo.rules_id} approved")
    rebuttal = page.locator(f'tr[data-id="{demo.incident_id}"]')
    rebuttal.get_by_label("Rationale").fill(
        "A printed policy page is not ruled out as misused; notify the customer."
    )
    rebuttal.get_by_role("button", name="Reject").click()
    expect(page.locator(".flash")).to_contain_text(f"{demo.incident_id} rejected")
    expect(page.locator(f'tr[data-id="{demo.incident_id}"]')).to_have_count(0)
    page.goto(f"{demo.url}/access/incidents/{demo.incident_id}")
    expect(page.locator("main")).to_contain_text("rebuttal rejected")
    shot(page, "principal-incident-rebuttal-rejected")
    assert console_errors == []


def test_the_principal_reads_a_ticket_in_its_thread(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "paula")
    page.goto(f"{demo.url}/archive?source=zendesk.support")
    page.locator("#results a.subject").first.click()
    thread = page.locator("#thread")
    expect(thread.locator("li")).to_have_count(2)
    expect(thread.locator('li[aria-current="true"]')).to_have_count(1)
    shot(page, "principal-message-thread")
    other = thread.locator("li:not([aria-current]) a")
    target = other.get_attribute("href")
    other.click()
    expect(page).to_have_url(f"{demo.url}{target}")
    expect(page.locator('#thread li[aria-current="true"]')).to_have_attribute(
        "data-id", str(target).rsplit("/", 1)[1]
    )
    assert console_errors == []


def test_the_principal_proposes_a_retention_schedule_and_another_approves_it(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "paula")
    page.get_by_role("link", name="Archive").click()
    page.locator("nav.crumbs").get_by_role("link", name="Retention").click()
    expect(page.locator("#in-force h2")).to_contain_text("In force: comms-retention-2025.1")
    form = page.locator("#retention-form")
    version = form.get_by_label("Version").input_value()
    form.get_by_label("Years kept, mailbox").fill("4")
    form.get_by_label("Reason for the change").fill(
        "Mailboxes are kept four years under the 2026 WSP update."
    )
    shot(page, "principal-retention-form")
    form.get_by_role("button", name="Propose version").click()
    expect(page.locator(".flash")).to_contain_text(f"{version} proposed")
    expect(page.locator(f'#versions-table tr[data-version="{version}"]')).to_contain_text("proposed")
    page.goto(f"{demo.url}/approvals")
    expect(page.locator(f'tr[data-id="{version}"]')).to_contain_text("Your own proposal")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo, "carl")
    page.get_by_role("link", name="Approvals").click()
    item = page.locator(f'tr[data-id="{version}"]')
    item.get_by_label("Rationale").fill("Four years for mailboxes matches the WSP; floors are respected.")
    item.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash")).to_contain_text(f"{version} approved")
    page.goto(f"{demo.url}/archive/retention")
    expect(page.locator("#in-force h2")).to_contain_text(f"In force: {version}")
    shot(page, "principal-retention-approved")
    assert console_errors == []


def test_the_reviewer_lands_on_the_queue_by_due_time_and_works_an_alert(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "ravi")
    expect(page).to_have_url(f"{demo.url}/alerts")
    rows = page.locator("#queue-table tr.row")
    expect(rows.first).to_be_visible()
    due = rows.locator("td:nth-child(7)").all_inner_texts()
    assert due == sorted(due), "the queue is sorted by due time"
    shot(page, "reviewer-queue")
    page.get_by_label("Severity").select_option("low")
    expect(page).to_have_url(re.compile(r"severity=low"))
    page.locator("#queue-table tr.row a.open").first.click()
    page.get_by_role("button", name="Start review").click()
    expect(page.locator(".flash")).to_contain_text("started")
    page.locator("#close-form select").select_option("no_action")
    page.locator("#close-form textarea").fill(
        "Read the message and its thread; routine service talk, nothing to act on."
    )
    shot(page, "reviewer-alert")
    page.get_by_role("button", name="Close alert").click()
    expect(page.locator(".flash")).to_contain_text("closed as no_action")
    assert console_errors == []


def test_the_admin_adds_a_user_who_then_signs_in(page: Page, demo: Demo, console_errors: list[str]) -> None:
    sign_in(page, demo, "ada")
    page.get_by_role("link", name="Users").click()
    form = page.locator("#add-user")
    form.get_by_label("User name").fill("nora")
    form.get_by_label("Role").select_option("reviewer")
    form.get_by_label("Full name").fill("Nora Newhire")
    form.get_by_label("Initial password").fill("first-day-password-2026")
    form.get_by_role("button", name="Add user").click()
    expect(page.locator(".flash")).to_have_text("User nora added as reviewer")
    expect(page.locator("#users-table")).to_contain_text("Nora Newhire")
    shot(page, "admin-users")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo, "nora", "first-day-password-2026")
    expect(page).to_have_url(f"{demo.url}/alerts")
    assert console_errors == []


def test_the_admin_adds_and_removes_a_users_identity(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    """Sam Ortiz, a branch manager who is also a registered rep, joins as a principal: his mailbox
    is his identity (the directory knows whose it is), and so is his chat handle until it is retired."""
    sign_in(page, demo, "ada")
    page.get_by_role("link", name="Users").click()
    form = page.locator("#add-user")
    form.get_by_label("User name").fill("sam")
    form.get_by_label("Role").select_option("principal")
    form.get_by_label("Full name").fill("Sam Ortiz (branch manager)")
    form.get_by_label("Initial password").fill("branch-manager-2026")
    form.get_by_label("Identities (addresses, one per line)").fill("sam.ortiz@harborstreet.com")
    form.get_by_role("button", name="Add user").click()
    row = page.locator("#user-sam")
    expect(row.locator("li.identity")).to_have_text(
        [re.compile(r"sam.ortiz@harborstreet.com\s+→ Sam Ortiz \(person\)")]
    )
    row.get_by_label("New identity for sam").fill("S.Ortiz.Chat")
    row.get_by_role("button", name="Add identity").click()
    expect(page.locator(".flash")).to_have_text("s.ortiz.chat added to sam")
    expect(page.locator("#user-sam li.identity")).to_have_count(2)
    expect(page.locator('#user-sam li[data-identity="s.ortiz.chat"]')).to_contain_text("not in the directory")
    shot(page, "admin-identities")
    page.locator("#user-sam").get_by_role("button", name="Remove s.ortiz.chat from sam").click()
    expect(page.locator(".flash")).to_have_text("s.ortiz.chat removed from sam")
    expect(page.locator("#user-sam li.identity")).to_have_count(1)
    expect(page.locator("#user-ada").get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    assert console_errors == []


def test_the_auditor_reads_every_module_without_a_refusal(
    page: Page, demo: Demo, console_errors: list[str]
) -> None:
    sign_in(page, demo, "otto")
    expect(page).to_have_url(f"{demo.url}/examiner")
    expect(page.get_by_role("heading", name=re.compile("^Examiner"))).to_be_visible()
    shot(page, "auditor-lands-on-examiner")
    pages = {
        "auditor-archive-retention": "/archive/retention",
        "auditor-review-coverage": "/review",
        "auditor-review-metrics": "/review/metrics",
        "auditor-reserve": "/reserve",
        "auditor-archive-sources": "/archive/sources",
        "auditor-archive-disposals": "/archive/disposals",
    }
    for name, path in pages.items():
        answer = page.goto(f"{demo.url}{path}")
        assert answer is not None and answer.status == 200, path
        shot(page, name)
    expect(page.locator("header.top nav").get_by_role("link", name="Approvals", exact=True)).to_have_count(0)
    assert console_errors == []
