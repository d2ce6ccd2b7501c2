"""A page of hits says how many match in all, counting no further than it is asked to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from proctor.comms.search import SearchQuery, search
from proctor.core.errors import InputError
from proctor.platform import Workspace
from tests.comms.records_support import email, ingest_emails, register

START = datetime(2025, 11, 3, 14, tzinfo=UTC)


@pytest.fixture
def wires(ws: Workspace, tmp_path: Path) -> Workspace:
    """Twelve wire requests from twelve clients, and one lunch invitation."""
    register(ws)
    mails = [
        email(
            "ravi@harborstreet.com",
            f"c{n}@client.example",
            f"Wire {n}",
            "wire transfer today",
            START + timedelta(hours=n),
            n,
        )
        for n in range(12)
    ]
    mails.append(email("ravi@harborstreet.com", "x@client.example", "Lunch", "lunch?", START, 99))
    ingest_emails(ws, tmp_path / "mail", mails)
    return ws


def _total(ws: Workspace, **kw: object) -> tuple[int, bool, int, bool]:
    with ws.read() as conn:
        result = search(conn, SearchQuery(**kw))  # type: ignore[arg-type]
    return result.total, result.total_capped, len(result.hits), result.more


def test_a_count_limit_stops_counting_and_says_there_are_more(wires: Workspace) -> None:
    assert _total(wires, text="wire", limit=2, count_up_to=5) == (5, True, 2, True)
    assert _total(wires, text="wire", limit=2, count_up_to=12) == (12, False, 2, True)
    assert _total(wires, text="wire", limit=2) == (12, False, 2, True)
    assert _total(wires, limit=2, count_up_to=12) == (12, True, 2, True)  # 13 messages in all
    assert _total(wires, text="wire", order="relevance", limit=2, count_up_to=3) == (3, True, 2, True)
    since = START + timedelta(hours=2)  # a filter: counted along the page's own plan
    every = _total(wires, text="wire", since=since, limit=2)
    assert every[0] > 4 and every[1:] == (False, 2, True)
    assert _total(wires, text="wire", since=since, limit=2, count_up_to=4) == (4, True, 2, True)
    assert _total(wires, text="wire", since=since, limit=2, count_up_to=40) == every


def test_the_count_reaches_at_least_the_end_of_the_page(wires: Workspace) -> None:
    assert _total(wires, text="wire", limit=2, offset=4, count_up_to=3) == (6, True, 2, True)
    assert _total(wires, text="wire", direction="external", limit=2, offset=4, count_up_to=3) == (
        6,
        True,
        2,
        True,
    )


def test_the_last_page_and_pages_past_it_give_the_exact_total(wires: Workspace) -> None:
    assert _total(wires, text="wire", limit=5, offset=10, count_up_to=3) == (12, False, 2, False)
    assert _total(wires, text="wire", limit=5, offset=40) == (12, False, 0, False)
    assert _total(wires, text="wire", limit=5, offset=40, count_up_to=3) == (12, False, 0, False)
    assert _total(wires, text="refund") == (0, False, 0, False)
    assert _total(wires, participant="C3@client.example") == (1, False, 1, False)


def test_a_count_limit_below_one_is_refused(wires: Workspace) -> None:
    with pytest.raises(InputError, match="count limit"):
        _total(wires, text="wire", count_up_to=0)
