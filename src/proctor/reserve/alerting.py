"""The alerts the reserve module raises, in one place so their wording and severity agree.

A deficiency is critical (15c3-3(i) requires immediate notice); a HOLD is high (the deposit clock
runs whether or not the inputs are fixed); an unexplained variance is medium until it is escalated
to the CFO and CCO, when it becomes high.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.reserve.money import fmt

RULE = "SEA 15c3-3"


def _subjects(book: str, as_of: date, extra: tuple[Subject, ...] = ()) -> tuple[Subject, ...]:
    return (Subject("reserve.computation", f"{book}:{as_of.isoformat()}"), *extra)


def hold_alert(as_of: date, reasons: list[str], input_set_id: str, rules_version: str) -> AlertDraft:
    return AlertDraft(
        control="reserve.computation_gates",
        rule_id="reserve.gates.hold",
        rule_version=rules_version,
        title=f"Reserve computation as of {as_of.isoformat()} is on HOLD: {len(reasons)} gate(s) failed",
        severity=Severity.HIGH,
        subjects=_subjects("customer", as_of, (Subject("reserve.input_set", input_set_id),)),
        evidence={"as_of": as_of.isoformat(), "input_set": input_set_id, "reasons": reasons},
        evidence_type="table",
        params={"rule": RULE},
        due_in=timedelta(hours=24),
        dedupe_key=digest({"reserve": "hold", "input_set": input_set_id, "rules": rules_version}),
    )


def deficiency_alert(row: dict[str, Any], notice: dict[str, Any], *, hindsight: bool = False) -> AlertDraft:
    kind = "Hindsight deficiency" if hindsight else "Deficiency"
    as_of = row["as_of"]
    return AlertDraft(
        control="reserve.deposit_deadline",
        rule_id="reserve.deficiency.hindsight" if hindsight else "reserve.deficiency",
        rule_version=row["rules_version"],
        title=f"{kind} of ${fmt(row['deficiency'])} in the {row['book']} reserve as of {as_of.isoformat()}",
        severity=Severity.CRITICAL,
        subjects=_subjects(row["book"], as_of, (Subject("reserve.computation_id", row["id"]),)),
        evidence={
            "computation": row["id"],
            "requirement": fmt(row["requirement"]),
            "on_deposit": fmt(row["on_deposit"]),
            "deficiency": fmt(row["deficiency"]),
            "deadline": row["deadline"].isoformat() if row["deadline"] else None,
            "notice_draft": notice,
        },
        evidence_type="table",
        params={"rule": "SEA 15c3-3(e), (i)"},
        due_in=timedelta(hours=4),
        # the finding is the shortfall for the date and book, not the computation that found it: a
        # rerun that supersedes a computation with the same deficiency does not notify twice
        dedupe_key=digest(
            {
                "reserve": "deficiency",
                "book": row["book"],
                "as_of": as_of.isoformat(),
                "deficiency": row["deficiency"],
                "hindsight": hindsight,
            }
        ),
    )


def variance_alert(row: dict[str, Any], breaches: list[dict[str, Any]]) -> AlertDraft:
    return AlertDraft(
        control="reserve.variance_review",
        rule_id="reserve.variance",
        rule_version=row["rules_version"],
        title=f"{len(breaches)} material change(s) in the {row['book']} reserve as of "
        f"{row['as_of'].isoformat()} need a FINOP explanation before sign-off",
        severity=Severity.MEDIUM,
        subjects=_subjects(row["book"], row["as_of"], (Subject("reserve.computation_id", row["id"]),)),
        evidence={"computation": row["id"], "breaches": breaches},
        evidence_type="table",
        params={"rule": RULE},
        dedupe_key=digest(
            {
                "reserve": "variance",
                "book": row["book"],
                "as_of": row["as_of"].isoformat(),
                "breaches": sorted(b["key"] for b in breaches),
            }
        ),
    )


def escalation_alert(row: dict[str, Any], open_keys: list[str]) -> AlertDraft:
    return AlertDraft(
        control="reserve.variance_review",
        rule_id="reserve.variance.escalated",
        rule_version=row["rules_version"],
        title=f"Unexplained reserve variances as of {row['as_of'].isoformat()} escalated to the CFO and CCO",
        severity=Severity.HIGH,
        subjects=_subjects(row["book"], row["as_of"], (Subject("role", "cfo"), Subject("role", "cco"))),
        evidence={"computation": row["id"], "unexplained": open_keys},
        evidence_type="table",
        params={"rule": RULE},
        dedupe_key=digest({"reserve": "variance-escalation", "computation": row["id"]}),
    )


def focus_amendment_alert(
    as_of: date, book: str, original: int, corrected: int, rules_version: str
) -> AlertDraft:
    return AlertDraft(
        control="reserve.deposit_deadline",
        rule_id="reserve.focus_amendment_review",
        rule_version=rules_version,
        title=f"FOCUS report for {as_of:%B %Y} needs amendment review: {book} reserve changed on re-run",
        severity=Severity.HIGH,
        subjects=_subjects(book, as_of),
        evidence={
            "as_of": as_of.isoformat(),
            "original_requirement": fmt(original),
            "corrected_requirement": fmt(corrected),
            "rule": "SEA 17a-5; FOCUS Part II",
        },
        evidence_type="table",
        params={"rule": "SEA 17a-5"},
        dedupe_key=digest(
            {"reserve": "focus-amendment", "as_of": as_of.isoformat(), "book": book, "corrected": corrected}
        ),
    )
