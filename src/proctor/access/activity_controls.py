"""Controls over what people did on each system, and over the Reg S-P incident clocks.

Each control gathers its frames as known at `--as-of`, runs a pure kernel from `detections`, and
turns the rows into alerts. Hourly cadences keep the promise that an event is alerted within one
control cycle of its log arriving. A finding raised once is not raised again after it was closed
(the same person, system and day is the same finding), so re-running over a window never reopens
what a reviewer already decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.access import activity_tables  # noqa: F401 - registers the tables with the metadata
from proctor.access.activity_evidence import EVIDENCE_RENDERERS
from proctor.access.detection_params import PARAMS
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest, plain
from proctor.core.clock import iso_utc
from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec, hash_inputs
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.access.activity_inputs import Inputs

# The kernels (`detections`, Polars) and the activity store load when a control runs: the specs
# below are read by every command that opens a workspace.

__all__ = ["CONTROLS", "EVIDENCE_RENDERERS"]

RULE = "Reg S-P 17 CFR 248.30(a); FINRA 3110"
TIMELINE_LIMIT = 200


def _lookback(ctx: ControlContext) -> timedelta:
    """How far back in event time a run looks (`lookback_days`, default 400): late logs still count."""
    return timedelta(days=float(ctx.params.get("lookback_days", 400)))


def _fresh(ws: Any, drafts: list[AlertDraft]) -> list[AlertDraft]:
    """Drop findings whose alert was raised before and closed: decided findings stay decided."""
    keys = [d.key() for d in drafts]
    closed: set[str] = set()
    with ws.read() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            closed.update(
                k
                for (k,) in conn.execute(
                    sa.select(alerts.c.dedupe_key).where(
                        alerts.c.dedupe_key.in_(chunk), alerts.c.status == "closed"
                    )
                )
            )
    return [d for d in drafts if d.key() not in closed]


def _timeline(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: (iso_utc(v) if isinstance(v, datetime) else v) for k, v in item.items()}
        for item in list(items)[:TIMELINE_LIMIT]
    ]


def _iso(value: Any) -> str | None:
    return iso_utc(value) if isinstance(value, datetime) else None


def _input_hash(inputs: Inputs) -> str:
    return hash_inputs(sorted(f["sha256"] for f in inputs.files))


def _key(*parts: Any) -> str:
    return digest([plain(p) for p in parts])


def _person_subjects(row: dict[str, Any], logins: list[str]) -> tuple[Subject, ...]:
    return (
        Subject("access.person", str(row["employee_id"])),
        Subject("access.system", str(row["system"])),
        *(Subject("access.account", f"{row['system']}:{login}") for login in logins),
    )


def post_termination_control(ctx: ControlContext) -> ControlOutcome:
    import polars as pl

    from proctor.access import detections as det
    from proctor.access.activity_inputs import gather

    inputs = gather(ctx.workspace, ctx.as_of, _lookback(ctx))
    attributed = det.attribute(inputs.events, inputs.links, inputs.spans)
    rows = det.post_termination(attributed, inputs.systems)
    drafts = []
    for row in rows.iter_rows(named=True):
        notice_only = row["bases"] == ["notice_period_export"]
        drafts.append(
            AlertDraft(
                control="access.post_termination",
                rule_id="access.post_termination",
                rule_version=PARAMS.version,
                title=(
                    f"{row['employee_id']} used {row['system']} on {row['day']} "
                    + (
                        "during the notice period (customer data taken)"
                        if notice_only
                        else "after termination"
                    )
                ),
                severity=Severity.CRITICAL if row["npi"] else Severity.HIGH,
                subjects=_person_subjects(row, row["logins"]),
                evidence={
                    "employee_id": row["employee_id"],
                    "system": row["system"],
                    "npi_system": row["npi"],
                    "day": row["day"].isoformat(),
                    "bases": row["bases"],
                    "termination_effective": _iso(row["term_end"]),
                    "notified_at": _iso(row["notified_at"]),
                    "events": row["events"],
                    "first_event": _iso(row["first_ts"]),
                    "last_event": _iso(row["last_ts"]),
                    "logins": row["logins"],
                    "actions": row["actions"],
                    "records": row["records"],
                    "timeline": _timeline(row["timeline"]),
                    "contains_npi": bool(row["records"]),
                },
                evidence_type="access_activity",
                params=PARAMS.as_dict(),
                dedupe_key=_key("access.post_termination", row["employee_id"], row["system"], row["day"]),
            )
        )
    fresh = _fresh(ctx.workspace, drafts)
    return ControlOutcome(
        inputs.events.height,
        _input_hash(inputs),
        fresh,
        {
            "events": inputs.events.height,
            "files": len(inputs.files),
            "attributed": int(attributed.filter(pl.col("state") != "unlinked").height),
            "unlinked_events": int(attributed.filter(pl.col("state") == "unlinked").height),
            "person_days": rows.height,
            "alerts": len(fresh),
        },
    )


def npi_exposure_control(ctx: ControlContext) -> ControlOutcome:
    from proctor.access import detections as det
    from proctor.access.activity_inputs import gather

    inputs = gather(ctx.workspace, ctx.as_of, _lookback(ctx))
    attributed = det.attribute(inputs.events, inputs.links, inputs.spans)
    leaver = det.npi_exposure(attributed, inputs.systems)
    bulk = det.bulk_access(attributed)
    drafts = []
    for row in leaver.iter_rows(named=True):
        after = row["severity"] == "critical"
        drafts.append(
            AlertDraft(
                control="access.npi_exposure",
                rule_id="access.npi_exposure.leaver",
                rule_version=PARAMS.version,
                title=(
                    f"{'Former employee' if after else 'Leaver in notice'} {row['employee_id']} "
                    f"{'/'.join(row['actions'])} customer record(s) {', '.join(row['records'][:5])} "
                    f"on {row['system']}"
                ),
                severity=Severity.CRITICAL if after else Severity.HIGH,
                subjects=_person_subjects(row, sorted({t["login_id"] for t in row["timeline"]})),
                evidence={
                    "employee_id": row["employee_id"],
                    "system": row["system"],
                    "day": row["day"].isoformat(),
                    "states": row["states"],
                    "termination_effective": _iso(row["term_end"]),
                    "records": row["records"],
                    "actions": row["actions"],
                    "events": row["events"],
                    "timeline": _timeline(row["timeline"]),
                    "contains_npi": True,
                },
                evidence_type="access_activity",
                params=PARAMS.as_dict(),
                due_in=timedelta(hours=24),
                dedupe_key=_key("access.npi_exposure", row["employee_id"], row["system"], row["day"]),
            )
        )
    for row in bulk.iter_rows(named=True):
        drafts.append(
            AlertDraft(
                control="access.npi_exposure",
                rule_id="access.npi_exposure.bulk",
                rule_version=PARAMS.version,
                title=(
                    f"{row['login_id']} touched {row['records']} customer records on {row['system']} "
                    f"on {row['day']} (baseline {row['baseline']:.0f})"
                ),
                severity=Severity.HIGH,
                subjects=(
                    Subject("access.account", f"{row['system']}:{row['login_id']}"),
                    Subject("access.system", str(row["system"])),
                    *((Subject("access.person", str(row["employee_id"])),) if row["employee_id"] else ()),
                ),
                evidence={
                    "system": row["system"],
                    "login_id": row["login_id"],
                    "employee_id": row["employee_id"],
                    "state": row["state"],
                    "day": row["day"].isoformat(),
                    "records": row["records"],
                    "baseline": row["baseline"],
                    "system_p90": row["p90"],
                    "user_days_in_baseline": row["user_days"],
                },
                evidence_type="access_activity",
                params=PARAMS.as_dict(),
                dedupe_key=_key("access.npi_exposure.bulk", row["system"], row["login_id"], row["day"]),
            )
        )
    fresh = _fresh(ctx.workspace, drafts)
    return ControlOutcome(
        inputs.events.height,
        _input_hash(inputs),
        fresh,
        {"events": inputs.events.height, "leaver_exfiltration": leaver.height, "bulk": bulk.height},
    )


_DISABLED_TITLES = {
    "login_after_disable": "logged in to a disabled account",
    "session_outlived_disable": "kept using a session that began before the account was disabled",
    "activity_after_disable": "used an account after it was disabled",
}


def disabled_accounts_control(ctx: ControlContext) -> ControlOutcome:
    from proctor.access import detections as det
    from proctor.access.activity_inputs import gather

    inputs = gather(ctx.workspace, ctx.as_of, _lookback(ctx))
    rows = det.disabled_activity(inputs.events, inputs.accounts)
    drafts = [
        AlertDraft(
            control="access.disabled_accounts",
            rule_id=f"access.disabled_accounts.{row['kind']}",
            rule_version=PARAMS.version,
            title=f"{row['login_id']} {_DISABLED_TITLES[row['kind']]} on {row['system']} ({row['day']})",
            severity=Severity.HIGH,
            subjects=(
                Subject("access.account", f"{row['system']}:{row['login_id']}"),
                Subject("access.system", str(row["system"])),
            ),
            evidence={
                "system": row["system"],
                "login_id": row["login_id"],
                "kind": row["kind"],
                "day": row["day"].isoformat(),
                "disabled_at": _iso(row["disabled_at"]),
                "first_event": _iso(row["first_ts"]),
                "last_event": _iso(row["last_ts"]),
                "sessions": row["sessions"],
                "events": row["events"],
                "timeline": _timeline(row["timeline"]),
            },
            evidence_type="access_activity",
            dedupe_key=_key(
                "access.disabled_accounts", row["system"], row["login_id"], row["kind"], row["day"]
            ),
        )
        for row in rows.iter_rows(named=True)
    ]
    fresh = _fresh(ctx.workspace, drafts)
    return ControlOutcome(
        inputs.events.height + inputs.accounts.height,
        _input_hash(inputs),
        fresh,
        {"events": inputs.events.height, "accounts": inputs.accounts.height, "findings": rows.height},
    )


def dormant_accounts_control(ctx: ControlContext) -> ControlOutcome:
    from proctor.access import detections as det
    from proctor.access.activity_inputs import gather

    inputs = gather(ctx.workspace, ctx.as_of, _lookback(ctx))
    rows = det.dormant_accounts(inputs.accounts, inputs.events, inputs.systems, ctx.as_of)
    month = ctx.as_of.strftime("%Y-%m")
    drafts = [
        AlertDraft(
            control="access.dormant_accounts",
            rule_id="access.dormant_accounts",
            rule_version=PARAMS.version,
            title=(
                f"Dormant account {row['login_id']} on NPI system {row['system']} "
                + (f"(last used {row['last_used']:%Y-%m-%d})" if row["last_used"] else "(no use on record)")
            ),
            severity=Severity.MEDIUM,
            subjects=(
                Subject("access.account", f"{row['system']}:{row['login_id']}"),
                Subject("access.system", str(row["system"])),
            ),
            evidence={
                "system": row["system"],
                "login_id": row["login_id"],
                "last_used": _iso(row["last_used"]),
                "existed_since": _iso(row["existed_since"]),
                "dormant_days": PARAMS.dormant_days,
            },
            evidence_type="access_activity",
            params=PARAMS.as_dict(),
            dedupe_key=_key("access.dormant_accounts", row["system"], row["login_id"], month),
        )
        for row in rows.iter_rows(named=True)
    ]
    return ControlOutcome(
        inputs.accounts.height,
        hash_inputs(
            sorted(f"{s}:{login}" for s, login in inputs.accounts.select("system", "login_id").rows())
        ),
        _fresh(ctx.workspace, drafts),
        {"accounts": inputs.accounts.height, "dormant": rows.height},
    )


def silent_source_control(ctx: ControlContext) -> ControlOutcome:
    from proctor.access import detections as det
    from proctor.access.activity_store import cadences, last_arrivals

    expected = cadences(ctx.workspace)
    arrivals = last_arrivals(ctx.workspace, ctx.as_of)
    late = det.silent_sources(arrivals, expected, ctx.as_of)
    drafts = [
        AlertDraft(
            control="access.silent_source",
            rule_id="access.silent_source",
            rule_version=PARAMS.version,
            title=(
                f"Activity log of {row['system']} has not arrived since "
                f"{row['last_arrival']:%Y-%m-%d %H:%M} UTC"
                if row["last_arrival"]
                else f"Activity log of {row['system']} has never arrived"
            ),
            severity=Severity.HIGH,
            subjects=(Subject("access.system", str(row["system"])),),
            evidence={
                "system": row["system"],
                "last_arrival": _iso(row["last_arrival"]),
                "cadence_hours": row["cadence_seconds"] / 3600,
                "silent_hours": None
                if row["silent_for_seconds"] is None
                else row["silent_for_seconds"] / 3600,
            },
            evidence_type="access_activity",
            dedupe_key=_key("access.silent_source", row["system"], _iso(row["last_arrival"])),
        )
        for row in late
    ]
    return ControlOutcome(
        len(expected),
        hash_inputs(sorted(f"{s}:{_iso(t)}" for s, t in arrivals.items())),
        _fresh(ctx.workspace, drafts),
        {"sources": len(expected), "silent": len(late)},
    )


def incident_clocks_control(ctx: ControlContext) -> ControlOutcome:
    from proctor.access.incidents import clock_findings

    count, findings = clock_findings(ctx.workspace, ctx.as_of)
    return ControlOutcome(
        count,
        hash_inputs(sorted(f.key() for f in findings)),
        _fresh(ctx.workspace, findings),
        {"open": count},
    )


def _spec(name: str, title: str, cadence: timedelta, fn: Any, desc: str, expects: bool = True) -> ControlSpec:
    return ControlSpec(
        name,
        title,
        "access",
        cadence,
        fn,
        expects_input=expects,
        rule=RULE,
        version=PARAMS.version,
        description=desc,
    )


CONTROLS: tuple[ControlSpec, ...] = (
    _spec(
        "access.post_termination",
        "Nobody uses a system after leaving",
        timedelta(hours=1),
        post_termination_control,
        "Any successful login, view, search, download, export or print by a person after their "
        "termination effective time (or, for customer data on NPI systems, in their notice period): "
        "one alert per person, system and day with the event timeline.",
    ),
    _spec(
        "access.npi_exposure",
        "Customer NPI taken by leavers or in bulk",
        timedelta(hours=1),
        npi_exposure_control,
        "A download, export or print of a customer record by a leaver is critical whatever the volume; "
        "anyone touching more records in a day than the system's baseline is high.",
    ),
    _spec(
        "access.disabled_accounts",
        "Disabled accounts stay unused",
        timedelta(hours=1),
        disabled_accounts_control,
        "Logins to accounts a roster showed disabled or removed, and sessions that outlive the disable.",
        expects=False,
    ),
    _spec(
        "access.dormant_accounts",
        "No dormant accounts on NPI systems",
        timedelta(days=1),
        dormant_accounts_control,
        f"Active accounts on NPI systems unused for {PARAMS.dormant_days} days.",
        expects=False,
    ),
    _spec(
        "access.silent_source",
        "Every system's activity log keeps arriving",
        timedelta(hours=1),
        silent_source_control,
        "A system whose log has not arrived within its cadence cannot be watched: that is an alert.",
        expects=False,
    ),
    ControlSpec(
        "access.incident_clocks",
        "Reg S-P notice clocks are met",
        "access",
        timedelta(hours=1),
        incident_clocks_control,
        expects_input=False,
        rule="Reg S-P 17 CFR 248.30(a)(4), (a)(5)(i)",
        description="The 30-day customer-notice and 72-hour service-provider clocks of every open "
        "incident: warnings before they run out, critical when they have.",
    ),
)
