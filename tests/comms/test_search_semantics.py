"""Search says what it did: a malformed query is an error, wildcards typed as text are text, and
a page of hits says how many there are in all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from proctor.comms.query import parse_query
from proctor.comms.search import SearchQuery, search
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.errors import InputError
from proctor.platform.alerts import AlertQuery
from tests.comms.records_support import email, ingest_emails, register

START = datetime(2025, 11, 3, 14, tzinfo=UTC)


@pytest.mark.parametrize("text", ['"guaranteed return', 'wire "transfer', '"a" "b'])
def test_an_unbalanced_quote_is_a_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="unbalanced quote"):
        parse_query(text)


@pytest.mark.parametrize("text", ["OR", "AND NOT", "-", "OR OR *", '""'])
def test_a_query_of_only_operators_is_a_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="no word to find, only operators"):
        parse_query(text)


def test_a_blank_query_is_still_no_text_condition() -> None:
    assert parse_query("   ").empty


def test_search_json_gives_the_total_as_well_as_the_page(ws, tmp_path: Path) -> None:
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
        for n in range(5)
    ]
    mails.append(email("ravi@harborstreet.com", "x@client.example", "Lunch", "lunch?", START, 99))
    ingest_emails(ws, tmp_path / "mail", mails)
    with ws.read() as conn:
        page = search(conn, SearchQuery(text="wire", limit=2)).as_dict()
    assert (page["count"], page["total"], page["more"]) == (2, 5, True)


def _alert(title: str) -> AlertDraft:
    return AlertDraft(
        control="review.lexicon",
        rule_id="review.lexicon.fees",
        rule_version="1",
        title=title,
        severity=Severity.LOW,
        subjects=(Subject("person", "jdoe@harborstreet.com"),),
        evidence={"title": title},
        params={"title": title},
    )


def test_percent_and_underscore_are_literal_in_alert_text_search(ws) -> None:
    for title in ("Fee of 5% over schedule", "Fee of 50 over schedule", "acct_7 flagged", "acctX7 flagged"):
        ws.alerts.raise_alert(_alert(title), actor="paula")
    rows, total = ws.alerts.query(AlertQuery(text="5%"))
    assert [r["title"] for r in rows] == ["Fee of 5% over schedule"] and total == 1
    rows, total = ws.alerts.query(AlertQuery(text="acct_7"))
    assert [r["title"] for r in rows] == ["acct_7 flagged"] and total == 1
