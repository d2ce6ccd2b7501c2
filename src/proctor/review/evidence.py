"""How review alerts show their evidence: the message with its hits marked, and why it was chosen.

A reviewer decides from the message itself, so it comes first, exactly as captured, with every
lexicon hit highlighted and labelled with its term and category; then the reasons for selection
(rates and draws of a sample included, so anyone can re-check it) and the policy version.
"""

from __future__ import annotations

from typing import Any

from proctor.core.evidence import Block, KeyValues, MessageBlock, TableBlock


def message_blocks(evidence: dict[str, Any]) -> list[Block]:
    text = str(evidence.get("text", ""))
    hits = evidence.get("hits", [])
    spans = [(int(h["start"]), int(h["end"]), f"{h['term']} ({h['category']})") for h in hits]
    title = "Message" + (" (first 200,000 characters)" if evidence.get("truncated") else "")
    blocks: list[Block] = [MessageBlock(title, list(evidence.get("headers", {}).items()), text, spans)]
    reasons = evidence.get("reasons", [])
    if reasons:
        blocks.append(
            TableBlock(
                "Why it was selected",
                ["reason", "detail", "rate", "draw"],
                [[r["kind"], r["detail"], r.get("rate"), r.get("draw")] for r in reasons],
            )
        )
    if hits:
        blocks.append(
            TableBlock(
                "Lexicon hits",
                ["term", "rule", "category", "severity", "matched text"],
                [
                    [h["term"], h["rule_id"], h["category"], h["severity"], text[h["start"] : h["end"]]]
                    for h in hits
                ],
            )
        )
    policy = evidence.get("policy", {})
    blocks.append(
        KeyValues(
            "Policy",
            [
                ("policy", policy.get("id")),
                ("title", policy.get("title")),
                ("version", f"{policy.get('label')} ({policy.get('version_id')})"),
                ("version hash", policy.get("version_hash")),
                ("review within (business days)", policy.get("sla_business_days")),
                (
                    "covered persons",
                    ", ".join(evidence.get("covered", [])) or "none (heightened supervision)",
                ),
                ("populations", ", ".join(evidence.get("populations", [])) or "—"),
            ],
        )
    )
    return blocks


def coverage_blocks(evidence: dict[str, Any]) -> list[Block]:
    items = [
        ("account or source", evidence.get("target")),
        ("kind", evidence.get("kind")),
        ("name", evidence.get("display_name")),
        ("why it is a gap", "; ".join(evidence.get("explanation", []))),
        ("captured by", ", ".join(evidence.get("captured_by", [])) or "nothing"),
        ("coverage report", evidence.get("report_id")),
        ("as of", evidence.get("as_of")),
        ("how to clear it", evidence.get("remedy")),
    ]
    if evidence.get("messages") is not None:
        items[4:4] = [
            ("messages captured", evidence.get("messages")),
            ("evaluated", evidence.get("evaluated")),
        ]
    return [KeyValues("Coverage gap", items)]


def sla_blocks(evidence: dict[str, Any]) -> list[Block]:
    rows = evidence.get("overdue", [])
    return [
        KeyValues(
            "Review deadlines missed",
            [("as of", evidence.get("as_of")), ("items overdue", evidence.get("count"))]
            + [(f"held by {k}", v) for k, v in sorted(evidence.get("by_assignee", {}).items())],
        ),
        TableBlock(
            f"Overdue items ({evidence.get('listed', len(rows))} listed)",
            ["alert", "title", "assignee", "principal", "due", "business days overdue"],
            [
                [
                    r["alert_id"],
                    r["title"],
                    r["assignee"],
                    r["principal"],
                    r["due_at"],
                    r["business_days_overdue"],
                ]
                for r in rows
            ],
        ),
    ]


EVIDENCE_RENDERERS = {
    "review.message": message_blocks,
    "review.coverage": coverage_blocks,
    "review.sla": sla_blocks,
}
