"""How activity and incident alerts are shown: the person's termination against what they did."""

from __future__ import annotations

from typing import Any

from proctor.core.evidence import Block, KeyValues, TableBlock, TimelineBlock, TimelinePoint

_FACTS = (
    "employee_id",
    "system",
    "login_id",
    "day",
    "bases",
    "states",
    "kind",
    "termination_effective",
    "notified_at",
    "disabled_at",
    "records",
    "actions",
    "events",
    "baseline",
    "last_used",
    "last_arrival",
    "cadence_hours",
    "incident",
    "clock",
    "deadline",
    "hours_left",
)
_COLUMNS = ("ts", "login_id", "action", "record_id", "record_type", "client_ip", "session_id")


def activity_blocks(evidence: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        KeyValues("Finding", [(k.replace("_", " "), evidence[k]) for k in _FACTS if k in evidence])
    ]
    timeline = evidence.get("timeline") or []
    if timeline:
        marks = [
            TimelinePoint(str(evidence[k]), k.replace("_", " "), emphasis=True)
            for k in ("notified_at", "termination_effective", "disabled_at")
            if evidence.get(k)
        ]
        points = [
            TimelinePoint(
                str(e["ts"]),
                f"{e['action']} {e.get('record_id') or ''}".strip(),
                emphasis=e["action"] in ("download", "export", "print"),
            )
            for e in timeline
        ]
        blocks.append(TimelineBlock("Termination and activity", sorted(marks + points, key=lambda p: p.at)))
        blocks.append(
            TableBlock(
                "Events",
                list(_COLUMNS),
                [[e.get(c) for c in _COLUMNS] for e in timeline],
                frozenset(
                    i for i, e in enumerate(timeline) if e["action"] in ("download", "export", "print")
                ),
            )
        )
    return blocks


EVIDENCE_RENDERERS: dict[str, Any] = {"access_activity": activity_blocks, "access_incident": activity_blocks}
