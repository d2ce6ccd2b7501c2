"""A small broker-dealer's workspace for the web tests: staff, and alerts of several evidence kinds.

Alerts are raised through `ws.alerts.raise_alert`, exactly as a module's control would raise them,
with evidence shaped the way each kind of surveillance reports it (a table of reserve components,
a customer e-mail with lexicon hits, protected quotes around an OTC trade).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from proctor.bootstrap import init_workspace, open_workspace
from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.clock import Clock
from proctor.core.evidence import (
    Block,
    KeyValues,
    MessageBlock,
    RendererRegistry,
    TimelineBlock,
    TimelinePoint,
    default_blocks,
)

PASSWORD = "proctor-demo"
STAFF = [
    ("ada", "admin", "Ada Admin", []),
    ("paula", "principal", "Paula Principal", []),
    ("ravi", "reviewer", "Ravi Reviewer", []),
    ("rita", "reviewer", "Rita Reviewer", []),
    ("sam", "principal", "Sam Ortiz (branch manager, also a registered rep)", ["sam.ortiz@harborstreet.com"]),
    ("otto", "auditor", "Otto Auditor", []),
    ("fiona", "finop", "Fiona Finop", []),
]

EMAIL = (
    "Hi Mr. Alvarez,\n\nI can guarantee this bond will return 12% this year, no risk at all.\n"
    "Send the wire to account 4417-2231 and I will take care of it off the books.\n\nSam"
)


def message_blocks(evidence: dict[str, Any]) -> list[Block]:
    return [
        MessageBlock(
            "Message",
            [(k, str(v)) for k, v in evidence["headers"].items()],
            evidence["body"],
            [(h["start"], h["end"], h["term"]) for h in evidence["hits"]],
        )
    ]


def quote_blocks(evidence: dict[str, Any]) -> list[Block]:
    points = [
        TimelinePoint(q["at"], q["venue"], q["price"], q["side"], q.get("trade", False))
        for q in evidence["quotes"]
    ]
    return [
        KeyValues("Trade", list(evidence["trade"].items())),
        TimelineBlock("Protected quotes around the trade", points, unit=" USD"),
    ]


def renderers() -> RendererRegistry:
    registry = RendererRegistry()
    registry.register("test.message", message_blocks)
    registry.register("test.quotes", quote_blocks)
    registry.register("test.table", default_blocks)
    return registry


def _hit(term: str) -> dict[str, Any]:
    start = EMAIL.index(term)
    return {"term": term, "start": start, "end": start + len(term)}


DRAFTS = {
    "guarantee": AlertDraft(
        control="comms.lexicon",
        rule_id="FINRA 2210(d)(1)(B)",
        rule_version="3",
        title="Promissory language to a retail customer: 'guarantee', 'no risk'",
        severity=Severity.MEDIUM,
        subjects=(Subject("person", "sam.ortiz@harborstreet.com"),),
        evidence={
            "contains_npi": True,
            "headers": {
                "From": "sam.ortiz@harborstreet.com",
                "To": "r.alvarez@example.net",
                "Date": "2026-01-05T09:12:00Z",
                "Subject": "Your bond",
            },
            "body": EMAIL,
            "hits": [_hit("guarantee"), _hit("no risk"), _hit("off the books")],
        },
        evidence_type="test.message",
    ),
    "trade_through": AlertDraft(
        control="trading.trade_through",
        rule_id="Reg NMS 611",
        rule_version="1",
        title="OTC trade in ACME executed below the protected best bid",
        severity=Severity.HIGH,
        subjects=(Subject("symbol", "ACME"), Subject("trade", "T-88412")),
        evidence={
            "trade": {"id": "T-88412", "side": "sell", "price": 24.91, "quantity": 300},
            "quotes": [
                {"at": "2026-01-05T14:30:00.100Z", "venue": "NYSE", "price": 24.95, "side": "bid"},
                {"at": "2026-01-05T14:30:00.400Z", "venue": "ARCA", "price": 24.96, "side": "bid"},
                {
                    "at": "2026-01-05T14:30:00.900Z",
                    "venue": "OTC",
                    "price": 24.91,
                    "side": "trade",
                    "trade": True,
                },
                {"at": "2026-01-05T14:30:01.300Z", "venue": "NYSE", "price": 24.99, "side": "ask"},
            ],
        },
        evidence_type="test.quotes",
    ),
    "reserve": AlertDraft(
        control="reserve.computation",
        rule_id="SEA 15c3-3 Exhibit A",
        rule_version="1",
        title="Weekly reserve computation is missing short market value",
        severity=Severity.CRITICAL,
        subjects=(Subject("computation", "RSV-2026-01-02"),),
        evidence={
            "as_of": "2026-01-02",
            "missing_component": "short_market_value",
            "components": [
                {"line": "1", "item": "Free credit balances", "amount": "12,400,000.00"},
                {"line": "2", "item": "Short market value", "amount": "MISSING"},
                {"line": "3", "item": "Withholding taxes", "amount": "81,220.00"},
            ],
        },
        evidence_type="test.table",
    ),
    "access": AlertDraft(
        control="access.post_termination",
        rule_id="Reg S-P 248.30",
        rule_version="1",
        title="Terminated rep downloaded customer records from the vendor portal",
        severity=Severity.HIGH,
        subjects=(Subject("person", "former.rep@harborstreet.com"),),
        evidence={
            "contains_npi": True,
            "system": "vendor-crm",
            "terminated_on": "2025-12-01",
            "downloads": [{"at": "2026-01-03T22:10:00Z", "records": 412, "file": "clients.xlsx"}],
        },
        evidence_type="access_event",
    ),
}


@dataclass
class Firm:
    path: Path
    ids: dict[str, str]


def build_firm(path: Path, clock: Clock | None = None, database_url: str = "", low_alerts: int = 3) -> Firm:
    """Workspace at `path` with the staff and the alerts above; all new, none assigned."""
    init_workspace(
        path, firm="Harbor Street Securities LLC", domains=["harborstreet.com"], database_url=database_url
    )
    ws = open_workspace(path, clock=clock)
    try:
        for name, role, display, identities in STAFF:
            ws.users.add(
                name, role, actor="ada", password=PASSWORD, display_name=display, identities=identities
            )
        ids = {key: ws.alerts.raise_alert(draft, actor="ada") for key, draft in DRAFTS.items()}
        for n in range(low_alerts):
            ids[f"low{n}"] = ws.alerts.raise_alert(
                AlertDraft(
                    control="review.sampling",
                    rule_id="FINRA 3110(b)(4)",
                    rule_version="2",
                    title=f"Sampled message {n + 1} awaits review",
                    severity=Severity.LOW,
                    subjects=(Subject("message", f"MSG-{n + 1:04d}"),),
                    evidence={"mailbox": "ops@harborstreet.com", "sample": n + 1},
                ),
                actor="ada",
            )
        witness_folder = str(path.parent / f"{path.name}-witness")  # heads leave the workspace
        with (path / "proctor.toml").open("a", encoding="utf-8") as toml:
            toml.write(f'\n[journal]\nwitness = "{witness_folder}"\n')
        ws.config = replace(ws.config, raw={**ws.config.raw, "journal": {"witness": witness_folder}})
        for spec in ws.registry.all():
            if spec.module == "platform":  # modules' controls would find no data here and say so
                ws.controls.run(spec.name, actor="paula")
    finally:
        ws.close()
    return Firm(path=path, ids=ids)
