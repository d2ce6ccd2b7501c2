"""Controls page: every control's health and run history, and running one on demand."""

from __future__ import annotations

from typing import Any

from proctor.core.roles import CONTROL_RUN
from proctor.web.charts import Bar, column_chart, run_strip
from proctor.web.guard import Ctx
from proctor.web.services.dashboard import control_health

RUN_COLUMNS = [
    "id",
    "control",
    "as_of",
    "started_at",
    "ended_at",
    "outcome",
    "input_count",
    "findings",
    "alerts_raised",
    "actor",
    "error",
]


def overview(ctx: Ctx) -> dict[str, Any]:
    rows = control_health(ctx)
    return {"controls": rows, "can_run": ctx.can(CONTROL_RUN)}


def strips(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {r["control"]: run_strip(r["runs"], f"Last runs of {r['control']}") for r in rows}


def detail(ctx: Ctx, name: str, limit: int = 100) -> dict[str, Any]:
    spec = ctx.ws.registry.get(name)
    status = next(r for r in ctx.ws.controls.status() if r["control"] == name)
    runs = ctx.ws.controls.history(name, limit)
    return {
        "control": status,
        "description": spec.description,
        "expects_input": spec.expects_input,
        "version": spec.version,
        "runs": runs,
        "can_run": ctx.can(CONTROL_RUN),
    }


def history_chart(runs: list[dict[str, Any]]) -> Any:
    """Inputs seen per run, coloured by outcome: a control quietly seeing less stands out."""
    bars = [
        Bar(
            r["as_of"].strftime("%m-%d"),
            float(r["input_count"]),
            f"outcome-{r['outcome']}",
            f"{r['as_of']:%Y-%m-%d %H:%M}: {r['outcome']}, {r['input_count']:,} inputs, "
            f"{r['findings']} findings",
        )
        for r in reversed(runs)
    ]
    return column_chart(bars, "Inputs seen per run (colour: outcome)")


def run_now(ctx: Ctx, name: str) -> dict[str, Any]:
    """Runs the control as the signed-in user; the platform checks they may run controls."""
    return ctx.ws.controls.run(name, actor=ctx.user.name)
