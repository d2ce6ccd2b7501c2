"""The one control runner: records every run and raises alerts, including about controls themselves.

A run that raises an exception is recorded as failed with a critical alert; a run that saw no input
where input was expected is recorded as such with an alert; a control that has not run within its
cadence is flagged by `status()` and by the `platform.control_health` control.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.clock import ensure_utc
from proctor.core.controls import (
    ControlContext,
    ControlOutcome,
    ControlSpec,
    RunOutcome,
    classify,
    meta_alert,
    missed_cadence,
    next_due,
)
from proctor.core.roles import CONTROL_RUN, require
from proctor.store.schema import control_catalog, control_runs

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace


class ControlRunner:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def _catalog(self) -> dict[str, datetime]:
        """First time each control was known here: a control that never ran is late from then on."""
        with self.ws.read() as conn:
            known = {r.name: r.first_seen for r in conn.execute(sa.select(control_catalog))}
        missing = [s.name for s in self.ws.registry.all() if s.name not in known]
        if missing:
            now = self.ws.clock.now()
            with self.ws.engine.begin() as conn:
                for name in missing:
                    exists = conn.execute(
                        sa.select(control_catalog.c.name).where(control_catalog.c.name == name)
                    ).first()
                    if exists is None:
                        conn.execute(control_catalog.insert().values(name=name, first_seen=now))
                    known[name] = now
        return known

    def run(
        self, name: str, *, actor: str, as_of: datetime | None = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        require(self.ws.users.get(actor), CONTROL_RUN)
        spec = self.ws.registry.get(name)
        self._catalog()
        moment = ensure_utc(as_of) if as_of is not None else self.ws.clock.now()
        started = self.ws.clock.now()
        ctx = ControlContext(as_of=moment, workspace=self.ws, actor=actor, params=params or {})
        error: str | None = None
        try:
            outcome = spec.run(ctx)
            kind = classify(spec, outcome)
        except Exception as exc:  # a control's failure is itself a finding, never a crash of the run
            error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            outcome = ControlOutcome(input_count=0, input_hash="", findings=[], summary={})
            kind = RunOutcome.FAILED
        return self._record(spec, moment, started, outcome, kind, error, actor)

    def _record(
        self,
        spec: ControlSpec,
        as_of: datetime,
        started: datetime,
        outcome: ControlOutcome,
        kind: RunOutcome,
        error: str | None,
        actor: str,
    ) -> dict[str, Any]:
        run_id = self.ws.ids("RUN")
        drafts = list(outcome.findings)
        if kind in (RunOutcome.FAILED, RunOutcome.NO_INPUT):
            detail: dict[str, Any] = {"as_of": as_of.isoformat(), "run_id": run_id}
            if error:
                detail["error"] = error.splitlines()[0]
            drafts.append(meta_alert(spec, kind, detail))
        with self.ws.transaction(actor) as tx:
            raised = [self.ws.alerts.raise_in(tx, d, run_id) for d in drafts]
            row = tx.insert(
                control_runs,
                {
                    "id": run_id,
                    "control": spec.name,
                    "as_of": as_of,
                    "started_at": started,
                    "ended_at": self.ws.clock.now(),
                    "outcome": kind.value,
                    "input_count": outcome.input_count,
                    "input_hash": outcome.input_hash,
                    "findings": len(outcome.findings),
                    "alerts_raised": sum(1 for _, created in raised if created),
                    "error": error,
                    "summary": outcome.summary,
                    "actor": actor,
                },
                "control.run",
            )
        row["alert_ids"] = [alert_id for alert_id, _ in raised]
        return row

    def run_all(
        self, *, actor: str, as_of: datetime | None = None, progress: Callable[[str], None] | None = None
    ) -> list[dict[str, Any]]:
        results = []
        for spec in self.ws.registry.all():
            if progress:
                progress(spec.name)
            results.append(self.run(spec.name, actor=actor, as_of=as_of))
        return results

    def last_runs(self) -> dict[str, dict[str, Any]]:
        latest = (
            sa.select(control_runs.c.control, sa.func.max(control_runs.c.as_of).label("as_of"))
            .group_by(control_runs.c.control)
            .subquery()
        )
        stmt = sa.select(control_runs).join(
            latest,
            sa.and_(control_runs.c.control == latest.c.control, control_runs.c.as_of == latest.c.as_of),
        )
        with self.ws.read() as conn:
            rows = [dict(r._mapping) for r in conn.execute(stmt)]
        out: dict[str, dict[str, Any]] = {}
        for row in sorted(rows, key=lambda r: r["ended_at"]):
            out[row["control"]] = row
        return out

    def status(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Each control's health: last run, outcome, next due, and whether it missed its cadence."""
        moment = now or self.ws.clock.now()
        catalog = self._catalog()
        last = self.last_runs()
        rows = []
        for spec in self.ws.registry.all():
            run = last.get(spec.name)
            last_as_of = run["as_of"] if run else None
            first_seen = catalog.get(spec.name, moment)
            rows.append(
                {
                    "control": spec.name,
                    "title": spec.title,
                    "module": spec.module,
                    "rule": spec.rule,
                    "cadence_hours": spec.cadence.total_seconds() / 3600,
                    "last_as_of": last_as_of,
                    "last_outcome": run["outcome"] if run else None,
                    "last_input_count": run["input_count"] if run else None,
                    "next_due": next_due(spec, last_as_of, first_seen),
                    "missed": missed_cadence(spec, last_as_of, first_seen, moment),
                }
            )
        return rows

    def history(self, name: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        stmt = sa.select(control_runs).order_by(control_runs.c.as_of.desc(), control_runs.c.ended_at.desc())
        if name:
            self.ws.registry.get(name)
            stmt = stmt.where(control_runs.c.control == name)
        with self.ws.read() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt.limit(limit))]
