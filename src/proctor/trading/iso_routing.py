"""Route trading alerts to the supervisor of the desk (or trader) that made the trade.

FINRA 3110 puts each desk under a designated principal; an alert about a desk's trade that waits
in a shared queue is exactly how case 003's manual-desk trades went unreviewed. This is the
controls' `after_raise` hook: after the run's transaction commits, each new alert naming a desk or
trader is assigned to the first supervisor the firm's supervision hierarchy gives (the principal,
then the principal's delegates). Nothing here decides what the alert says; it only routes it, and
what it could not route is returned (and so recorded on the run) with the reason.
"""

from __future__ import annotations

from typing import Any

from proctor.core.errors import NotFound, PermissionDenied


def _people(alert: dict[str, Any]) -> tuple[str | None, str | None]:
    ev = alert.get("evidence") or {}
    return ev.get("trader"), ev.get("desk")


def route_new(ws: Any, run: dict[str, Any], actor: str) -> dict[str, Any]:
    """Assign each new desk alert of the run to the desk's supervisor; report what stayed unrouted."""
    from proctor.trading import modifiers  # the FIX and Polars readers load when a run routes

    directory = modifiers.load_directory(ws)
    routed: dict[str, str] = {}
    unrouted: dict[str, str] = {}
    for alert_id in run.get("new_alert_ids") or []:
        alert = ws.alerts.get(alert_id)
        trader, desk = _people(alert)
        if not trader and not desk:
            continue  # a day-level or venue-level alert: the module's principal queue works it
        supervisors, how = modifiers.supervisors_for(directory, trader, desk)
        if not supervisors:
            unrouted[alert_id] = f"no supervisor designated for desk {desk!r} / trader {trader!r} ({how})"
            continue
        refusals = []
        for who in supervisors:
            try:
                ws.alerts.assign(alert_id, who, actor=actor)
            except (PermissionDenied, NotFound) as exc:
                refusals.append(f"{who}: {exc}")
                continue
            routed[alert_id] = who
            break
        else:
            unrouted[alert_id] = "; ".join(refusals)
    return {"routed": routed, "unrouted": unrouted}
