"""Retention schedules: how long each kind of captured communication must be kept, and why.

SEA 17a-4(b)(4) requires communications relating to the business to be kept for not less than
three years, the first two in an easily accessible place; FINRA Rule 4511(b) sets six years for
records with no specified period. A schedule is versioned data: each rule names the source kind it
covers, its periods and its citation, so every record's retain-until date can be traced to the
rule version that set it.

The floor is code, not data: a schedule below the regulatory minimums is refused when it is read,
whoever proposed or approved it. A kind the schedule does not name falls to the default rule,
which is the longer period, so an unknown kind is kept too long rather than destroyed too early.

The schedule in force is the approved version with the latest effective date on or before the
moment asked about (a platform rule table, :mod:`proctor.platform.ruletables`); until a firm
approves its own, the packaged baseline is in force.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from proctor.comms.retention_tables import retention_versions
from proctor.core.errors import InputError
from proctor.platform.ruletables import (
    VersionRow,
    citations_of,
    content_digest,
    in_force,
    packaged_document,
    read_document,
)

BASELINE_FILE = "retention.v1.yaml"

#: Regulatory floors, with the rule each comes from. Communication kinds may not go below the
#: first; the default rule (records with no specified period) may not go below the second.
COMMUNICATION_MINIMUM = (3, 2, "17 CFR 240.17a-4(b)(4)")
DEFAULT_MINIMUM = (6, 0, "FINRA Rule 4511(b)")

APPROVED = "approved"
PROPOSED = "proposed"
REJECTED = "rejected"


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of record is kept, and how long it stays easily accessible."""

    kind: str
    retain_years: int
    accessible_years: int
    citation: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "retain_years": self.retain_years,
            "accessible_years": self.accessible_years,
            "citation": self.citation,
            "note": self.note,
        }
        if self.kind != "default":
            out = {"kind": self.kind, **out}
        return out


@dataclass(frozen=True)
class RetentionTerms:
    """The retention a record gets: which version and rule, until when, and why."""

    version: str
    kind: str
    citation: str
    accessible_until: datetime
    retain_until: datetime


@dataclass(frozen=True)
class RetentionSchedule:
    """One version of the retention schedule."""

    version: str
    effective_from: date
    source: str
    default: RetentionRule
    rules: dict[str, RetentionRule] = field(default_factory=dict)

    def rule_for(self, source_kind: str) -> RetentionRule:
        return self.rules.get(source_kind, self.default)

    def terms(self, source_kind: str, sent_at: datetime) -> RetentionTerms:
        if sent_at.tzinfo is None:
            raise ValueError(f"naive datetime {sent_at.isoformat()} has no time zone")
        rule = self.rule_for(source_kind)
        moment = sent_at.astimezone(UTC)
        return RetentionTerms(
            version=self.version,
            kind=rule.kind,
            citation=rule.citation,
            accessible_until=add_years(moment, rule.accessible_years),
            retain_until=add_years(moment, rule.retain_years),
        )

    def retain_until(self, source_kind: str, sent_at: datetime) -> datetime:
        return self.terms(source_kind, sent_at).retain_until

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "default": self.default.to_dict(),
            "rules": [self.rules[k].to_dict() for k in sorted(self.rules)],
        }

    @property
    def digest(self) -> str:
        return content_digest(self.to_dict())

    def citations(self) -> list[str]:
        return citations_of([self.default, *(self.rules[k] for k in sorted(self.rules))])

    @classmethod
    def from_dict(cls, data: Any, file: str | None = None) -> RetentionSchedule:
        """Validate a schedule document; every problem names the file and the field."""
        if not isinstance(data, dict):
            raise InputError("a retention schedule must be a mapping", file=file)
        version = _text(data, "version", file, "version")
        effective = _date(data.get("effective_from"), file)
        source = str(data.get("source") or "")
        default = _rule(data.get("default"), "default", file, "default")
        _check_floor(default, DEFAULT_MINIMUM, file, "default")
        raw_rules = data.get("rules") or []
        if not isinstance(raw_rules, list):
            raise InputError("must be a list of rules", file=file, field="rules")
        rules: dict[str, RetentionRule] = {}
        for index, raw in enumerate(raw_rules):
            where = f"rules[{index}]"
            if not isinstance(raw, dict):
                raise InputError("must be a mapping", file=file, field=where)
            kind = _text(raw, "kind", file, f"{where}.kind")
            if kind == "default":
                raise InputError("'default' is set by the default rule", file=file, field=f"{where}.kind")
            if kind in rules:
                raise InputError(f"kind {kind!r} appears twice", file=file, field=f"{where}.kind")
            rule = _rule(raw, kind, file, where)
            _check_floor(rule, COMMUNICATION_MINIMUM, file, where)
            rules[kind] = rule
        return cls(version=version, effective_from=effective, source=source, default=default, rules=rules)


