"""How the access module's alerts are shown: the leaver's termination against the roster that
proves (or fails to prove) the account gone, the orphan's candidates, the agreement's sunset."""

from __future__ import annotations

from typing import Any

from proctor.core.evidence import Block, KeyValues, TableBlock, TimelineBlock, TimelinePoint


def _kv(title: str, evidence: dict[str, Any], keys: list[str]) -> KeyValues:
    return KeyValues(title, [(k.replace("_", " "), evidence.get(k)) for k in keys if k in evidence])


def leaver_blocks(evidence: dict[str, Any]) -> list[Block]:
    points = [
        TimelinePoint(evidence["termination_effective"], "termination effective", emphasis=True),
        TimelinePoint(evidence["deadline"], f"SLA deadline ({evidence.get('sla_hours')} h)"),
    ]
    if evidence.get("snapshot_as_of"):
        points.append(TimelinePoint(evidence["snapshot_as_of"], f"roster {evidence.get('snapshot')}"))
    if evidence.get("last_login"):
        points.append(TimelinePoint(evidence["last_login"], "last login on the account", emphasis=True))
    return [
        _kv(
            "Leaver and account",
            evidence,
            ["verdict", "employee_id", "system", "kind", "npi", "login_id", "display_name", "link_rule"],
        ),
        _kv(
            "Proof",
            evidence,
            ["termination_effective", "deadline", "snapshot", "snapshot_as_of", "snapshot_sha256"],
        ),
        TimelineBlock("From termination to roster", sorted(points, key=lambda p: p.at)),
    ]


def orphan_blocks(evidence: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        _kv(
            "Account",
            evidence,
            ["system", "login_id", "display_name", "email", "status", "situation", "first_seen"],
        )
    ]
    if evidence.get("candidates"):
        blocks.append(
            TableBlock("Candidates awaiting review", ["employee id"], [[c] for c in evidence["candidates"]])
        )
    return blocks


def agreement_blocks(evidence: dict[str, Any]) -> list[Block]:
    return [
        _kv(
            "Transitional access",
            evidence,
            [
                "finding",
                "system",
                "login_id",
                "employee_id",
                "display_name",
                "sunset_date",
                "allowed_until",
                "timezone",
            ],
        )
    ]


def task_blocks(evidence: dict[str, Any]) -> list[Block]:
    return [
        _kv(
            "Deprovisioning task",
            evidence,
            [
                "task",
                "kind",
                "reason",
                "system",
                "login_id",
                "employee_id",
                "npi",
                "effective",
                "due_at",
                "overdue_hours",
            ],
        ),
        _kv("Vendor notice", evidence, ["outbox_file", "message_sha256"]),
    ]


def coverage_blocks(evidence: dict[str, Any]) -> list[Block]:
    return [
        _kv(
            "Roster coverage",
            evidence,
            ["system", "kind", "npi", "last_roster", "age_hours", "cadence_hours", "evaluable"],
        )
    ]


def certification_blocks(evidence: dict[str, Any]) -> list[Block]:
    return [
        _kv(
            "Access certification",
            evidence,
            ["finding", "campaign", "system", "reviewer", "due_at", "status", "note", "period_days"],
        )
    ]


EVIDENCE_RENDERERS = {
    "access.leaver": leaver_blocks,
    "access.orphan": orphan_blocks,
    "access.agreement": agreement_blocks,
    "access.task": task_blocks,
    "access.coverage": coverage_blocks,
    "access.certification": certification_blocks,
}
