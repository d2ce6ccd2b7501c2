"""The archive's message page shows the conversation the message belongs to, each entry a link."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from proctor.platform import Workspace
from tests.comms.thread_support import archive_conversation

from .conftest import TestClient

Clients = Callable[[str], tuple[TestClient, str]]


@pytest.fixture
def ids(ws: Workspace, tmp_path: Path) -> dict[str, str]:
    return archive_conversation(ws, tmp_path / "mail")


def thread_section(page: str) -> str:
    found = re.search(r'<section class="card" id="thread">(.*?)</section>', page, re.S)
    assert found, "the page has a thread section"
    return found.group(1)


def test_the_thread_lists_the_conversation_in_date_order_and_marks_the_message(
    client_for: Clients, ids: dict[str, str]
) -> None:
    paula, _ = client_for("paula")
    section = thread_section(paula.get(f"/archive/messages/{ids['answer']}").text)
    assert "4 messages in this conversation" in section
    order = re.findall(r'data-id="([0-9a-f]{64})"', section)
    assert order == [ids["ask"], ids["reply"], ids["answer"], ids["colleague"]]
    current = re.findall(r'<li aria-current="true" data-id="([0-9a-f]{64})"', section)
    assert current == [ids["answer"]]
    links = re.findall(r'href="/archive/messages/([0-9a-f]{64})"', section)
    assert links == [ids["ask"], ids["reply"], ids["colleague"]]  # every other message, not itself
    assert ids["copy"] not in section and ids["stranger"] not in section
    data = paula.get(f"/api/archive/messages/{ids['answer']}").json()["thread"]
    assert [e["id"] for e in data["entries"]] == order and data["total"] == 4


def test_a_message_alone_says_so(client_for: Clients, ids: dict[str, str]) -> None:
    otto, _ = client_for("otto")
    section = thread_section(otto.get(f"/archive/messages/{ids['stranger']}").text)
    assert "No other message of this conversation" in section and "<ol" not in section