def add_years(moment: datetime, years: int) -> datetime:
    """The same calendar instant `years` later; 29 February moves to 1 March, never earlier.

    Past the calendar's last year (a message dated 9999) the answer is its last instant: kept
    for ever rather than refused, since a record is never to be destroyed early.
    """
    if moment.year + years > datetime.max.year:
        return datetime.max.replace(tzinfo=moment.tzinfo)
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        target = moment.year + years
        assert not calendar.isleap(target)
        return moment.replace(year=target, month=3, day=1)


def packaged_schedule() -> RetentionSchedule:
    """The baseline shipped with Proctor, in force until the firm approves a version of its own."""
    data = packaged_document("proctor.comms.rules", BASELINE_FILE)
    return RetentionSchedule.from_dict(data, file=BASELINE_FILE)


def schedule_from_yaml(text: str, file: str) -> RetentionSchedule:
    return RetentionSchedule.from_dict(read_document(text, file), file=file)


def schedule_in_force(conn: sa.Connection, at: datetime | None = None) -> RetentionSchedule:
    """The approved schedule with the latest effective date on or before `at` (default: now).

    Ingest should call this once per batch and use :meth:`RetentionSchedule.terms` per message,
    rather than :func:`retention_for` per message, to avoid one query per record.
    """
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    approved = conn.execute(
        sa.select(
            retention_versions.c.version,
            retention_versions.c.status,
            retention_versions.c.effective_from,
            retention_versions.c.decided_at,
        ).where(retention_versions.c.status == APPROVED)
    )
    rows = [VersionRow(r.version, r.status, r.effective_from, r.decided_at) for r in approved]
    chosen = in_force(rows, moment.date())
    if chosen is None:
        return packaged_schedule()
    data = conn.execute(
        sa.select(retention_versions.c.schedule).where(retention_versions.c.version == chosen.version)
    ).scalar_one()
    return RetentionSchedule.from_dict(data, file=f"retention version {chosen.version}")


def retention_for(conn: sa.Connection, source_kind: str, sent_at: datetime) -> tuple[str, datetime]:
    """(rule version, retain-until) for a record of `source_kind` sent at `sent_at`."""
    terms = schedule_in_force(conn).terms(source_kind, sent_at)
    return terms.version, terms.retain_until


def _text(data: dict[str, Any], key: str, file: str | None, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError("is required and must be text", file=file, field=where)
    return value.strip()


def _date(value: Any, file: str | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError("must be a date YYYY-MM-DD", file=file, field="effective_from") from None


def _years(data: dict[str, Any], key: str, file: str | None, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError("must be a whole number of years", file=file, field=f"{where}.{key}")
    return value


def _rule(data: Any, kind: str, file: str | None, where: str) -> RetentionRule:
    if not isinstance(data, dict):
        raise InputError("must be a mapping", file=file, field=where)
    rule = RetentionRule(
        kind=kind,
        retain_years=_years(data, "retain_years", file, where),
        accessible_years=_years(data, "accessible_years", file, where),
        citation=_text(data, "citation", file, f"{where}.citation"),
        note=str(data.get("note") or ""),
    )
    if rule.accessible_years > rule.retain_years:
        raise InputError("cannot exceed retain_years", file=file, field=f"{where}.accessible_years")
    return rule


def _check_floor(rule: RetentionRule, floor: tuple[int, int, str], file: str | None, where: str) -> None:
    years, accessible, citation = floor
    if rule.retain_years < years:
        raise InputError(
            f"{rule.retain_years} years is below the {years}-year minimum of {citation}",
            file=file,
            field=f"{where}.retain_years",
        )
    if rule.accessible_years < accessible:
        raise InputError(
            f"{rule.accessible_years} years easily accessible is below the {accessible}-year "
            f"minimum of {citation}",
            file=file,
            field=f"{where}.accessible_years",
        )
