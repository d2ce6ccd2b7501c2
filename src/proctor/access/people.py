"""People from HR: snapshots kept, employment history derived, and the API other features read.

Public API (stable; post-termination detection and incidents read it)
--------------------------------------------------------------------
- ``history(ws, employee_id, known_at=None) -> HrHistory | None``: one person's employment spans.
  ``known_at`` limits what is known to the HR snapshots taken at or before that instant (backfilled
  history proves what the firm knew then); ``None`` means everything imported.
- ``histories(ws, known_at=None) -> dict[str, HrHistory]``: every person's, in one read.
- ``employment_frame(ws, known_at=None) -> polars.DataFrame``: one row per employment span,
  columns ``employee_id, span, start, notified_at, end, end_source, end_known_at`` (UTC datetimes,
  null where unknown/open): the vectorised form for joining millions of events.
- ``person(ws, employee_id) -> dict | None``: the latest attributes (names, work_email, status,
  worker_type, manager_id, crd_number, u5_filed, present).
- ``HrHistory.status_at(t)`` -> "employed" | "notice" | "terminated" | "not_hired";
  ``HrHistory.termination_at(t)`` -> the termination effective time in force at ``t`` (the end of
  the span ``t`` falls after, unless a rehire started since) or ``None``;
  ``HrHistory.notice_at(t)`` -> the ``Employment`` whose notice period contains ``t``;
  ``HrHistory.rehired`` and ``HrHistory.spans`` (each ``Employment`` has ``start``, ``notified_at``,
  ``end`` (termination effective; may be in the future), ``end_source`` ("termination_effective",
  "last_day_worked", "status", "vanished") and ``end_known_at`` (the snapshot that first showed it)).

To go from an account to a person, use ``correlation.linked_person(ws, system, login_id, at)``.

How history is derived: snapshots in as-of order; a person absent from the next snapshot is a
leaver as of that snapshot unless a termination date already says when; a person who reappears
after their termination with a later hire date (or no termination) starts a new span (rehire);
"notified" before the termination effective time opens the notice period; a termination dated in
the future is in force only from that time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import sqlalchemy as sa

from proctor.access import hr
from proctor.access.tables import hr_events, hr_snapshots, people
from proctor.core.errors import InputError

__all__ = [
    "Employment",
    "HrHistory",
    "employment_frame",
    "histories",
    "history",
    "import_hr",
    "person",
]


@dataclass(frozen=True)
class Employment:
    """One continuous period of association with the firm."""

    start: datetime | None
    notified_at: datetime | None = None
    end: datetime | None = None
    end_source: str = ""
    end_known_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Employment:
        def t(key: str) -> datetime | None:
            v = d.get(key)
            return datetime.fromisoformat(v).astimezone(UTC) if v else None

        return cls(t("start"), t("notified_at"), t("end"), str(d.get("end_source") or ""), t("end_known_at"))


@dataclass(frozen=True)
class HrHistory:
    employee_id: str
    spans: tuple[Employment, ...]

    @property
    def rehired(self) -> bool:
        return len(self.spans) > 1

    def _span_at(self, t: datetime) -> Employment | None:
        """The latest span that started at or before t (a span with no known start counts)."""
        chosen = None
        for span in self.spans:
            if span.start is None or span.start <= t:
                chosen = span
        return chosen

    def status_at(self, t: datetime) -> str:
        span = self._span_at(t)
        if span is None:
            return "not_hired"
        if span.end is not None and t >= span.end:
            return "terminated"
        if span.notified_at is not None and t >= span.notified_at:
            return "notice"
        return "employed"

    def termination_at(self, t: datetime) -> datetime | None:
        span = self._span_at(t)
        return span.end if span is not None and span.end is not None and t >= span.end else None

    def notice_at(self, t: datetime) -> Employment | None:
        span = self._span_at(t)
        if span and span.notified_at and span.notified_at <= t and (span.end is None or t < span.end):
            return span
        return None

    @property
    def last_end(self) -> datetime | None:
        return self.spans[-1].end if self.spans else None


@dataclass
class _State:
    row: hr.HrRow
    present: bool = True
    spans: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    first_snapshot: str = ""
    last_snapshot: str = ""


def _day_start(day: str, zone: ZoneInfo) -> str:
    return datetime.combine(date.fromisoformat(day), time(0), tzinfo=zone).astimezone(UTC).isoformat()


def _day_end(day: str, zone: ZoneInfo) -> str:
    start = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC).isoformat()


def derive(
    snapshots: Sequence[tuple[str, datetime, Sequence[hr.HrRow]]], zone: ZoneInfo
) -> dict[str, _State]:
    """Employment history of everyone from full HR snapshots, oldest first (pure)."""
    states: dict[str, _State] = {}
    for snap_id, as_of, rows in sorted(snapshots, key=lambda s: (s[1], s[0])):
        at = as_of.isoformat()
        by_id = {r.employee_id: r for r in rows}
        for eid, st in states.items():
            if eid in by_id or not st.present:
                continue
            st.present = False
            span = st.spans[-1] if st.spans else None
            if span is not None and not span["end"]:
                span.update(end=at, end_source="vanished", end_known_at=at)
                st.events.append({"kind": "vanished", "effective": at, "snapshot": snap_id, "known_at": at})
        for eid, row in by_id.items():
            if eid not in states:
                states[eid] = _State(row, first_snapshot=snap_id)
            st = states[eid]
            if row.quarantined:
                st.present, st.last_snapshot = True, snap_id
                continue
            _apply(st, row, snap_id, at, zone)
    return states


def _apply(st: _State, row: hr.HrRow, snap_id: str, at: str, zone: ZoneInfo) -> None:
    def event(kind: str, effective: str | None) -> None:
        st.events.append({"kind": kind, "effective": effective, "snapshot": snap_id, "known_at": at})

    last = st.spans[-1] if st.spans else None
    working = row.status in ("active", "notified", "leave")
    closed = last is not None and bool(last["end"]) and last["end"] <= at
    hire = _day_start(row.hire_date, zone) if row.hire_date else ""
    if last is None or (
        closed and working and (not row.termination_effective or row.termination_effective > last["end"])
    ):
        start = hire if hire and (last is None or hire > last["end"]) else (at if last else hire or None)
        last = {"start": start, "notified_at": None, "end": None, "end_source": "", "end_known_at": None}
        st.spans.append(last)
        event("rehired" if len(st.spans) > 1 else "hired", start)
    elif last["end"] and last["end"] > at and working and not row.termination_effective:
        event("termination_rescinded", last["end"])
        last.update(end=None, end_source="", end_known_at=None, notified_at=None)
    if row.status == "notified" and not last["notified_at"]:
        last["notified_at"] = at
        event("notified", at)
    end, source = "", ""
    if row.termination_effective:
        end, source = row.termination_effective, "termination_effective"
    elif row.status == "terminated":
        end, source = (
            (_day_end(row.last_day_worked, zone), "last_day_worked")
            if row.last_day_worked
            else (
                at,
                "status",
            )
        )
    if end and end != last["end"] and not (source == "status" and last["end"]):
        last.update(end=end, end_source=source, end_known_at=at)
        event("terminated", end)
    st.row, st.present, st.last_snapshot = row, True, snap_id


def _zone(ws: Any) -> ZoneInfo:
    return zone_of(ws)


def zone_of(ws: Any) -> ZoneInfo:
    """The firm's time zone: `[firm] timezone`, else `[access] timezone`, else America/New_York."""
    firm, access = ws.config.section("firm"), ws.config.section("access")
    return hr.firm_zone({"timezone": firm.get("timezone") or access.get("timezone")})


