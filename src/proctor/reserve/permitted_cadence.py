"""Monthly computation only where SEA 15c3-3(e)(3)(ii) permits it.

A firm may compute monthly (and deposit 105% of the requirement) only while its aggregate
indebtedness is not over 800% of its net capital and the customer funds it carries are not over
$1,000,000. Computing monthly without those facts, or against them, understates how often the
reserve is checked; so a monthly computation needs them stated in `firm.json` and is refused, with
the reason, when they are absent or breached. The limits are the rule table's parameters.

`firm.json` fields (decimal text, to the cent): `net_capital`, `aggregate_indebtedness`,
`customer_funds`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from proctor.core.errors import InputError
from proctor.reserve.errors import ReserveError
from proctor.reserve.money import fmt, to_cents
from proctor.reserve.ruletable import RuleTable

FIELDS = ("net_capital", "aggregate_indebtedness", "customer_funds")


def _cents(raw: dict[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return to_cents(value)
    except (ValueError, InvalidOperation) as exc:
        raise InputError(str(exc), file="firm.json", field=name) from None


def monthly_refusal(firm_raw: dict[str, Any], rules: RuleTable) -> str | None:
    """Why monthly computation is not permitted for these firm facts, or None when it is."""
    values = {name: _cents(firm_raw, name) for name in FIELDS}
    absent = [name for name, v in values.items() if v is None]
    if absent:
        return (
            "monthly computation (15c3-3(e)(3)(ii)) needs "
            + ", ".join(absent)
            + " stated in firm.json; compute weekly"
        )
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
    if reasons:
        return (
            "monthly computation is not permitted (15c3-3(e)(3)(ii)): "
            + "; ".join(reasons)
            + "; compute weekly"
        )
    return None


def check(cadence: str, firm_raw: dict[str, Any], rules: RuleTable) -> None:
    if cadence != "monthly":
        return
    why = monthly_refusal(firm_raw, rules)
    if why:
        raise ReserveError(why)
