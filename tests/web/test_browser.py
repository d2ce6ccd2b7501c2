"""The app in a real browser: Debian's Chromium driven by Playwright against `proctor serve`.

The server runs as its own process on a free loopback port over a firm's workspace, exactly as a
compliance team would start it; the tests click, type and use the keyboard shortcuts.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from proctor.bootstrap import open_workspace

from .firm import PASSWORD, Firm, build_firm

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's Chromium is not installed (python3 dev.py test installs it)", allow_module_level=True
    )

from playwright.sync_api import ConsoleMessage, Page, expect  # noqa: E402 - only where Chromium exists


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Playwright cannot download its own browser here: use the distribution's Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-base-url's fixture (deprecated under this pytest); each test names its server."""
    return None


@dataclass
class Server:
    url: str
    firm: Firm


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(workspace: Path, port: int) -> list[str]:
    """`proctor serve` from the tests' environment (its command function directly, if not yet registered)."""
    from proctor.cli.main import app

    args = ["--host", "127.0.0.1", "--port", str(port), "--workspace", str(workspace)]
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    if "serve" in names:
        return [sys.executable, "-c", "from proctor.cli.main import run; run()", "serve", *args]
    code = "import typer; from proctor.cli.serve_cmd import serve; typer.run(serve)"
    return [sys.executable, "-c", code, *args]


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"proctor serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"proctor serve did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    firm = build_firm(root / "firm")
    ws = open_workspace(firm.path)
    try:
        for key in ("low0", "low1", "trade_through"):
            ws.alerts.assign(firm.ids[key], "ravi", actor="paula")
    finally:
        ws.close()
    port = free_port()
    log = root / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROCTOR_WEB_SECRET", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            serve_command(firm.path, port), stdout=out, stderr=subprocess.STDOUT, env=env
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Server(url, firm)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Script errors and CSP violations the page logs (HTTP statuses are the tests' own business)."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource: the server"):
            errors.append(message.text)

    page.on("console", record)
    return errors


def sign_in(page: Page, server: Server, user: str, then: str = "/") -> None:
    page.goto(f"{server.url}{then}")
    expect(page).to_have_url(f"{server.url}/login?next={then.replace('/', '%2F')}")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header.top .user")).to_contain_text(user)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_sign_in_and_sign_out(page: Page, server: Server, console_errors: list[str]) -> None:
    sign_in(page, server, "otto")  # the auditor lands on the examiner view
    expect(page).to_have_url(f"{server.url}/examiner")
    expect(
        page.get_by_role("heading", name="Examiner what a FINRA Rule 8210 request needs, read only")
    ).to_be_visible()
    sign_out(page)
    expect(page.locator(".flash")).to_have_text("Signed out.")
    page.goto(f"{server.url}/alerts")
    expect(page).to_have_url(f"{server.url}/login?next=%2Falerts")
    page.get_by_label("User name").fill("otto")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Unknown user or wrong password.")
    assert console_errors == []


def test_a_reviewer_works_an_alert_from_the_queue_to_closed(
    page: Page, server: Server, console_errors: list[str]
) -> None:
    sign_in(page, server, "ravi", "/alerts")
    rows = page.locator("#queue-table tr.row")
    expect(rows).to_have_count(3)  # only ravi's own queue
    page.get_by_label("Search").fill("Sampled message 1")
    expect(rows).to_have_count(1)
    page.locator("main h1").click()  # leave the search box, so keys are shortcuts again
    page.keyboard.press("j")
    expect(rows.first).to_have_class("row selected")
    page.keyboard.press("o")
    alert_id = server.firm.ids["low0"]
    expect(page).to_have_url(f"{server.url}/alerts/{alert_id}")
    page.get_by_role("button", name="Start review").click()
    expect(page.locator(".flash")).to_contain_text(f"Review of {alert_id} started")
    page.keyboard.press("c")
    rationale = page.locator("#close-form textarea")
    expect(rationale).to_be_focused()
    page.locator("#close-form select").select_option("no_action")
    rationale.fill("Routine settlement notice to an institutional client; nothing promissory.")
    page.get_by_role("button", name="Close alert").click()
    expect(page.locator(".flash")).to_have_text(f"{alert_id} closed as no_action")
    expect(page.locator(".sub .badge").first).to_have_text("closed")
    expect(page.locator("#history")).to_contain_text("alert.closed")
    assert console_errors == []


def test_four_eyes_a_reviewer_proposes_and_a_principal_approves(
    page: Page, server: Server, console_errors: list[str]
) -> None:
    alert_id = server.firm.ids["trade_through"]
    sign_in(page, server, "ravi", f"/alerts/{alert_id}")
    page.get_by_role("button", name="Start review").click()
    page.locator("#close-form select").select_option("false_positive")
    page.locator("#close-form textarea").fill(
        "NYSE bid had been withdrawn 5 ms before the trade: stale quote."
    )
    page.get_by_role("button", name="Close alert").click()
    expect(page.locator(".flash")).to_contain_text("awaits a second approver")
    expect(page.locator("#approve-form")).to_have_count(0)
    sign_out(page)

    sign_in(page, server, "paula", "/approvals")
    page.get_by_role("link", name="OTC trade in ACME executed below the protected best bid").click()
    expect(page.get_by_role("heading", name="Awaiting second approval")).to_be_visible()
    page.keyboard.press("a")
    expect(page.get_by_role("button", name="Approve closing")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text(f"{alert_id} closed as false_positive")
    expect(page.locator("#alert-summary")).to_contain_text("Approved by")
    expect(page.locator("#alert-summary")).to_contain_text("paula")
    assert console_errors == []


def test_a_reviewer_is_denied_a_principal_only_page(page: Page, server: Server) -> None:
    sign_in(page, server, "rita")
    expect(page.get_by_role("link", name="Approvals")).to_have_count(0)
    answer = page.goto(f"{server.url}/approvals")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_dashboard_charts_render_and_screenshots_are_kept(
    page: Page, server: Server, console_errors: list[str]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, server, "paula")
    per_day = page.locator("#chart-per-day svg")
    expect(per_day.locator("rect.bar")).to_have_count(30)
    values = per_day.locator("rect.bar").evaluate_all("bars => bars.map(b => Number(b.dataset.value))")
    assert sum(values) == len(server.firm.ids)
    box = per_day.bounding_box()
    assert box is not None and box["height"] > 100
    expect(page.locator("#chart-severity rect.bar")).to_have_count(4)
    expect(page.locator("#control-health svg.chart-strip rect.cell").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.goto(f"{server.url}/alerts/{server.firm.ids['reserve']}")
    expect(page.locator("#evidence table")).to_contain_text("Short market value")
    page.screenshot(path=str(ARTIFACTS / "alert.png"), full_page=True)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
    assert (ARTIFACTS / "alert.png").stat().st_size > 10_000
    assert console_errors == []


def test_the_htmx_queue_filter_and_verify_now_work_without_reloading(
    page: Page, server: Server, console_errors: list[str]
) -> None:
    sign_in(page, server, "otto", "/alerts")
    page.get_by_label("Severity").select_option("critical")
    expect(page).to_have_url(re.compile(r"/alerts\?.*severity=critical"))
    expect(page.locator("#queue-table tr.row")).to_have_count(1)
    expect(page.locator("#queue-table")).to_contain_text("short market value")
    page.goto(f"{server.url}/journal")
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verify-report")).to_contain_text("Intact.")
    assert console_errors == []
