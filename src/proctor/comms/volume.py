"""`comms.volume_anomaly`: a source that goes silent, or far below its own baseline, is caught the next day.

A deleted copy feature does not announce itself: the source simply delivers less, or nothing.
Each complete day is compared with the same weekday of the previous weeks (so weekends and quiet
days do not alert), and the first run after a silent day ends raises the alert: a source that
stops on day D is caught as of D+1. One alert covers one outage, with the daily counts drawn
against the baseline. Thresholds are run parameters, documented in docs/comms.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median
from typing import Any

from proctor.comms.completeness import param, registered_sources
from proctor.comms.counts import daily_counts, first_capture
from proctor.comms.days import complete_days, local_day, zone_of
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, hash_inputs

__all__ = ["volume_anomaly"]


def _expected(counts: dict[date, int], day: date, weeks: int, first: date | None) -> float | None:
    history = [day - timedelta(days=7 * k) for k in range(1, weeks + 1)]
    values = [counts[d] for d in history if d in counts and first is not None and d >= first]
    return float(median(values)) if len(values) >= 2 else None


def volume_anomaly(ctx: ControlContext) -> ControlOutcome:
    """Each connected source's daily volume against the same weekday of its previous weeks."""
    ws = ctx.workspace
    lookback, weeks = int(param(ctx, "lookback_days")), int(param(ctx, "baseline_weeks"))
    ratio, low_min = float(param(ctx, "low_ratio")), float(param(ctx, "low_min_expected"))
    silent_min = float(param(ctx, "silent_min_expected"))
    findings: list[AlertDraft] = []
    cells: list[tuple[str, str, int]] = []
    insufficient: list[str] = []
    with ws.read() as conn:
        for source in (s for s in registered_sources(ws) if s["capture_state"] == "connected"):
            zone = zone_of(source["timezone"])
            days = complete_days(ctx.as_of, zone, lookback)
            counts = daily_counts(
                conn, source["name"], source["timezone"], days[0] - timedelta(weeks=weeks), days[-1]
            )
            first_seen = first_capture(conn, source["name"])
            first = local_day(first_seen, zone) if first_seen else None
            rows = []
            for day in days:
                expected = _expected(counts, day, weeks, first)
                if expected is None and source["baseline_daily"] is not None:
                    expected = float(source["baseline_daily"])
                count = counts[day]
                cells.append((source["name"], day.isoformat(), count))
                silent = expected is not None and count == 0 and expected >= silent_min
                low = expected is not None and expected >= low_min and count < ratio * expected
                rows.append(
                    {
                        "day": day.isoformat(),
                        "count": count,
                        "expected": expected,
                        "silent": silent,
                        "low": low,
                    }
                )
            if all(r["expected"] is None for r in rows):
                insufficient.append(source["name"])
            flagged = [r for r in rows if r["silent"] or r["low"]]
            if flagged:
                findings.append(_volume_alert(source, rows, flagged, counts, first))
    return ControlOutcome(
        input_count=len(cells),
        input_hash=hash_inputs(cells),
        findings=findings,
        summary={
            "source_days": len(cells),
            "flagged_sources": len(findings),
            "insufficient_history": insufficient,
            "thresholds": {
                k: param(ctx, k) for k in ("low_ratio", "low_min_expected", "silent_min_expected")
            },
        },
    )


def _volume_alert(
    source: dict[str, Any],
    rows: list[dict[str, Any]],
    flagged: list[dict[str, Any]],
    counts: dict[date, int],
    first: date | None,
) -> AlertDraft:
    # The streak of flagged days the latest one belongs to: one alert per outage, not per day.
    streak_start = flagged[-1]["day"]
    by_day = {r["day"]: r for r in rows}
    for r in reversed(rows[: rows.index(by_day[streak_start])]):
        if not (r["silent"] or r["low"]):
            break
        streak_start = r["day"]
    silent = [r["day"] for r in flagged if r["silent"]]
    # Days before the source's first message are not history: drawing them as zeros would show an
    # outage that never happened.
    history = [{"day": d.isoformat(), "count": c} for d, c in sorted(counts.items()) if first and d >= first]
    title = (
        f"Source {source['name']} delivered nothing on {', '.join(silent)}"
        if silent
        else f"Source {source['name']} delivered far below its baseline on "
        f"{', '.join(r['day'] for r in flagged)}"
    )
    return AlertDraft(
        control="comms.volume_anomaly",
        rule_id="comms.volume.silent" if silent else "comms.volume.low",
        rule_version="1",
        title=title,
        severity=Severity.HIGH if silent else Severity.MEDIUM,
        subjects=(Subject("comms.source", source["name"]),),
        evidence={
            "source": source["name"],
            "kind": source["kind"],
            "owner": source["owner"],
            "days": rows,
            "history": history,
            "flagged_days": [r["day"] for r in flagged],
            "streak_start": streak_start,
        },
        evidence_type="comms.volume",
        dedupe_key=digest({"c": "comms.volume", "s": source["name"], "since": streak_start}),
    )
