"""Search: words, phrases, OR, exclusions, prefixes, filters and highlighted hits, on both databases."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from proctor.comms.search import SearchQuery, search, search_ids, unindex
from proctor.core.errors import InputError
from proctor.platform import Workspace
from tests.comms.archive_support import ingest_folder, mail, register, write_folder

DANA = "Dana Whitfield <dana@harborstreet.com>"
LEE = "Lee Park <lee@harborstreet.com>"
JANE = "Jane Doe <Jane.Doe@gmail.example>"
CSV = base64.b64encode(b"account,instruction\r\nACC-1,wire transfer to First Bank\r\n").decode()
WITH_ATTACHMENT = (
    "Message-ID: <wire-1@harborstreet.com>\r\nDate: Wed, 6 Mar 2024 11:00:00 -0500\r\n"
    f"From: {DANA}\r\nTo: ops@harborstreet.com\r\nSubject: Instructions for ACC-1\r\n"
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
    "--b1\r\nContent-Type: text/plain\r\n\r\nSee the attached file.\r\n"
    '--b1\r\nContent-Type: text/csv; name="instructions.csv"\r\n'
    'Content-Disposition: attachment; filename="instructions.csv"\r\n'
    f"Content-Transfer-Encoding: base64\r\n\r\n{CSV}\r\n--b1--\r\n"
).encode()
MAILBOX = [
    mail(
        "a1@h",
        "2024-03-04T09:05:00-05:00",
        DANA,
        JANE,
        "Your AAPL order",
        "Your order for 200 AAPL filled at 171.20.",
    ),
    mail(
        "a2@h",
        "2024-03-04T10:30:00-05:00",
        DANA,
        "ops@harborstreet.com",
        "Settlement",
        "Is the AAPL trade T+1?",
    ),
    mail(
        "a3@h",
        "2024-03-05T08:00:00-05:00",
        JANE,
        DANA,
        "Complaint",
        "The AAPL trade was not authorized by me.",
    ),
    mail(
        "a4@h",
        "2024-03-05T09:00:00-05:00",
        "AAPL Weekly <news@markets.example>",
        DANA,
        "Newsletter",
        "AAPL outlook.",
    ),
    mail("a5@h", "2024-03-05T12:00:00-05:00", JANE, DANA, "Re: Complaint", "Authorized? I did not say that."),
    WITH_ATTACHMENT,
]
DESK = [
    mail(
        "b1@h",
        "2024-03-06T14:00:00-05:00",
        LEE,
        "rkim@outlook.example",
        "Re: XOM",
        "I guarantee you will not lose money.",
    ),
]


@pytest.fixture
def archive(ws: Workspace, tmp_path: Path) -> Workspace:
    register(ws, "mbx.dana")
    register(ws, "mbx.lee")
    ingest_folder(ws, write_folder(tmp_path / "dana", MAILBOX), "mbx.dana")
    ingest_folder(ws, write_folder(tmp_path / "lee", DESK), "mbx.lee")
    return ws


def _subjects(ws: Workspace, **kw: object) -> list[str]:
    with ws.read() as conn:
        return [h["subject"] for h in search(conn, SearchQuery(**kw)).hits]  # type: ignore[arg-type]


def test_words_must_all_match_newest_first_with_the_hits_highlighted(archive: Workspace) -> None:
    with archive.read() as conn:
        result = search(conn, SearchQuery(text="AAPL trade"))
    assert [h["subject"] for h in result.hits] == ["Complaint", "Settlement"]
    complaint = result.hits[0]
    marked = {complaint["snippet"][s:e].lower() for s, e in complaint["highlights"]}
    assert marked == {"aapl", "trade"}
    assert complaint["sent_at"] == datetime(2024, 3, 5, 13, 0, tzinfo=UTC)
    assert complaint["source"] == "mbx.dana" and complaint["direction"] == "external"


def test_phrases_or_exclusions_prefixes_and_stems(archive: Workspace) -> None:
    assert _subjects(archive, text='"not authorized"') == ["Complaint"]
    assert _subjects(archive, text="authorized") == ["Re: Complaint", "Complaint"]
    assert _subjects(archive, text="complaint OR guarantee") == ["Re: XOM", "Re: Complaint", "Complaint"]
    assert _subjects(archive, text="AAPL -newsletter -complaint") == ["Settlement", "Your AAPL order"]
    assert _subjects(archive, text="guarant*") == ["Re: XOM"]
    assert _subjects(archive, text="guaranteed") == ["Re: XOM"]  # stem of "guarantee"
    assert _subjects(archive, text="AAPL", order="oldest")[:2] == ["Your AAPL order", "Settlement"]


def test_punctuation_never_becomes_query_syntax(archive: Workspace) -> None:
    assert _subjects(archive, text="wire-transfer") == ["Instructions for ACC-1"]  # attachment text
    assert _subjects(archive, text="o'brien's (AND) NOT:") == []
    with pytest.raises(InputError, match="unbalanced quote"):  # an error, not a silent empty page
        _subjects(archive, text='ACC-1 "171.20')
    with pytest.raises(InputError, match="at least one word"):
        _subjects(archive, text="-newsletter")


def test_filters_narrow_full_text_and_work_alone(archive: Workspace) -> None:
    assert _subjects(archive, text="AAPL", participant="JANE.DOE@gmail.example") == [
        "Complaint",
        "Your AAPL order",
    ]
    assert _subjects(archive, text="AAPL", direction="internal") == ["Settlement"]
    assert _subjects(archive, participant="rkim@outlook.example") == ["Re: XOM"]
    assert _subjects(archive, source="mbx.lee") == ["Re: XOM"]
    assert _subjects(archive, has_attachment=True) == ["Instructions for ACC-1"]
    since, until = datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 5, 23, 59, tzinfo=UTC)
    assert _subjects(archive, text="AAPL", since=since, until=until) == ["Newsletter", "Complaint"]
    with pytest.raises(InputError, match="direction must be one of"):
        _subjects(archive, direction="sideways")


def test_paging_all_ids_for_holds_and_unindexing_disposed_records(archive: Workspace) -> None:
    with archive.read() as conn:
        page = search(conn, SearchQuery(text="AAPL", limit=2))
        everything = search_ids(conn, SearchQuery(text="AAPL"))
    assert len(page.hits) == 2 and page.more
    assert len(everything) == 4 and set(everything) >= {h["id"] for h in page.hits}
    with archive.engine.begin() as conn:
        assert unindex(conn, [page.hits[0]["id"]]) == 1
    with archive.read() as conn:
        assert page.hits[0]["id"] not in search_ids(conn, SearchQuery(text="AAPL"))
