"""The one control runner: records every run and raises alerts, including about controls themselves.

Controls are pure: they read and return a `ControlOutcome`. The runner owns the write: the run
record, the alerts (every one stamped with the run's id, which is what proves to an examiner which
run raised it) and the control's own evidence rows (`ControlOutcome.write`) go in one transaction;
side effects such as routing are the control's declared `after_raise` hook, called after it.
A user command that finds something (a computation of record with a deficiency) does not raise
alerts itself either: it records a scoped run of the control the finding belongs to, in the same
transaction as its records (`record_in`); scoped runs do not count as scheduled runs.

A run that raises an exception is recorded as failed with a critical alert; a run that saw no input
where input was expected is recorded as such with an alert; a control that has not run within its
cadence is flagged by `status()` and by the `platform.control_health` control.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import AlertDraft
from proctor.core.clock import ensure_utc
from proctor.core.controls import (
    ControlContext,
    ControlOutcome,
    ControlSpec,
    RunOutcome,
    classify,
    hash_inputs,
    meta_alert,
    missed_cadence,
    next_due,
)
from proctor.core.errors import InputError
from proctor.core.roles import CONTROL_RUN, require
from proctor.store.schema import control_catalog, control_runs

if TYPE_CHECKING:
    from proctor.platform.transaction import Transaction
    from proctor.platform.workspace import Workspace

SCOPE = "scope"  # in a run's summary: what a scoped run (recorded by a user command) looked at

# Clocks of the machine that schedules a run and of the one that records it may differ a little.
FUTURE_GRACE = timedelta(minutes=1)


def refuse_future(ws: Workspace, as_of: datetime | None, option: str = "--as-of") -> None:
    """A run as of a future instant is refused: a control cannot have looked at what has not
    happened, and a run dated ahead would make the runs in between look done."""
    now = ws.clock.now()
    if as_of is not None and ensure_utc(as_of) > now + FUTURE_GRACE:
        raise InputError(
            f"{as_of.isoformat()} is in the future (now {now.isoformat(timespec='seconds')}); "
            "run a control as of now or an earlier instant",
            field=option,
        )


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
        """Run a control and record it: the run, its alerts (each naming the run) and the control's
        own evidence rows in one transaction; then the control's `after_raise` hook, if any."""
        require(self.ws.users.get(actor), CONTROL_RUN)
        spec = self.ws.registry.get(name)
        self._catalog()
        now = self.ws.clock.now()
        moment = ensure_utc(as_of) if as_of is not None else now
        run_id = self.ws.ids("RUN")
        ctx = ControlContext(as_of=moment, workspace=self.ws, actor=actor, params=params or {}, run_id=run_id)
        error: str | None = None
        try:
            outcome = spec.run(ctx)
            kind = classify(spec, outcome)
        except Exception as exc:  # a control's failure is itself a finding, never a crash of the run
            error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            outcome = ControlOutcome(input_count=0, input_hash="", findings=[], summary={})
            kind = RunOutcome.FAILED
        row = self._record(spec, run_id, moment, now, outcome, kind, error, actor)
        if spec.after_raise is not None and kind != RunOutcome.FAILED:
            row["after_raise"] = spec.after_raise(self.ws, row, actor)
        return row

    def _record(
        self,
        spec: ControlSpec,
        run_id: str,
        as_of: datetime,
        started: datetime,
        outcome: ControlOutcome,
        kind: RunOutcome,
        error: str | None,
        actor: str,
    ) -> dict[str, Any]:
        drafts = list(outcome.findings)
        if kind in (RunOutcome.FAILED, RunOutcome.NO_INPUT):
            detail: dict[str, Any] = {"as_of": as_of.isoformat(), "run_id": run_id}
            if error:
                detail["error"] = error.splitlines()[0]
            drafts.append(meta_alert(spec, kind, detail))
        with self.ws.transaction(actor) as tx:
            raised = [self.ws.alerts.raise_in(tx, d, run_id) for d in drafts]
            if outcome.write is not None and kind != RunOutcome.FAILED:
                outcome.write(tx, [alert_id for alert_id, _ in raised[: len(outcome.findings)]])
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
        row["new_alert_ids"] = [alert_id for alert_id, created in raised if created]
        # The alerts of the control's findings (not the run's alerts about itself), newly raised.
        row["new_finding_ids"] = [a for a, created in raised[: len(outcome.findings)] if created]
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

    def record_in(
        self,
        tx: Transaction,
        name: str,
        *,
        actor: str,
        scope: str,
        findings: list[AlertDraft],
        inputs: list[str],
        as_of: datetime | None = None,
        summary: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record a *scoped* run of control `name` for what a user command found, in its transaction.

        Alerts are raised only by control runs. A command that is itself a check of some records
        (`reserve compute` computing the reserve of record and finding a deficiency) records a run
        of the control its findings belong to, scoped to those records (`scope` says what it looked
        at, `inputs` their ids), in the same transaction as the records, so every alert names a run.
        A scoped run does not count as the control's scheduled run: `status()` still shows a missed
        schedule.
        """
        spec = self.ws.registry.get(name)
        run_id = self.ws.ids("RUN")
        now = self.ws.clock.now()
        raised = [self.ws.alerts.raise_in(tx, d, run_id) for d in findings]
        row = tx.insert(
            control_runs,
            {
                "id": run_id,
                "control": spec.name,
                "as_of": ensure_utc(as_of) if as_of is not None else now,
                "started_at": now,
                "ended_at": now,
                "outcome": (RunOutcome.FINDINGS if findings else RunOutcome.PASSED).value,
                "input_count": len(inputs),
                "input_hash": hash_inputs(inputs),
                "findings": len(findings),
                "alerts_raised": sum(1 for _, created in raised if created),
                "error": None,
                "summary": {**(summary or {}), SCOPE: scope},
                "actor": actor,
            },
            "control.run",
        )
        row["alert_ids"] = [alert_id for alert_id, _ in raised]
        return row

    def last_runs(self) -> dict[str, dict[str, Any]]:
        """Each control's latest scheduled (unscoped) run, by as-of."""
        stmt = sa.select(control_runs).order_by(control_runs.c.as_of.desc(), control_runs.c.ended_at.desc())
        wanted = {s.name for s in self.ws.registry.all()}
        out: dict[str, dict[str, Any]] = {}
        with self.ws.read() as conn:
            for r in conn.execute(stmt):
                if r.control in out or SCOPE in (r.summary or {}):
                    continue
                out[r.control] = dict(r._mapping)
                if wanted <= out.keys():
                    break
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
