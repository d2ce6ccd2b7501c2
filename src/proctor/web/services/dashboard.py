"""The dashboard: are the controls running, what is open, what is late, and how it trends.

Counts are aggregated in the database (one grouped query each), so the page costs the same with a
hundred alerts or a hundred thousand. Which alerts a user may count is the platform's visibility
rule, taken from AlertService rather than restated here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from proctor.core.alerts import Severity
from proctor.platform.alerts import AlertQuery
from proctor.store.schema import alerts, control_runs
from proctor.web.charts import Bar, bar_list, column_chart, run_strip
from proctor.web.guard import Ctx

AGE_BUCKETS = [("< 1 day", 1), ("1–3 days", 3), ("3–7 days", 7), ("7–30 days", 30), ("> 30 days", None)]
DAYS_SHOWN = 30


def visible(ctx: Ctx, status: str | None = "open") -> list[Any]:
    """SQL conditions for the alerts this user may see (the platform's own queue filter)."""
    return ctx.ws.alerts.filters(AlertQuery(status=status), ctx.user)


# The moment a finding is about: the as-of of the control run that raised it (a run over last
# week's books finds last week's problem), or, for an alert raised outside a run, when it was raised.
found_at = sa.func.coalesce(control_runs.c.as_of, alerts.c.created_at)
with_runs = alerts.outerjoin(control_runs, alerts.c.run_id == control_runs.c.id)


def _grouped(ctx: Ctx, column: Any, conds: list[Any]) -> dict[Any, int]:
    stmt = sa.select(column, sa.func.count()).select_from(with_runs).where(*conds).group_by(column)
    with ctx.ws.read() as conn:
        return {key: int(n) for key, n in conn.execute(stmt)}


def open_by(ctx: Ctx) -> dict[str, dict[str, int]]:
    conds = visible(ctx)
    now = ctx.ws.clock.now()
    age = sa.case(
        *[
            (found_at > now - timedelta(days=limit), name)
            for name, limit in AGE_BUCKETS
            if limit is not None
        ],
        else_=AGE_BUCKETS[-1][0],
    )
    by_severity = _grouped(ctx, alerts.c.severity, conds)
    by_age = _grouped(ctx, age, conds)
    return {
        "severity": {s.value: by_severity.get(s.value, 0) for s in reversed(Severity)},
        "module": dict(sorted(_grouped(ctx, alerts.c.module, conds).items())),
        "age": {name: by_age.get(name, 0) for name, _ in AGE_BUCKETS},
        "status": _grouped(ctx, alerts.c.status, conds),
    }


def raised_per_day(ctx: Ctx, days: int = DAYS_SHOWN) -> list[tuple[str, int]]:
    """Findings per UTC day of their control run's as-of, the last `days` days, days with none too.

    Counting by the as-of rather than the row's write time keeps a backfill or a first run over
    history from piling every finding onto the day it was computed.
    """
    today = ctx.ws.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days - 1)
    day = sa.func.substr(sa.cast(found_at, sa.String), 1, 10)
    counts = _grouped(ctx, day, [*visible(ctx, None), found_at >= start])
    keys = [(start + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]
    return [(k, counts.get(k, 0)) for k in keys]


def overdue(ctx: Ctx, limit: int = 10) -> dict[str, Any]:
    now = ctx.ws.clock.now()
    query = AlertQuery(status="open", overdue_at=now, sort="due", descending=False, page_size=limit)
    rows, total = ctx.ws.alerts.query(query, ctx.user)
    return {"total": total, "alerts": rows}


def control_health(ctx: Ctx, runs_shown: int = 30) -> list[dict[str, Any]]:
    rows = ctx.ws.controls.status()
    for row in rows:
        row["runs"] = ctx.ws.controls.history(row["control"], runs_shown)
    return rows


def summary(ctx: Ctx) -> dict[str, Any]:
    """Everything the dashboard shows, as data (the API returns exactly this)."""
    controls = control_health(ctx)
    open_counts = open_by(ctx)
    mine = ctx.ws.alerts.query(AlertQuery(status="open", assignee=ctx.user.name, page_size=1), ctx.user)[1]
    return {
        "as_of": ctx.ws.clock.now(),
        "controls": controls,
        "controls_missed": sum(1 for c in controls if c["missed"]),
        "controls_failing": sum(1 for c in controls if c["last_outcome"] in ("failed", "no_input")),
        "open": open_counts,
        "open_total": sum(open_counts["severity"].values()),
        "my_open": mine,
        "overdue": overdue(ctx),
        "raised_per_day": raised_per_day(ctx),
    }


def charts(data: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's SVG charts, drawn from the summary above."""
    per_day = [
        Bar(day[5:], n, tip=f"{day}: {n} alert{'s' if n != 1 else ''} raised")
        for day, n in data["raised_per_day"]
    ]
    return {
        "per_day": column_chart(
            per_day, f"Alerts per day of the finding (control run as-of), last {len(per_day)} days"
        ),
        "severity": bar_list(
            [Bar(k, v, f"sev-{k}") for k, v in data["open"]["severity"].items()], "Open alerts by severity"
        ),
        "module": bar_list(
            [Bar(k, v, "module") for k, v in data["open"]["module"].items()], "Open alerts by module"
        ),
        "age": bar_list([Bar(k, v, "age") for k, v in data["open"]["age"].items()], "Open alerts by age"),
        "strips": {
            c["control"]: run_strip(c["runs"], f"Last runs of {c['control']}") for c in data["controls"]
        },
    }


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    """The API's dashboard: run histories trimmed to what a client needs for its own charts."""
    controls = []
    for control in data["controls"]:
        runs = [
            {k: r[k] for k in ("id", "as_of", "outcome", "input_count", "findings", "alerts_raised")}
            for r in control["runs"]
        ]
        controls.append({**control, "runs": runs})
    return {
        **data,
        "controls": controls,
        "raised_per_day": [{"day": d, "count": n} for d, n in data["raised_per_day"]],
    }
