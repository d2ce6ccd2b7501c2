"""How the archive's alerts show their evidence: counts side by side, daily volumes over time.

A supervisor deciding whether a silent source is a holiday or a broken connector wants to see the
weeks before it at a glance, so volume alerts draw a timeline; count mismatches show the four
figures next to each other and the items that are missing.
"""

from __future__ import annotations

from typing import Any

from proctor.core.evidence import Block, KeyValues, TableBlock, TimelineBlock, TimelinePoint


def capture_blocks(evidence: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        KeyValues(
            f"Source {evidence['source']} on {evidence['day']}",
            [
                ("reported by the source", evidence.get("reported_by_source")),
                ("accepted by the importer", evidence.get("accepted_by_importer")),
                ("stored", evidence.get("stored")),
                ("indexed", evidence.get("indexed")),
                ("problems", "; ".join(evidence.get("problems", []))),
            ],
        )
    ]
    if evidence.get("missing_note"):
        blocks.append(KeyValues("Missing items", [("note", evidence["missing_note"])]))
    missing = evidence.get("missing_items") or []
    if missing:
        title = f"Listed by the source but not stored ({evidence.get('missing_count', len(missing))})"
        blocks.append(TableBlock(title, ["identifier"], [[i] for i in missing]))
    unindexed = evidence.get("unindexed_items") or []
    if unindexed:
        title = f"Stored but not indexed ({evidence.get('unindexed_count', len(unindexed))})"
        blocks.append(TableBlock(title, ["record (SHA-256)"], [[i] for i in unindexed]))
    return blocks


def volume_blocks(evidence: dict[str, Any]) -> list[Block]:
    flagged = set(evidence.get("flagged_days", []))
    points = [
        TimelinePoint(at=f"{h['day']}T12:00:00Z", label=h["day"], value=h["count"], series="delivered")
        for h in evidence.get("history", [])
    ]
    points += [
        TimelinePoint(
            at=f"{r['day']}T12:00:00Z",
            label=f"{r['day']}: {r['count']} (baseline {r['expected']})",
            value=r["expected"],
            series="baseline",
            emphasis=r["day"] in flagged,
        )
        for r in evidence.get("days", [])
        if r.get("expected") is not None
    ]
    rows = [
        [r["day"], r["count"], r["expected"], "silent" if r["silent"] else "low" if r["low"] else ""]
        for r in evidence.get("days", [])
    ]
    highlight = frozenset(i for i, r in enumerate(evidence.get("days", [])) if r["day"] in flagged)
    return [
        KeyValues(
            f"Source {evidence['source']}",
            [
                ("kind", evidence.get("kind")),
                ("owner", evidence.get("owner")),
                ("outage since", evidence.get("streak_start")),
            ],
        ),
        TimelineBlock("Messages captured per day", points, unit="messages"),
        TableBlock("Days checked", ["day", "captured", "baseline", "flag"], rows, highlight_rows=highlight),
    ]


def cadence_blocks(evidence: dict[str, Any]) -> list[Block]:
    keys = (
        "kind",
        "owner",
        "capture_state",
        "connected_at",
        "cadence_hours",
        "last_delivery",
        "last_import",
        "as_of",
    )
    return [KeyValues(f"Source {evidence['source']}", [(k.replace("_", " "), evidence.get(k)) for k in keys])]


def quarantine_blocks(evidence: dict[str, Any]) -> list[Block]:
    items = evidence.get("items", [])
    return [
        KeyValues(
            f"Import {evidence['import_id']} from {evidence['source']}",
            [
                ("path", evidence.get("path")),
                ("read", evidence.get("read")),
                ("quarantined", evidence.get("quarantined")),
            ],
        ),
        TableBlock(
            "Quarantined items",
            ["origin", "reason", "kept as blob"],
            [[i["origin"], i["reason"], i["blob"]] for i in items],
        ),
    ]


EVIDENCE_RENDERERS = {
    "comms.capture": capture_blocks,
    "comms.volume": volume_blocks,
    "comms.cadence": cadence_blocks,
    "comms.quarantine": quarantine_blocks,
}