_ROWS: dict[tuple[str, str], tuple[hr.HrRow, ...]] = {}


def snapshot_rows(ws: Any, rows_sha: str) -> tuple[hr.HrRow, ...]:
    """Parsed rows of an HR snapshot (content-addressed, so caching by hash is safe)."""
    key = (str(ws.path), rows_sha)
    if key not in _ROWS:
        if len(_ROWS) > 256:
            _ROWS.clear()
        _ROWS[key] = tuple(hr.HrRow(**r) for r in json.loads(ws.blobs.get(rows_sha)))
    return _ROWS[key]


def _load_snapshots(
    ws: Any, conn: sa.Connection, known_at: datetime | None = None
) -> list[tuple[str, datetime, Sequence[hr.HrRow]]]:
    query = sa.select(hr_snapshots.c.id, hr_snapshots.c.as_of, hr_snapshots.c.rows_sha256)
    if known_at is not None:
        query = query.where(hr_snapshots.c.as_of <= known_at)
    return [(r.id, r.as_of, snapshot_rows(ws, r.rows_sha256)) for r in conn.execute(query)]


def check_as_of(ws: Any, as_of: datetime | None) -> datetime:
    """The export's own instant: default now, never in the future."""
    now: datetime = ws.clock.now()
    if as_of is None:
        return now
    if as_of.tzinfo is None:
        raise InputError("--as-of needs a time zone", field="--as-of")
    if as_of > now:
        raise InputError(f"--as-of {as_of.isoformat()} is in the future", field="--as-of")
    return as_of.astimezone(UTC)


