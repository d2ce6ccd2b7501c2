"""The frames the detection kernels read, built as known at an instant from the access records.

People and links come from the correlation API (`people.employment_frame`,
`correlation.link_frame`); accounts are rebuilt from the roster snapshots taken by the instant, so
"disabled at" is the export time of the first roster that showed the account disabled or gone —
the same proof the leaver control accepts, never a ticket's word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.access import accounts as roster
from proctor.access import correlation, people
from proctor.access.activity_store import load_events
from proctor.access.tables import systems as systems_table

TS = pl.Datetime("us", "UTC")
ACCOUNT_SCHEMA: dict[str, Any] = {
    "system": pl.Utf8,
    "login_id": pl.Utf8,
    "status": pl.Utf8,
    "disabled_at": TS,
    "created": TS,
    "first_seen": TS,
    "last_login": TS,
}


@dataclass(frozen=True)
class Inputs:
    events: pl.DataFrame
    files: list[dict[str, Any]]
    links: pl.DataFrame
    spans: pl.DataFrame
    systems: pl.DataFrame
    accounts: pl.DataFrame


def _utc(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def systems_frame(ws: Any) -> pl.DataFrame:
    with ws.read() as conn:
        rows = [(r.name, bool(r.npi), r.kind) for r in conn.execute(sa.select(systems_table))]
    return pl.DataFrame(rows, schema={"system": pl.Utf8, "npi": pl.Boolean, "kind": pl.Utf8}, orient="row")


def accounts_frame(ws: Any, as_of: datetime) -> pl.DataFrame:
    """Every account any roster taken by `as_of` showed, with its status in the latest of them."""
    out: list[tuple[Any, ...]] = []
    with ws.read() as conn:
        names = [r.name for r in conn.execute(sa.select(systems_table.c.name))]
        for system in names:
            state: dict[str, dict[str, Any]] = {}
            for snap, statuses in roster.roster_history(ws, conn, system):
                taken = _utc(snap["as_of"])
                if taken is None or taken > as_of:
                    continue
                details = {r.login_id: r for r in roster.snapshot_rows(ws, snap["rows_sha256"])}
                for login, status in statuses.items():
                    acc = state.setdefault(login, {"first_seen": taken, "disabled_at": None})
                    if status == "active":
                        acc["disabled_at"] = None
                    elif acc["disabled_at"] is None and status == "disabled":
                        acc["disabled_at"] = taken
                    acc["status"] = status
                    row = details.get(login)
                    acc["created"] = _utc(row.created) if row is not None else None
                    acc["last_login"] = _utc(row.last_login) if row is not None else None
                for login, acc in state.items():
                    if login not in statuses and acc["status"] != "removed":
                        acc["status"] = "removed"
                        acc["disabled_at"] = acc["disabled_at"] or taken
            for login, acc in state.items():
                out.append(
                    (
                        system,
                        login,
                        acc["status"],
                        acc["disabled_at"],
                        acc["created"],
                        acc["first_seen"],
                        acc["last_login"],
                    )
                )
    return pl.DataFrame(out, schema=ACCOUNT_SCHEMA, orient="row")


def gather(ws: Any, as_of: datetime, lookback: timedelta | None = timedelta(days=400)) -> Inputs:
    events, files = load_events(ws, as_of=as_of, since=as_of - lookback if lookback else None)
    return Inputs(
        events=events,
        files=files,
        # who an account belonged to as known at the run's instant: links are dated by the snapshot
        # that made them, so backfilled history still attributes, and a link confirmed later does not
        links=correlation.link_frame(ws, as_of),
        spans=people.employment_frame(ws, as_of),
        systems=systems_frame(ws),
        accounts=accounts_frame(ws, as_of),
    )
