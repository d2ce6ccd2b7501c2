"""Correlation rules as a versioned rule table, changed only by a proposal a second person approves.

Which accounts link to a person by themselves decides what the leaver control supervises: a looser
rule would silently attribute a stranger's account to a leaver, or a leaver's to nobody. So the
rules are not code nor a setting in the hand-editable config file but a rule table
(:mod:`proctor.platform.ruletables`): a document with a version, an effective date and citations,
named by its content digest, proposed by one person and approved by another
(:mod:`proctor.platform.approvals`), every step journaled. The baseline below is in force until the
firm approves a version; the version in force at an instant is the approved one with the latest
effective date on or before that day (in the firm's time zone). Each link records the digest of
the table it was made under, and the controls record the table in force at their as-of.

Document::

    version: "2026.1"
    effective_from: 2026-07-01
    rules:
      - {name: employee_id, key: employee_id, auto_link: true, citation: "..."}
      - {name: name_fuzzy, key: name_fuzzy, auto_link: false, threshold: 90}

Checks: each key is one the engine knows; names are unique; a name-based rule other than the exact
full name never links by itself (no doubtful match is accepted automatically); a fuzzy threshold is
between 80 and 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from proctor.access.matching import DEFAULT_RULES, Rule
from proctor.access.tables import rule_versions
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import POLICY_CHANGE, require
from proctor.platform import approvals
from proctor.platform.ruletables import VersionRow, citations_of, content_digest, in_force, read_document

__all__ = [
    "CorrelationRules",
    "approve",
    "baseline",
    "from_dict",
    "in_force_at",
    "list_versions",
    "propose",
    "read_document",
    "reject",
]

KEYS = ("employee_id", "email", "name_full", "name_first_last", "name_fuzzy")
MAY_AUTO_LINK = ("employee_id", "email", "name_full")
CITATION = "17 CFR 248.30(a) (safeguards: access to customer information); FINRA Rule 3110"
BASELINE_VERSION = "baseline-1"


@dataclass(frozen=True)
class CorrelationRules:
    """One version of the correlation rule table (satisfies `platform.ruletables.RuleTable`)."""

    version: str
    effective_from: date
    rules: tuple[Rule, ...]
    rule_citations: tuple[str, ...]
    source: str = "baseline"  # baseline | the id of the approved version

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "rules": [
                {
                    "name": r.name,
                    "key": r.key,
                    "auto_link": r.auto_link,
                    **({"threshold": r.threshold} if r.key == "name_fuzzy" else {}),
                    **({"citation": c} if c else {}),
                }
                for r, c in zip(self.rules, self.rule_citations, strict=True)
            ],
        }

    @property
    def digest(self) -> str:
        return content_digest(self.to_dict())

    def citations(self) -> list[str]:
        return citations_of([{"citation": c} for c in self.rule_citations])

    def label(self) -> dict[str, str]:
        """What a link, a run or an alert records about the rules it was made under."""
        return {"version": self.version, "digest": self.digest, "source": self.source}


def from_dict(data: Any, *, file: str = "rules") -> CorrelationRules:
    """Validate a rule document; every problem names the file and the rule."""
    if not isinstance(data, dict):
        raise InputError("expected a mapping with version, effective_from and rules", file=file)
    version = str(data.get("version") or "").strip()
    if not version:
        raise InputError("a version is required", file=file, field="version")
    try:
        effective = date.fromisoformat(str(data.get("effective_from") or ""))
    except ValueError:
        raise InputError("effective_from must be YYYY-MM-DD", file=file, field="effective_from") from None
    items = data.get("rules")
    if not isinstance(items, list) or not items:
        raise InputError("at least one rule is required", file=file, field="rules")
    rules: list[Rule] = []
    cites: list[str] = []
    for n, item in enumerate(items):
        where = f"rules[{n}]"
        if not isinstance(item, dict):
            raise InputError("a rule is a mapping", file=file, field=where)
        name, key = str(item.get("name") or "").strip(), str(item.get("key") or "").strip()
        if key not in KEYS:
            raise InputError(f"unknown key {key!r} (expected {', '.join(KEYS)})", file=file, field=where)
        if not name or any(r.name == name for r in rules):
            raise InputError(f"blank or repeated rule name {name!r}", file=file, field=f"{where}.name")
        auto = item.get("auto_link")
        if not isinstance(auto, bool):
            raise InputError("auto_link must be true or false", file=file, field=f"{where}.auto_link")
        if auto and key not in MAY_AUTO_LINK:
            raise InputError(
                f"a {key} match is doubtful and may not link by itself", file=file, field=f"{where}.auto_link"
            )
        threshold = 0.0
        if key == "name_fuzzy":
            try:
                threshold = float(item.get("threshold"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise InputError(
                    "a fuzzy rule needs a threshold", file=file, field=f"{where}.threshold"
                ) from None
            if not 80.0 <= threshold <= 100.0:
                raise InputError("threshold must be 80-100", file=file, field=f"{where}.threshold")
        rules.append(Rule(name, key, auto, threshold))
        cites.append(str(item.get("citation") or ""))
    return CorrelationRules(version, effective, tuple(rules), tuple(cites))


def baseline() -> CorrelationRules:
    """The rules Proctor ships (`matching.DEFAULT_RULES`), in force until the firm approves a version."""
    return CorrelationRules(
        BASELINE_VERSION, date(2000, 1, 1), DEFAULT_RULES, tuple(CITATION for _ in DEFAULT_RULES)
    )


def _row_rules(row: Any) -> CorrelationRules:
    table = from_dict(row.document, file=f"rule version {row.id}")
    return CorrelationRules(table.version, table.effective_from, table.rules, table.rule_citations, row.id)


def in_force_at(ws: Any, at: datetime, conn: sa.Connection | None = None) -> CorrelationRules:
    """The approved version in force on `at`'s day in the firm's time zone, else the baseline."""
    if conn is None:
        with ws.read() as c:
            return in_force_at(ws, at, c)
    from proctor.access.people import zone_of

    day = at.astimezone(zone_of(ws)).date()
    rows = [
        VersionRow(r.id, r.status, r.effective_from, r.decided_at, r)
        for r in conn.execute(sa.select(rule_versions))
    ]
    chosen = in_force(rows, day)
    return baseline() if chosen is None else _row_rules(chosen.value)


def propose(ws: Any, path: Path, *, actor: str, rationale: str) -> dict[str, Any]:
    """Record a proposed rule table; nothing changes until someone else approves it."""
    require(ws.users.get(actor), POLICY_CHANGE)
    if not rationale.strip():
        raise InputError("a rationale is required", field="--rationale")
    table = from_dict(read_document(path.read_text("utf-8"), str(path)), file=str(path))
    with ws.transaction(actor) as tx:
        row: dict[str, Any] = tx.insert(
            rule_versions,
            {
                "id": ws.ids("crv"),
                "version": table.version,
                "digest": table.digest,
                "document": table.to_dict(),
                "effective_from": table.effective_from,
                "status": "proposed",
                "rationale": rationale,
                "proposed_by": actor,
                "proposed_at": ws.clock.now(),
                "approvals": [],
                "decided_by": None,
                "decided_at": None,
                "decision_note": "",
            },
            "access.rules.proposed",
        )
        return row


def approve(ws: Any, version_id: str, *, actor: str, comment: str = "") -> dict[str, Any]:
    """A second person's approval puts the version in force from its effective date; the approver's
    comment, when given, is kept as the decision note."""
    with ws.transaction(actor) as tx:
        row = _get(tx, version_id)
        decision = approvals.approve(
            ws,
            actor,
            what=f"correlation rules {row['version']} ({version_id})",
            proposer=row["proposed_by"],
            status=row["status"],
            approvals=row["approvals"] or [],
        )
        values: dict[str, Any] = {"approvals": decision.records()}
        if decision.complete:
            values.update(status="approved", decided_by=actor, decided_at=ws.clock.now())
            if comment.strip():
                values["decision_note"] = comment.strip()
        event = "access.rules.approved" if decision.complete else "access.rules.approval_recorded"
        updated: dict[str, Any] = tx.update(rule_versions, version_id, values, event)
        return updated


def reject(ws: Any, version_id: str, *, actor: str, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise InputError("a reason is required", field="--reason")
    with ws.transaction(actor) as tx:
        row = _get(tx, version_id)
        approvals.reject(
            ws,
            actor,
            what=f"correlation rules {row['version']}",
            proposer=row["proposed_by"],
            status=row["status"],
        )
        values = {
            "status": "rejected",
            "decided_by": actor,
            "decided_at": ws.clock.now(),
            "decision_note": reason,
        }
        rejected: dict[str, Any] = tx.update(rule_versions, version_id, values, "access.rules.rejected")
        return rejected


def _get(tx: Any, version_id: str) -> dict[str, Any]:
    row = tx.get(rule_versions, version_id)
    if row is None:
        raise NotFound(f"no correlation rule version {version_id}")
    return dict(row)


def list_versions(ws: Any) -> list[dict[str, Any]]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(rule_versions).order_by(rule_versions.c.proposed_at, rule_versions.c.id)
        )
        return [dict(r._mapping) for r in rows]