def import_hr(
    ws: Any,
    path: Path,
    *,
    actor: str,
    as_of: datetime | None = None,
    column_map: str | None = None,
    fmt: str = "auto",
) -> dict[str, Any]:
    """Store one HR snapshot, re-derive everyone's history, and open tasks for new terminations."""
    from proctor.access import sync
    from proctor.access.permissions import ACCESS_MANAGE
    from proctor.core.roles import require

    require(ws.users.get(actor), ACCESS_MANAGE)
    moment = check_as_of(ws, as_of)
    data = path.read_bytes()
    file = str(path)
    kind = hr.detect_format(path, data) if fmt == "auto" else fmt
    zone = _zone(ws)
    if kind == "scim":
        rows, errors = hr.read_scim(data, file, zone)
        map_name = "scim"
    elif kind == "csv":
        cmap = hr.load_column_map(column_map) if column_map else hr.auto_map(data)
        rows, errors = hr.read_csv(data, file, cmap, zone)
        map_name = cmap.name
    else:
        raise InputError(f"unknown format {fmt!r} (csv, scim)", field="--format")
    if not rows:
        raise InputError("the export holds no people", file=file)
    rows_blob = json.dumps([r.as_dict() for r in rows], sort_keys=True).encode()
    with ws.transaction(actor) as tx:
        raw_sha = tx.put_blob(data)
        rows_sha = tx.put_blob(rows_blob)
        snap = tx.insert(
            hr_snapshots,
            {
                "id": ws.ids("hrs"),
                "as_of": moment,
                "source": path.name,
                "format": kind,
                "column_map": map_name,
                "raw_sha256": raw_sha,
                "rows_sha256": rows_sha,
                "rows": len(rows),
                "quarantined": errors,
                "imported_by": actor,
                "imported_at": ws.clock.now(),
            },
            "access.hr_snapshot.imported",
        )
        snapshots = _load_snapshots(ws, tx.conn)
        changed, new_events = _store_derived(ws, tx, derive(snapshots, zone))
        refreshed = sync.refresh(ws, tx, at=moment)
    return {
        "snapshot": snap["id"],
        "as_of": moment,
        "rows": len(rows),
        "quarantined": len(errors),
        "errors": errors,
        "people_changed": changed,
        "events": new_events,
        "raw_sha256": raw_sha,
        **refreshed,
    }


