"""Controls: named, scheduled checks whose every run is evidence.

The seed cases all share one failure: a control that stopped running, or ran on nothing, and
nobody noticed. So a control here is not just a function: it declares how often it must run and
whether it expects input, and the runner turns "missed", "failed" and "saw nothing" into alerts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.errors import NotFound


class RunOutcome(StrEnum):
    PASSED = "passed"  # ran on its inputs, found nothing
    FINDINGS = "findings"  # ran on its inputs, raised alerts
    NO_INPUT = "no_input"  # ran, but had nothing to look at where input was expected
    FAILED = "failed"  # raised an exception: the control did not do its job


#: Writes a control's own evidence rows (what it evaluated, its bookmark) in the run's transaction:
#: called by the runner with that transaction and the alert id of each finding, in order.
RecordWriter = Callable[[Any, Sequence[str]], None]


@dataclass(frozen=True)
class ControlOutcome:
    """What a run found. A control returns this and writes nothing itself: the runner records the
    run, raises the findings stamped with the run's id and calls `write` in one transaction."""

    input_count: int
    input_hash: str
    findings: list[AlertDraft] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    write: RecordWriter | None = None


@dataclass
class ControlContext:
    """What a run sees: the as-of instant it evaluates, the workspace, who started it, and the id
    the run will be recorded under (so evidence rows can name it)."""

    as_of: datetime
    workspace: Any
    actor: str
    params: dict[str, Any] = field(default_factory=dict)
    run_id: str = ""


ControlFn = Callable[[ControlContext], ControlOutcome]
#: A side effect after the run's transaction committed (routing, assignment): workspace, the run's
#: record (with `alert_ids`, `new_alert_ids` and `new_finding_ids`) and the actor; returns a summary
#: of what it did.
AfterRaise = Callable[[Any, dict[str, Any], str], dict[str, Any]]


@dataclass(frozen=True)
class ControlSpec:
    name: str
    title: str
    module: str
    cadence: timedelta
    run: ControlFn
    expects_input: bool = True
    rule: str = ""  # the rule the control implements, e.g. "SEA 17a-4(b)(4)"
    version: str = "1"
    description: str = ""
    after_raise: AfterRaise | None = None  # e.g. routing new review items to their reviewers


def hash_inputs(items: Iterable[Any]) -> str:
    """A stable hash of what a run looked at, so a rerun can show it saw the same inputs."""
    return digest(list(items))


class ControlRegistry:
    """The catalogue of controls. Registration order is the run order for `--all`."""

    def __init__(self) -> None:
        self._specs: dict[str, ControlSpec] = {}

    def register(self, spec: ControlSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"control {spec.name!r} is registered twice")
        self._specs[spec.name] = spec

    def extend(self, specs: Iterable[ControlSpec]) -> None:
        for spec in specs:
            self.register(spec)

    def get(self, name: str) -> ControlSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise NotFound(f"no control named {name!r}; see `proctor controls list`") from None

    def all(self) -> list[ControlSpec]:
        return list(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs


def classify(spec: ControlSpec, outcome: ControlOutcome) -> RunOutcome:
    if spec.expects_input and outcome.input_count == 0:
        return RunOutcome.NO_INPUT
    return RunOutcome.FINDINGS if outcome.findings else RunOutcome.PASSED


def next_due(spec: ControlSpec, last_as_of: datetime | None, first_seen: datetime) -> datetime:
    """When the next run is owed: one cadence after the last as-of (or after registration)."""
    base = last_as_of if last_as_of is not None else first_seen
    return base + spec.cadence


def missed_cadence(
    spec: ControlSpec, last_as_of: datetime | None, first_seen: datetime, now: datetime
) -> bool:
    """A grace of a tenth of the cadence absorbs scheduler jitter without hiding a skipped day."""
    return now > next_due(spec, last_as_of, first_seen) + spec.cadence / 10


def meta_alert(spec: ControlSpec, kind: RunOutcome | str, detail: dict[str, Any]) -> AlertDraft:
    """The alert a control raises about itself when it failed, saw nothing, or did not run."""
    kind_value = kind.value if isinstance(kind, RunOutcome) else kind
    titles = {
        "failed": f"Control {spec.name} failed to run",
        "no_input": f"Control {spec.name} received no input",
        "missed_cadence": f"Control {spec.name} missed its schedule",
    }
    return AlertDraft(
        control=spec.name,
        rule_id=f"platform.control.{kind_value}",
        rule_version="1",
        title=titles[kind_value],
        severity=Severity.HIGH if kind_value != "failed" else Severity.CRITICAL,
        subjects=(Subject("control", spec.name),),
        evidence={"control": spec.name, "cadence_seconds": spec.cadence.total_seconds(), **detail},
        evidence_type="control_health",
        dedupe_key=digest({"control": spec.name, "meta": kind_value, "as_of": detail.get("as_of")}),
    )
