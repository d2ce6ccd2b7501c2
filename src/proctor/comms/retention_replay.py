"""What a proposed retention schedule would do to the records already kept, before it is approved.

A shorter retention period is the one change to a retention schedule that can destroy records
early, and its effect is invisible in the schedule's text: "3 years" reads the same whether it
frees ten records for disposal or ten thousand. So the approver of a retention version sees it
replayed against the archive first: for each kind of source, how many records there are, the
period in force and the period proposed, and — where the proposal is shorter — how many records
would be past retention at once under it while the schedule in force still keeps them. Records on
legal hold stay undisposable whatever the schedule says; the count is before holds, and says so.

:func:`compare` is the replay itself (a :data:`proctor.platform.ruletables.ReplayHook`: targets,
old version, new version -> one row per target); :func:`replay` reads the targets from the
archive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.retention import RetentionSchedule, add_years, schedule_in_force
from proctor.comms.retention_tables import retention_versions
from proctor.comms.tables import messages, sources
from proctor.core.errors import NotFound
from proctor.platform.ruletables import ReplayHook

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace


@dataclass(frozen=True)
class KindRecords:
    """The records of one source kind, and a way to count those a period would already release."""

    kind: str
    records: int
    first_sent: datetime | None
    last_sent: datetime | None
    past_retention: Callable[[int], int]  # years -> records still kept today that `years` would release


def compare(
    targets: Sequence[KindRecords], old: RetentionSchedule, new: RetentionSchedule
) -> list[dict[str, Any]]:
    """One row per source kind: the periods in force and proposed, and what the change releases."""
    rows = []
    for t in targets:
        before, after = old.rule_for(t.kind), new.rule_for(t.kind)
        change = (
            "shorter"
            if after.retain_years < before.retain_years
            else "longer"
            if after.retain_years > before.retain_years
            else "same"
        )
        rows.append(
            {
                "kind": t.kind,
                "records": t.records,
                "first_sent": t.first_sent.isoformat() if t.first_sent else None,
                "last_sent": t.last_sent.isoformat() if t.last_sent else None,
                "retain_years_in_force": before.retain_years,
                "retain_years_proposed": after.retain_years,
                "citation_proposed": after.citation,
                "change": change,
                "released_at_once": t.past_retention(after.retain_years) if change == "shorter" else 0,
            }
        )
    return rows


_conforms: ReplayHook = compare  # the platform's replay shape, checked by mypy


def replay(ws: Workspace, version: str) -> dict[str, Any]:
    """The proposed `version` replayed against every record in the archive, now."""
    now = ws.clock.now().astimezone(UTC)
    with ws.read() as conn:
        row = conn.execute(
            sa.select(retention_versions).where(retention_versions.c.version == version)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no retention version {version!r}")
        proposed = RetentionSchedule.from_dict(row.schedule, file=f"retention version {version}")
        current = schedule_in_force(conn, now)
        stats = conn.execute(
            sa.select(
                sources.c.kind,
                sa.func.count(messages.c.id),
                sa.func.min(messages.c.sent_at),
                sa.func.max(messages.c.sent_at),
            )
            .select_from(messages.join(sources, sources.c.name == messages.c.source))
            .group_by(sources.c.kind)
            .order_by(sources.c.kind)
        ).all()

    def counter(kind: str) -> Callable[[int], int]:
        def past_retention(years: int) -> int:
            # A superset by date in SQL (a day's slack for 29 February), then the exact rule in Python.
            cutoff = add_years(now, -years) + timedelta(days=1)
            query = (
                sa.select(messages.c.sent_at)
                .select_from(messages.join(sources, sources.c.name == messages.c.source))
                .where(sources.c.kind == kind, messages.c.sent_at <= cutoff, messages.c.retain_until > now)
            )
            with ws.read() as conn:
                return sum(
                    1 for (sent,) in conn.execute(query) if add_years(sent.astimezone(UTC), years) <= now
                )

        return past_retention

    targets = [KindRecords(kind, count, first, last, counter(kind)) for kind, count, first, last in stats]
    rows = compare(targets, current, proposed)
    return {
        "version": version,
        "status": row.status,
        "in_force": current.version,
        "as_of": now.isoformat(),
        "kinds": rows,
        "records": sum(r["records"] for r in rows),
        "released_at_once": sum(r["released_at_once"] for r in rows),
        "note": "counts are before legal holds: a record on hold is never disposable",
    }