def _store_derived(ws: Any, tx: Any, states: dict[str, _State]) -> tuple[int, int]:
    result = tx.conn.execute(sa.select(people))
    keys = list(result.keys())  # zip once per column list, not a RowMapping per row (1/3 of the time)
    existing = {r[0]: dict(zip(keys, r, strict=True)) for r in result}
    known_events = {r.id for r in tx.conn.execute(sa.select(hr_events.c.id))}
    inserts, updates, events = [], [], []
    now = ws.clock.now()
    for eid, st in states.items():
        old = existing.get(eid)
        row = st.row
        values = {
            "employee_id": eid,
            "first_name": row.first_name if row.first_name or not old else old["first_name"],
            "middle_name": row.middle_name if row.first_name or not old else old["middle_name"],
            "last_name": row.last_name if row.last_name or not old else old["last_name"],
            "work_email": row.work_email if row.work_email or not old else old["work_email"],
            "status": (row.status or (old or {}).get("status") or "unknown") if st.present else "gone",
            "worker_type": row.worker_type or (old or {}).get("worker_type") or "",
            "manager_id": row.manager_id,
            "crd_number": row.crd_number,
            "u5_filed": row.u5_filed,
            "present": st.present,
            "spans": st.spans,
            "first_snapshot": st.first_snapshot,
            "last_snapshot": st.last_snapshot,
        }
        if old is None:
            inserts.append({**values, "updated_at": now})
        elif any(
            old[k] != v  # str, bool and JSON lists of str/None: compared as values, no re-encoding
            for k, v in values.items()
            if k != "last_snapshot"  # seen again unchanged is in the snapshot record, not a change
        ):
            updates.append((eid, {**values, "updated_at": now}))
        for n, ev in enumerate(st.events):
            ev_id = f"{eid}:{n}:{ev['kind']}:{ev['snapshot']}"
            if ev_id not in known_events:
                events.append(
                    {
                        "id": ev_id,
                        "employee_id": eid,
                        "kind": ev["kind"],
                        "effective": datetime.fromisoformat(ev["effective"]) if ev["effective"] else None,
                        "snapshot_id": ev["snapshot"],
                        "known_at": datetime.fromisoformat(ev["known_at"]),
                        "detail": {},
                    }
                )
    tx.update_many(people, updates, "access.person.changed")
    tx.insert_many(people, inserts, "access.person.added")
    tx.insert_many(hr_events, events, "access.hr_event.recorded")
    return len(updates) + len(inserts), len(events)


def _from_spans(eid: str, spans: Iterable[dict[str, Any]]) -> HrHistory:
    return HrHistory(eid, tuple(Employment.from_dict(s) for s in spans))


def histories(
    ws: Any, known_at: datetime | None = None, conn: sa.Connection | None = None
) -> dict[str, HrHistory]:
    """Every person's employment history, as known at `known_at` (None: everything imported)."""
    if conn is None:
        with ws.read() as c:
            return histories(ws, known_at, c)
    if known_at is not None:
        latest = conn.execute(sa.select(sa.func.max(hr_snapshots.c.as_of))).scalar()
        if latest is not None and latest.astimezone(UTC) > known_at:
            states = derive(_load_snapshots(ws, conn, known_at), _zone(ws))
            return {eid: _from_spans(eid, st.spans) for eid, st in states.items()}
    return {r.employee_id: _from_spans(r.employee_id, r.spans) for r in conn.execute(sa.select(people))}


def history(ws: Any, employee_id: str, known_at: datetime | None = None) -> HrHistory | None:
    return histories(ws, known_at).get(employee_id)


def person(ws: Any, employee_id: str) -> dict[str, Any] | None:
    with ws.read() as conn:
        row = conn.execute(sa.select(people).where(people.c.employee_id == employee_id)).one_or_none()
    return dict(row._mapping) if row is not None else None


def employment_frame(ws: Any, known_at: datetime | None = None) -> pl.DataFrame:
    """One row per employment span, for vectorised joins against events or accounts."""
    rows = [
        {
            "employee_id": eid,
            "span": n,
            "start": s.start,
            "notified_at": s.notified_at,
            "end": s.end,
            "end_source": s.end_source,
            "end_known_at": s.end_known_at,
        }
        for eid, h in histories(ws, known_at).items()
        for n, s in enumerate(h.spans)
    ]
    ts = pl.Datetime("us", "UTC")
    schema: dict[str, Any] = {
        "employee_id": pl.Utf8,
        "span": pl.Int64,
        "start": ts,
        "notified_at": ts,
        "end": ts,
        "end_source": pl.Utf8,
        "end_known_at": ts,
    }
    return pl.DataFrame(rows, schema=schema)
