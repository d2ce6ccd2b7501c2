"""The formula version in force on a computation's as-of date, never simply today's.

A FINOP who reruns January in March, after a February mapping change, must get January's formula:
the computation of record for a date is what the firm's approved formula said *then*. Each version
of record is in force from the later of its own `effective_from` and the day its change was
approved; a date before the first version's effective date has no formula, and is refused.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from proctor.core.workspace import Workspace
from proctor.reserve.errors import ReserveError
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.tables import proposals, rule_versions


def versions_of_record(ws: Workspace) -> list[tuple[date, str]]:
    """(in force from, digest) for the baseline and each approved change, in chain order."""
    from proctor.reserve import service

    service.rules_of_record(ws)  # registers the baseline on first use
    with ws.read() as conn:
        base = conn.execute(
            sa.select(rule_versions.c.digest, rule_versions.c.data).where(
                rule_versions.c.origin == "baseline"
            )
        ).one()
        chain = {
            r.base_digest: (r.new_digest, r.decided_at)
            for r in conn.execute(
                sa.select(proposals.c.base_digest, proposals.c.new_digest, proposals.c.decided_at).where(
                    proposals.c.status == "approved"
                )
            )
        }
        data = {
            r.digest: r.data for r in conn.execute(sa.select(rule_versions.c.digest, rule_versions.c.data))
        }
    out = [(date.fromisoformat(str(base.data["effective_from"])), base.digest)]
    seen = {base.digest}
    current = base.digest
    while current in chain and chain[current][0] not in seen:
        new, decided = chain[current]
        effective = date.fromisoformat(str(data[new]["effective_from"]))
        approved = decided.date() if decided is not None else effective
        out.append((max(effective, approved, out[-1][0]), new))
        seen.add(new)
        current = new
    return out


def digest_in_force(ws: Workspace, as_of: date) -> str:
    versions = versions_of_record(ws)
    standing = [d for start, d in versions if start <= as_of]
    if not standing:
        first, _ = versions[0]
        raise ReserveError(
            f"no formula version was in force on {as_of.isoformat()}: the first version of record is "
            f"effective from {first.isoformat()}; a computation for that date needs the formula the firm "
            "used then, registered through change control"
        )
    return standing[-1]


def rules_in_force(ws: Workspace, as_of: date) -> RuleTable:
    from proctor.reserve import service

    table, _ = service.rule_version(ws, digest_in_force(ws, as_of))
    return table


def check_in_force(ws: Workspace, as_of: date, rules: RuleTable) -> None:
    """A named approved version may be of record for a date only if it was in force that day."""
    wanted = digest_in_force(ws, as_of)
    if rules.digest != wanted:
        raise ReserveError(
            f"formula {rules.version} ({rules.digest[:12]}) was not in force on {as_of.isoformat()} "
            f"(that was {wanted[:12]}): compute it as a what-if instead"
        )
