"""The archive search page says which hits it shows and how many match: exactly, or "more than"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from proctor.platform import Workspace
from proctor.web import WebSettings, create_app
from tests.comms.records_support import email, ingest_emails, register

from .conftest import SECRET, client

START = datetime(2025, 11, 3, 14, tzinfo=UTC)


def _wires(ws: Workspace, folder: Path, count: int) -> None:
    register(ws)
    mails = [
        email(
            "ravi@harborstreet.com",
            f"c{n}@client.example",
            f"Wire {n}",
            "please send the wire transfer today",
            START + timedelta(hours=n),
            n,
        )
        for n in range(count)
    ]
    mails.append(email("ravi@harborstreet.com", "x@client.example", "Lunch", "lunch on friday?", START, 999))
    ingest_emails(ws, folder, mails)


def _heading(page: str) -> str:
    found = re.search(r'<h2 id="result-count">([^<]*)</h2>', page)
    assert found, "the results have a heading"
    return found.group(1)


def test_the_page_counts_every_match_up_to_the_limit(ws: Workspace, tmp_path: Path) -> None:
    _wires(ws, tmp_path / "mail", 30)
    paula, _ = client(create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False)), "paula")
    assert _heading(paula.get("/archive", params={"q": "wire"}).text) == "1–25 of 30 messages"
    assert _heading(paula.get("/archive", params={"q": "wire", "offset": 25}).text) == "26–30 of 30 messages"
    assert _heading(paula.get("/archive", params={"q": "lunch"}).text) == "1–1 of 1 message"
    assert _heading(paula.get("/archive", params={"q": "refund"}).text) == "0 messages"
    api = paula.get("/api/archive/search", params={"q": "wire"}).json()
    assert (len(api["hits"]), api["total"], api["total_capped"]) == (25, 30, False)


def test_past_the_limit_the_page_says_more_than(ws: Workspace, tmp_path: Path) -> None:
    _wires(ws, tmp_path / "mail", 30)
    settings = WebSettings(secret_key=SECRET, secure_cookies=False, search_count_up_to=10)
    paula, _ = client(create_app(ws, settings), "paula")
    # Counted as far as the end of the page shown, which is further than the limit.
    assert _heading(paula.get("/archive", params={"q": "wire"}).text) == "1–25 of more than 25 messages"
    # The last page knows its total without counting.
    assert _heading(paula.get("/archive", params={"q": "wire", "offset": 25}).text) == "26–30 of 30 messages"
    api = paula.get("/api/archive/search", params={"q": "wire"}).json()
    assert (api["total"], api["total_capped"], api["more"]) == (25, True, True)
    narrowed = paula.get("/api/archive/search", params={"q": "wire", "participant": "c3@client.example"})
    assert (narrowed.json()["total"], narrowed.json()["total_capped"]) == (1, False)
