"""The supervising principal's review pages: coverage register, metrics, policies, exemptions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from proctor.platform import Workspace
from proctor.review import coverage, store
from proctor.web import WebSettings, create_app

from .conftest import SECRET, login
from .demo_firm import demo_copy, open_copy

SAMPLING = Path(store.__file__).resolve().parent / "data" / "demo_sampling.yaml"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = open_copy(demo_copy(tmp_path_factory, "review-pages"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def client(app: Any, user: str) -> TestClient:
    c = TestClient(app, base_url="http://127.0.0.1")
    login(c, user)
    return c


def propose_sampling_change(ws: Workspace, tmp_path: Path, actor: str) -> dict[str, Any]:
    """A new version of the sampling policy: a fresh seed and a higher rate, proposed by `actor`."""
    text = SAMPLING.read_text("utf-8").replace('version: "2024.3"', 'version: "2025.1"')
    text = text.replace("seed: sample-2024.3-c7f2a9", "seed: sample-2025.1-0b91d4").replace(
        "rate: 2%", "rate: 3%"
    )
    path = tmp_path / "sampling-2025.1.yaml"
    path.write_text(text, "utf-8")
    return store.import_policy(ws, path, actor)


def test_the_coverage_register_lists_gaps_and_exemptions_with_reasons(app: Any, ws: Workspace) -> None:
    report = coverage.load_report(ws)
    assert report is not None
    page = client(app, "paula").get("/review").text
    for entry in report["entries"]:
        assert entry["target"] in page
    exempt = next(e for e in report["entries"] if e["status"] == "exempt")
    assert exempt["exemption"]["reason"][:40] in page.replace("&#39;", "'")
    assert "not in review scope" in page  # the gap's reason, in words
    assert re.search(r"Gaps</span><span class=\"n\">" + str(report["totals"]["gap"]), page)


def test_metrics_show_backlog_ageing_and_per_term_rates(app: Any) -> None:
    paula = client(app, "paula")
    page = paula.get("/review/metrics").text
    assert 'id="chart-backlog"' in page and "<svg" in page
    data = paula.get("/api/review/metrics").json()
    term = data["terms"][0]
    assert term["term"] in page.replace("&#39;", "'")
    assert f"{term['hit_rate'] * 100:.1f}%" in page


def test_a_proposed_policy_version_shows_its_diff_against_the_one_in_force(
    app: Any, ws: Workspace, tmp_path: Path
) -> None:
    row = propose_sampling_change(ws, tmp_path, "carl")
    paula = client(app, "paula")
    listing = paula.get("/review/policies").text
    assert row["id"] in listing and "proposed" in listing
    page = paula.get(f"/review/policies/{row['id']}").text
    assert "sampling.seed" in page and "sample-2025.1-0b91d4" in page and "sample-2024.3-c7f2a9" in page
    assert "Decide in the approvals inbox" in page
    diff = paula.get(f"/api/review/policies/{row['id']}").json()["diff"]
    assert {d["path"] for d in diff} >= {"sampling.seed", "version"}
