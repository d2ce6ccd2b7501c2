"""Monthly computation only where SEA 15c3-3(e)(3)(ii) permits it.

A firm may compute monthly (and deposit 105% of the requirement) only while its aggregate
indebtedness is not over 800% of its net capital and the customer funds it carries are not over
$1,000,000. Computing monthly without those facts, or against them, understates how often the
reserve is checked; so a monthly computation needs them stated in `firm.json` and is refused, with
the reason, when they are absent or breached. The limits are the rule table's parameters.

The rule tests the limits "as computed at the last required computation": a firm whose figures
were over a limit at its last computation of record must compute weekly until a computation of
record shows them within the limits again. So monthly needs both the figures of this computation
and those of the last computation of record before it (its stored `firm.json`) to be within the
limits; the refusal names that computation and its figures.

`firm.json` fields (decimal text, to the cent): `net_capital`, `aggregate_indebtedness`,
`customer_funds`.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.core.workspace import Workspace
from proctor.reserve.errors import ReserveError
from proctor.reserve.money import fmt, to_cents
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.schemas import FIRM_FILE
from proctor.reserve.tables import computations, input_sets

FIELDS = ("net_capital", "aggregate_indebtedness", "customer_funds")


def _cents(raw: dict[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return to_cents(value)
    except (ValueError, InvalidOperation) as exc:
        raise InputError(str(exc), file="firm.json", field=name) from None


def _breaches(firm_raw: dict[str, Any], rules: RuleTable) -> tuple[list[str], list[str]]:
    """(fields not stated, limits breached) for one set of firm figures."""
    values = {name: _cents(firm_raw, name) for name in FIELDS}
    absent = [name for name, v in values.items() if v is None]
    if absent:
        return absent, []
    net, ai, funds = (values[n] or 0 for n in FIELDS)
    max_ratio = rules.decimal("monthly_max_aggregate_indebtedness_ratio")
    max_funds = int(rules.decimal("monthly_max_customer_funds") * 100)
    reasons = []
    if net <= 0 or Decimal(ai) > Decimal(net) * max_ratio:
        ratio = "undefined (net capital not positive)" if net <= 0 else f"{Decimal(ai) / Decimal(net):.0%}"
        reasons.append(
            f"aggregate indebtedness {fmt(ai)} is {ratio} of net capital {fmt(net)}, over {max_ratio:.0%}"
        )
    if funds > max_funds:
        reasons.append(f"customer funds {fmt(funds)} exceed {fmt(max_funds)}")
    return [], reasons


def monthly_refusal(firm_raw: dict[str, Any], rules: RuleTable) -> str | None:
    """Why monthly computation is not permitted for these firm facts, or None when it is."""
    absent, reasons = _breaches(firm_raw, rules)
    if absent:
        return (
            "monthly computation (15c3-3(e)(3)(ii)) needs "
            + ", ".join(absent)
            + " stated in firm.json; compute weekly"
        )
    if reasons:
        return (
            "monthly computation is not permitted (15c3-3(e)(3)(ii)): "
            + "; ".join(reasons)
            + "; compute weekly"
        )
    return None


def last_required_computation(ws: Workspace, as_of: date) -> dict[str, Any] | None:
    """The customer computation of record before `as_of` (not superseded), with its firm figures."""
    with ws.read() as conn:
        row = conn.execute(
            sa.select(
                computations.c.id,
                computations.c.as_of,
                computations.c.cadence,
                input_sets.c.manifest,
            )
            .join(input_sets, input_sets.c.id == computations.c.input_set_id)
            .where(
                computations.c.book == "customer",
                computations.c.kind == "record",
                computations.c.as_of < as_of,
                computations.c.status != "SUPERSEDED",
            )
            .order_by(computations.c.as_of.desc(), computations.c.created_at.desc())
            .limit(1)
        ).one_or_none()
    if row is None:
        return None
    entry = next((e for e in row.manifest if e["name"] == FIRM_FILE), None)
    firm = json.loads(ws.blobs.get(entry["sha256"])) if entry else {}
    return {"id": row.id, "as_of": row.as_of, "cadence": row.cadence, "firm": firm}


def previous_refusal(previous: dict[str, Any] | None, rules: RuleTable) -> str | None:
    """Why the last required computation's figures keep this firm on weekly, or None."""
    if previous is None:
        return None
    absent, reasons = _breaches(previous["firm"], rules)
    if not absent and not reasons:
        return None
    seen = "did not state " + ", ".join(absent) if absent else "recorded " + "; ".join(reasons)
    return (
        "monthly computation is not permitted (15c3-3(e)(3)(ii)): the limits are tested as computed at "
        f"the last required computation, and {previous['id']} ({previous['cadence']}, as of "
        f"{previous['as_of'].isoformat()}) {seen}; compute weekly until a computation of record shows "
        "the figures within the limits"
    )


def check(ws: Workspace, cadence: str, as_of: date, firm_raw: dict[str, Any], rules: RuleTable) -> None:
    if cadence != "monthly":
        return
    why = monthly_refusal(firm_raw, rules) or previous_refusal(last_required_computation(ws, as_of), rules)
    if why:
        raise ReserveError(why)
