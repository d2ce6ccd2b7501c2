"""The archive for a principal and an examiner: search, a message, holds, productions, sources."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from proctor.comms import holds
from proctor.platform import Workspace
from proctor.store.schema import journal_events
from proctor.web import WebSettings, create_app

from .conftest import SECRET, client
from .demo_firm import demo_copy, open_copy


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = open_copy(demo_copy(tmp_path_factory, "archive-pages"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def first_hit(page: str) -> str:
    found = re.search(r'href="/archive/messages/([0-9a-f]{64})"', page)
    assert found, "the search found a message"
    return found.group(1)


def test_search_highlights_the_words_and_filters_narrow_it(app: Any) -> None:
    paula, _ = client(app, "paula")
    page = paula.get("/archive", params={"q": "guaranteed"}).text
    marks = re.findall(r"<mark>([^<]+)</mark>", page)
    assert marks and all(m.lower().startswith("guarantee") for m in marks)
    everything = paula.get("/api/archive/search").json()
    assert len(everything["hits"]) == 25 and everything["more"]
    source = everything["hits"][0]["source"]
    narrowed = paula.get("/api/archive/search", params={"source": source}).json()
    assert narrowed["hits"] and {h["source"] for h in narrowed["hits"]} == {source}
    bad = paula.get("/archive", params={"since": "last tuesday"})
    assert bad.status_code == 400 and "since" in bad.text


def test_a_message_page_shows_provenance_retention_history_and_journals_the_view(
    app: Any, ws: Workspace
) -> None:
    otto, _ = client(app, "otto")
    message_id = first_hit(otto.get("/archive", params={"q": "guaranteed"}).text)
    page = otto.get(f"/archive/messages/{message_id}").text
    for part in ("Headers", "Body", "Attachments", "Where it was seen", "Retain until", "Journal history"):
        assert part in page
    with ws.read() as conn:
        viewers = (
            conn.execute(
                sa.select(journal_events.c.actor).where(
                    journal_events.c.event_type == "comms.message.viewed",
                    journal_events.c.subject_id == message_id,
                )
            )
            .scalars()
            .all()
        )
    assert viewers == ["otto"]
    proof = otto.get(f"/archive/messages/{message_id}/proof.json")
    assert proof.status_code == 200 and proof.json()["content_sha256"] == message_id
    assert "attachment" in proof.headers["content-disposition"]


def test_a_principal_places_a_hold_from_a_search_and_releases_it(app: Any, ws: Workspace) -> None:
    paula, csrf = client(app, "paula")
    search = paula.get("/archive", params={"q": "guaranteed"}).text
    assert 'id="hold-form"' in search
    placed = paula.post(
        "/archive/holds",
        data={
            "csrf_token": csrf,
            "matter": "FINRA inquiry 2026-0142",
            "reason": "Promissory language inquiry",
            "q": "guaranteed",
        },
    )
    assert placed.status_code == 200 and "records held" in placed.text
    hold = next(h for h in holds.list_holds(ws) if h["matter"] == "FINRA inquiry 2026-0142")
    assert hold["records"] == len(re.findall(r'class="hit"', search))
    swept = paula.post("/archive/holds/sweep", data={"csrf_token": csrf})
    assert "records added to" in swept.text
    released = paula.post(
        f"/archive/holds/{hold['id']}/release", data={"csrf_token": csrf, "reason": "Matter closed."}
    )
    assert released.status_code == 200 and "released" in released.text
    assert holds.list_holds(ws, "released")[0]["id"] == hold["id"]


def test_a_reviewer_may_search_but_not_place_a_hold(app: Any) -> None:
    ravi, csrf = client(app, "ravi")
    page = ravi.get("/archive", params={"q": "guaranteed"}).text
    assert 'id="hold-form"' not in page
    refused = ravi.post(
        "/archive/holds",
        data={"csrf_token": csrf, "matter": "Mine", "reason": "I want to hold these", "q": "x"},
    )
    assert refused.status_code == 403


def test_a_production_is_made_from_a_search_downloaded_and_verified(app: Any, ws: Workspace) -> None:
    paula, csrf = client(app, "paula")
    made = paula.post(
        "/archive/productions",
        data={"csrf_token": csrf, "request_name": "FINRA 8210 request 2026-0142", "q": "guaranteed"},
    )
    assert made.status_code == 200 and "Production PRD-" in made.text
    assert "VALID" in made.text, "the page verifies the production it just made"
    name = re.search(r"Verification of (PRD-[0-9A-Z]+)", made.text)
    assert name
    download = paula.get(f"/archive/productions/{name.group(1)}.zip")
    assert download.status_code == 200
    files = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert f"{name.group(1)}/manifest.json" in files and any("/proofs/" in f for f in files)
    listed = paula.get("/api/archive/productions").json()
    assert listed[0]["folder"] == name.group(1)
    assert paula.post(
        f"/api/archive/productions/{name.group(1)}/verify", headers={"X-CSRF-Token": csrf}
    ).json()["valid"]
    assert paula.get("/archive/productions/..%2Fkeys.zip").status_code == 404


def test_sources_show_capture_state_imports_and_the_quarantine_with_reasons(app: Any) -> None:
    otto, _ = client(app, "otto")
    page = otto.get("/archive/sources").text
    assert "never connected" in page.replace("_", " ") or "not connected" in page
    assert "Import reports" in page and "Quarantine" in page
    data = otto.get("/api/archive/sources").json()
    assert data["quarantine"] and all(q["reason"] for q in data["quarantine"])
    assert data["quarantine"][0]["reason"] in page.replace("&#39;", "'").replace("&#34;", '"')
