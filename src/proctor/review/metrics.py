"""Review metrics: timeliness and backlog per principal, hit and false-positive rates per lexicon
term, and how much of each population the random sample actually reached.

These are the numbers a chief compliance officer tunes the programme by: a term that fires on one
message in ten and is a false positive nine times in ten is noise that buries the real hits; a
principal whose backlog ages past the deadline needs help; a sample that reached 0.4% of a
population configured at 2% means the population or the directory is wrong.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from statistics import median
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from proctor.core.alerts import AlertStatus, Disposition
from proctor.platform.calendar import NYSE
from proctor.review.run import zone_of
from proctor.review.store import ActiveVersion, active_versions
from proctor.review.tables import evaluations, items
from proctor.store.schema import alerts

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

AGE_BUCKETS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 10, "6-10"), (11, 10**6, "11+"))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _item_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    stmt = sa.select(
        items.c.alert_id,
        items.c.policy_id,
        items.c.kinds,
        items.c.terms,
        items.c.principal,
        alerts.c.status,
        alerts.c.disposition,
        alerts.c.proposed_disposition,
        alerts.c.assignee,
        alerts.c.created_at,
        alerts.c.updated_at,
        alerts.c.closed_at,
        alerts.c.due_at,
    ).select_from(items.join(alerts, alerts.c.id == items.c.alert_id))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _decision(row: dict[str, Any]) -> tuple[datetime | None, str | None]:
    """When the item was reviewed and with what outcome; None while nobody has decided."""
    if row["status"] == AlertStatus.CLOSED.value:
        return row["closed_at"], row["disposition"]
    if row["status"] == AlertStatus.PENDING_APPROVAL.value:
        return row["updated_at"], row["proposed_disposition"]
    return None, None


def _timeliness(rows: list[dict[str, Any]], key: str, now: datetime, zone: ZoneInfo) -> list[dict[str, Any]]:
    today = now.astimezone(zone).date()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[key] or "(unassigned)"].append(row)
    out = []
    for name, group in sorted(groups.items()):
        decided, on_time, days, ages = 0, 0, [], Counter[str]()
        overdue = 0
        for row in group:
            at, _ = _decision(row)
            created = row["created_at"].astimezone(zone).date()
            if at is not None:
                decided += 1
                on_time += at <= row["due_at"]
                days.append(NYSE.business_days_between(created, at.astimezone(zone).date()))
                continue
            overdue += row["due_at"] < now
            age = NYSE.business_days_between(created, today)
            ages[next(label for low, high, label in AGE_BUCKETS if low <= age <= high)] += 1
        out.append(
            {
                key: name,
                "items": len(group),
                "decided": decided,
                "decided_on_time": on_time,
                "on_time_rate": _rate(on_time, decided),
                "median_business_days_to_decision": median(days) if days else None,
                "open": len(group) - decided,
                "overdue": overdue,
                "open_by_age_business_days": {label: ages.get(label, 0) for _, _, label in AGE_BUCKETS},
            }
        )
    return out


def _term_metrics(
    conn: sa.Connection, versions: list[ActiveVersion], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_id = {v.id: v for v in versions}
    in_scope: Counter[str] = Counter()
    hit: Counter[tuple[str, str, str]] = Counter()
    if by_id:
        stmt = sa.select(evaluations.c.version_id, evaluations.c.terms).where(
            evaluations.c.version_id.in_(list(by_id)), evaluations.c.in_scope.is_(True)
        )
        for version_id, terms in conn.execute(stmt):
            policy = by_id[version_id].policy.id
            in_scope[policy] += 1
            for rule_id, term in terms:
                hit[(policy, rule_id, term)] += 1
    decided: Counter[tuple[str, str, str]] = Counter()
    false_pos: Counter[tuple[str, str, str]] = Counter()
    escalated: Counter[tuple[str, str, str]] = Counter()
    selected: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        _, disposition = _decision(row)
        for rule_id, term in row["terms"]:
            key = (row["policy_id"], rule_id, term)
            selected[key] += 1
            if disposition is not None:
                decided[key] += 1
                false_pos[key] += disposition == Disposition.FALSE_POSITIVE.value
                escalated[key] += disposition == Disposition.ESCALATED.value
    out = []
    for key in sorted(set(hit) | set(selected)):
        policy, rule_id, term = key
        out.append(
            {
                "policy": policy,
                "rule_id": rule_id,
                "term": term,
                "messages_in_scope": in_scope.get(policy, 0),
                "messages_hit": hit.get(key, 0),
                "hit_rate": _rate(hit.get(key, 0), in_scope.get(policy, 0)),
                "items": selected.get(key, 0),
                "decided": decided.get(key, 0),
                "false_positives": false_pos.get(key, 0),
                "false_positive_rate": _rate(false_pos.get(key, 0), decided.get(key, 0)),
                "escalated": escalated.get(key, 0),
            }
        )
    return out


def _sampling(
    conn: sa.Connection, versions: list[ActiveVersion], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    reviewed = {r["alert_id"] for r in rows if _decision(r)[0] is not None}
    out = []
    for version in versions:
        sampling = version.policy.sampling
        if sampling is None or not (
            sampling.default_rate or sampling.population_rates or sampling.person_rates
        ):
            continue  # a seed kept only for sampling a category's hits is not a message sample
        people: Counter[str] = Counter()
        sampled_people: Counter[str] = Counter()
        total = sampled = sampled_reviewed = 0
        stmt = sa.select(
            evaluations.c.covered,
            evaluations.c.reasons,
            evaluations.c.alert_id,
            evaluations.c.earlier_alert_id,
        ).where(evaluations.c.version_id == version.id, evaluations.c.in_scope.is_(True))
        for covered, reasons, alert_id, earlier in conn.execute(stmt):
            total += 1
            people.update(covered)
            if any(r["kind"] == "sample" for r in reasons):
                sampled += 1
                sampled_people.update(covered)
                sampled_reviewed += (alert_id or earlier) in reviewed
        rates = dict(sampling.person_rates)
        out.append(
            {
                "policy": version.policy.id,
                "version_id": version.id,
                "seed": sampling.seed,
                "configured_default_rate": sampling.default_rate,
                "messages_in_scope": total,
                "sampled": sampled,
                "sampled_rate": _rate(sampled, total),
                "sampled_reviewed": sampled_reviewed,
                "sampled_reviewed_rate": _rate(sampled_reviewed, sampled),
                "people": [
                    {
                        "person": person,
                        "messages": n,
                        "sampled": sampled_people.get(person, 0),
                        "sampled_rate": _rate(sampled_people.get(person, 0), n),
                        "configured_rate": rates.get(person),
                    }
                    for person, n in sorted(people.items(), key=lambda p: (-p[1], p[0]))
                ],
            }
        )
    return out


def review_metrics(ws: Workspace, as_of: datetime | None = None) -> dict[str, Any]:
    """Every metric as plain JSON values (what `proctor review metrics --json` prints)."""
    now = as_of or ws.clock.now()
    zone = ZoneInfo(zone_of(ws))
    with ws.read() as conn:
        versions = active_versions(conn)
        rows = _item_rows(conn)
        terms = _term_metrics(conn, versions, rows)
        sampling = _sampling(conn, versions, rows)
    return {
        "as_of": now.isoformat(),
        "items": len(rows),
        "by_principal": _timeliness(rows, "principal", now, zone),
        "by_reviewer": _timeliness(rows, "assignee", now, zone),
        "terms": terms,
        "sampling": sampling,
    }
