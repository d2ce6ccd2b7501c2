"""The demo lexicon policy over the real Enron subset, reviewed in a real browser.

The mail is ingested through the archive exactly as any capture, the demo policy is proposed and
approved, selection runs as the control, and a reviewer opens their queue in Debian's Chromium
(driven by Playwright) against `proctor serve`, sees the hits highlighted, and the screenshots are
kept in test-artifacts/. Reads ../shared/data/enron/maildir.tar.gz and skips when it is absent.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from proctor.bootstrap import init_workspace, open_workspace
from proctor.comms.ingest import ingest
from proctor.comms.sources import SourceSpec, add_source
from proctor.platform.alerts import AlertQuery
from proctor.platform.directory import import_directory, import_hierarchy
from proctor.review import DEMO_POLICY
from proctor.review.store import approve_policy, import_policy

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data" / "enron" / "maildir.tar.gz"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "proctor-demo"
# The five custodians of the subset, with the other addresses their mail arrives under.
DIRECTORY = """\
id,kind,display_name,owner,roles,aliases
rick.buy@enron.com,person,Rick Buy,,risk_management,
mike.grigsby@enron.com,person,Mike Grigsby,,trader,
peter.keavey@enron.com,person,Peter Keavey,,trader,pkeavey@ect.enron.com
andrew.lewis@enron.com,person,Andrew Lewis,,trader,alewis@ect.enron.com;alewis@enron.com;h..lewis@enron.com
kevin.presto@enron.com,person,Kevin Presto,,trader,m..presto@enron.com
"""
OWNERS = [line.split(",")[0] for line in DIRECTORY.splitlines()[1:]]

if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's Chromium is not installed (python3 dev.py test installs it)", allow_module_level=True
    )
if not DATA.exists():
    pytest.skip(f"the Enron subset is not present at {DATA}", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402 - only where Chromium exists

SERVE = """
import typer
from proctor.cli.serve_cmd import serve
typer.run(serve)
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    return None


@dataclass
class Enron:
    url: str
    path: Path
    selected: int
    seconds: float


def _prepare(root: Path) -> tuple[Path, int, float]:
    with tarfile.open(DATA) as tar:
        tar.extractall(root / "mail", filter="data")
    path = root / "ws"
    init_workspace(path, firm="Enron North America Corp.", domains=["enron.com"], default_user="paula")
    ws = open_workspace(path)
    try:
        for name, role in (
            ("ada", "admin"),
            ("paula", "principal"),
            ("carl", "principal"),
            ("ravi", "reviewer"),
        ):
            ws.users.add(name, role, actor="ada", password=PASSWORD)
        ws.users.add(
            "rita",
            "reviewer",
            actor="ada",
            password=PASSWORD,
            identities=["kevin.presto@enron.com", "m..presto@enron.com"],
        )
        add_source(
            ws,
            SourceSpec(
                name="enron.maildir",
                kind="mailbox",
                owner="Enron IT (FERC production)",
                covered=tuple(OWNERS),
                capture_state="connected",
            ),
            actor="ada",
        )
        ingest(ws, root / "mail" / "maildir", source="enron.maildir", actor="ada")
        (root / "directory.csv").write_text(DIRECTORY, encoding="utf-8")
        import_directory(ws, root / "directory.csv", "ada")
        supervision = root / "supervision.csv"
        supervision.write_text(
            "person,principal,delegates\n" + "".join(f"{o},paula,ravi;rita\n" for o in OWNERS),
            encoding="utf-8",
        )
        import_hierarchy(ws, supervision, "ada")
        version = import_policy(ws, DEMO_POLICY, "paula")
        approve_policy(ws, version["id"], "carl", "Lexicon reviewed against the WSPs.")
        started = time.monotonic()
        run = ws.controls.run("review.selection", actor="paula")
        seconds = time.monotonic() - started
        return path, len(run["alert_ids"]), seconds
    finally:
        ws.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def enron(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Enron]:
    root = tmp_path_factory.mktemp("enron-review")
    path, selected, seconds = _prepare(root)
    port = _free_port()
    log = root / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = ["--host", "127.0.0.1", "--port", str(port), "--workspace", str(path)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, *args], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"proctor serve exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"proctor serve did not answer:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield Enron(url, path, selected, seconds)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in(page: Page, enron: Enron, user: str, then: str) -> None:
    page.goto(f"{enron.url}{then}")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header.top .user")).to_contain_text(user)


def test_the_review_queue_shows_enron_messages_with_highlighted_hits(page: Page, enron: Enron) -> None:
    assert 100 < enron.selected < 2000, "a usable lexicon selects a few percent of the corpus"
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, enron, "ravi", "/alerts?control=review.selection")
    rows = page.locator("#queue-table tr.row")
    expect(rows.first).to_be_visible()
    expect(page.locator("#queue-table")).to_contain_text("Must review (complaint)")
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=False)

    page.get_by_label("Search").fill("Must review (complaint)")
    expect(rows.first).to_contain_text("Must review (complaint)")
    page.locator("main h1").click()
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(r"/alerts/ALR-"))
    marks = page.locator("#evidence pre.message mark")
    expect(marks.first).to_be_visible()
    assert marks.count() >= 1
    labels = marks.evaluate_all("ms => ms.map(m => m.dataset.label)")
    assert any("(complaint)" in label for label in labels)
    expect(page.locator("#evidence")).to_contain_text("Why it was selected")
    expect(page.locator("#evidence")).to_contain_text("must_review")
    marks.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "review-alert.png"), full_page=True)
    assert (ARTIFACTS / "review-alert.png").stat().st_size > 10_000


def test_a_reviewer_is_never_given_a_message_they_took_part_in(page: Page, enron: Enron) -> None:
    """Rita is also Kevin Presto (both his addresses): his messages were routed to Ravi."""
    ws = open_workspace(enron.path)
    try:
        rows, total = ws.alerts.query(AlertQuery(control="review.selection", assignee="rita", page_size=1000))
        assert total > 0
        for row in rows:
            assert not {"kevin.presto@enron.com", "m..presto@enron.com"} & {s["id"] for s in row["subjects"]}
        presto, _ = ws.alerts.query(AlertQuery(control="review.selection", text="presto@enron.com"))
        assert presto and all(r["assignee"] in ("ravi", "paula") for r in presto)
    finally:
        ws.close()
    sign_in(page, enron, "rita", "/alerts?control=review.selection")
    expect(page.locator("#queue-table tr.row")).to_have_count(min(total, 50))
