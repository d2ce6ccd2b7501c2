"""The journal filtered by user, event type, subject and date, paged on the server, exported as CSV:
the export holds exactly the filtered rows, and a reviewer only the ones he may read."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from proctor.platform import Workspace
from proctor.platform.alerts import journal_visible_to
from proctor.store.schema import journal_events
from proctor.web import WebSettings, create_app

from .conftest import SECRET, login
from .demo_firm import demo_copy, open_copy


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = open_copy(demo_copy(tmp_path_factory, "journal-pages"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def app(ws: Workspace) -> Any:
    return create_app(ws, WebSettings(secret_key=SECRET, secure_cookies=False))


def client(app: Any, user: str) -> TestClient:
    c = TestClient(app, base_url="http://127.0.0.1")
    login(c, user)
    return c


def exported(c: TestClient, **params: str) -> list[dict[str, str]]:
    answer = c.get("/journal/events.csv", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


def paged(c: TestClient, **params: str) -> list[int]:
    """Walk the API's pages back to the first event, as the Older link does."""
    seqs: list[int] = []
    before: int | None = None
    while True:
        page = c.get(
            "/api/journal/events", params={**params, **({"before": before} if before else {})}
        ).json()
        seqs.extend(e["seq"] for e in page["events"])
        if page["older"] is None:
            return seqs
        before = page["older"]


def test_filters_narrow_by_user_event_type_and_subject(app: Any, ws: Workspace) -> None:
    paula = client(app, "paula")
    everything = paula.get("/api/journal/events").json()
    assert len(everything["events"]) == 50 and everything["older"] is not None
    with ws.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar_one()
    assert everything["total"] == total
    fiona = paula.get("/api/journal/events", params={"actor": "fiona"}).json()
    assert fiona["events"] and {e["actor"] for e in fiona["events"]} == {"fiona"}
    raised = paula.get("/api/journal/events", params={"event_type": "alert.raised"}).json()
    assert raised["events"] and {e["event_type"] for e in raised["events"]} == {"alert.raised"}
    cases = paula.get("/api/journal/events", params={"event_type": "case.*"}).json()
    assert cases["events"] and all(e["event_type"].startswith("case.") for e in cases["events"])
    one = cases["events"][0]["subject_id"]
    about = paula.get("/api/journal/events", params={"subject": f"case:{one}"}).json()
    assert about["events"] and {e["subject_id"] for e in about["events"]} == {one}
    assert paula.get("/api/journal/events", params={"subject": one}).json()["total"] == about["total"]
    page = paula.get("/journal/events", params={"event_type": "case.*"}).text
    assert re.search(r'href="/journal/events.csv\?event_type=case\.%2A"', page)


def test_the_date_range_is_inclusive_days_in_utc_and_checked(app: Any, ws: Workspace) -> None:
    paula = client(app, "paula")
    with ws.read() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(journal_events.c.ts), sa.func.max(journal_events.c.ts))
        ).one()
    day = last[:10]
    rows = exported(paula, since=day, until=day)
    assert rows and all(r["ts"].startswith(day) for r in rows)
    with ws.read() as conn:
        on_day = conn.execute(
            sa.select(sa.func.count()).where(journal_events.c.ts.startswith(day))
        ).scalar_one()
    assert len(rows) == on_day
    assert exported(paula, until="2000-01-01") == []
    bad = paula.get("/journal/events", params={"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.text
    backwards = paula.get(
        "/api/journal/events",
        params={"since": day, "until": first[:10] if first[:10] < day else "2000-01-01"},
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "since"


def test_the_export_holds_exactly_the_rows_the_filtered_pages_walk_through(app: Any) -> None:
    paula = client(app, "paula")
    filters = {"event_type": "alert.*", "actor": "paula"}
    rows = exported(paula, **filters)
    seqs = paged(paula, **filters)
    assert len(seqs) > 50  # more than one page
    assert [int(r["seq"]) for r in rows] == sorted(seqs)
    assert len(set(seqs)) == len(seqs)  # no row on two pages
    assert {r["actor"] for r in rows} == {"paula"} and all(r["event_type"].startswith("alert.") for r in rows)


def test_a_reviewer_exports_only_what_the_platform_lets_him_read(app: Any, ws: Workspace) -> None:
    ravi = client(app, "ravi")
    rows = exported(ravi)
    user = ws.users.get("ravi")
    with ws.read() as conn:
        visible = (
            conn.execute(
                sa.select(journal_events.c.seq).where(journal_visible_to(user)).order_by(journal_events.c.seq)
            )
            .scalars()
            .all()
        )
        total = conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar_one()
    assert [int(r["seq"]) for r in rows] == list(visible) and 0 < len(rows) < total
    rita_cases = exported(ravi, actor="rita", event_type="case.*")
    assert rita_cases == []  # rita's cases are not his
    assert (
        ravi.get("/api/journal/events", params={"actor": "rita", "event_type": "case.*"}).json()["total"] == 0
    )
