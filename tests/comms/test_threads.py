"""The thread of a message: every message of the conversation, date order, one entry per copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from proctor.comms.threads import thread_of
from proctor.core.errors import NotFound
from proctor.platform import Workspace

from .thread_support import archive_conversation


@pytest.fixture
def ids(ws: Workspace, tmp_path: Path) -> dict[str, str]:
    return archive_conversation(ws, tmp_path / "mail")


def names(ids: dict[str, str], thread: dict) -> list[str]:  # type: ignore[type-arg]
    by_id = {v: k for k, v in ids.items()}
    return [by_id[e["id"]] + ("*" if e["current"] else "") for e in thread["entries"]]


def test_a_reply_shows_the_whole_conversation_in_date_order(ws: Workspace, ids: dict[str, str]) -> None:
    with ws.read() as conn:
        thread = thread_of(conn, ids["reply"])
    assert names(ids, thread) == ["ask", "reply*", "answer", "colleague"]
    assert (thread["total"], thread["before"], thread["after"]) == (4, 0, 0)


def test_a_reply_citing_only_its_parent_still_finds_the_first_message(
    ws: Workspace, ids: dict[str, str]
) -> None:
    with ws.read() as conn:
        assert names(ids, thread_of(conn, ids["answer"])) == ["ask", "reply", "answer*", "colleague"]
        assert names(ids, thread_of(conn, ids["ask"])) == ["ask*", "reply", "answer", "colleague"]


def test_a_copy_being_read_stands_for_its_message_and_a_stranger_is_alone(
    ws: Workspace, ids: dict[str, str]
) -> None:
    with ws.read() as conn:
        assert names(ids, thread_of(conn, ids["copy"])) == ["ask", "copy*", "answer", "colleague"]
        alone = thread_of(conn, ids["stranger"])
    assert names(ids, alone) == ["stranger*"] and alone["total"] == 1


def test_a_long_thread_shows_a_window_and_counts_what_it_leaves_out(
    ws: Workspace, ids: dict[str, str]
) -> None:
    with ws.read() as conn:
        thread = thread_of(conn, ids["answer"], window=1)
        with pytest.raises(NotFound):
            thread_of(conn, "0" * 64)
    assert names(ids, thread) == ["reply", "answer*", "colleague"]
    assert (thread["total"], thread["before"], thread["after"]) == (4, 1, 0)
