"""The Exhibit A computation for one book (customer or PAB), exact to the cent.

The computation does not decide whether its inputs are fit to use: the gates do that first, and a
failed gate is a HOLD. Given inputs that passed, it sums the mapped components per line, applies
the debit reduction of the chosen method, the 105% monthly multiple, the PAB offset of customer
excess debits (never the reverse), compares the requirement with what is eligibly on deposit under
(e)(5), and dates the deposit deadline from the bank calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl

from proctor.platform.calendar import FEDERAL_RESERVE, BusinessCalendar
from proctor.reserve.components import SHARE_DENOM, Settings, source_components
from proctor.reserve.deposit import BankPosition, positions
from proctor.reserve.errors import ReserveError
from proctor.reserve.loaders import Book
from proctor.reserve.money import apply_rate
from proctor.reserve.reductions import concentration, single_customer
from proctor.reserve.ruletable import RuleTable

METHODS = ("basic", "alternative")
CADENCES = ("weekly", "daily", "monthly")


@dataclass(frozen=True)
class Line:
    id: str
    side: str
    caption: str
    citation: str
    focus_line: str
    focus_box: str | None
    cents: int
    rounding: Decimal  # cents; what conservative rounding added to the line


@dataclass
class Computation:
    settings: Settings
    rules_version: str
    rules_digest: str
    lines: dict[str, Line]
    total_credits: int
    aggregate_debits: int
    debit_reduction: int
    debit_reduction_rate: Decimal
    debit_reduction_rounding: Decimal
    debit_reduction_basis: str
    total_debits: int
    excess_credits: int
    excess_debits: int
    customer_excess_debits_applied: int
    requirement: int
    requirement_rounding: Decimal
    banks: list[BankPosition]
    on_deposit: int
    deficiency: int
    excess_on_deposit: int
    deadline: datetime | None
    lineage: pl.DataFrame
    unmapped: dict[str, int] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def item16(self) -> int:
        return self.lines["16"].cents

    def line_amounts(self) -> dict[str, int]:
        return {k: v.cents for k, v in self.lines.items()}

    def component_amounts(self) -> dict[str, int]:
        grouped = self.lineage.group_by("component").agg(pl.col("amount").sum()).sort("component")
        return {r["component"]: int(r["amount"]) for r in grouped.iter_rows(named=True)}


def reduction_rate(rules: RuleTable, s: Settings) -> tuple[Decimal, str]:
    if s.book == "pab" or not rules.books[s.book].get("percentage_reduction", True):
        return Decimal(0), "none: Note E(3) and the alternative-method reduction do not apply to PAB"
    if s.method == "basic":
        return rules.decimal("basic_debit_reduction"), "Note E(3): 1% of Item 10"
    param = rules.params["alternative_daily_debit_reduction"]
    daily_from = param.effective_from
    if s.cadence == "daily" and (daily_from is None or s.as_of.isoformat() >= daily_from):
        return rules.decimal(
            "alternative_daily_debit_reduction"
        ), "15c3-1(a)(1)(ii): 2% of aggregate debits (daily)"
    return rules.decimal("alternative_debit_reduction"), "15c3-1(a)(1)(ii): 3% of aggregate debits"


def _check(s: Settings) -> None:
    if s.book not in ("customer", "pab"):
        raise ReserveError(f"book must be customer or pab, not {s.book!r}")
    if s.method not in METHODS:
        raise ReserveError(f"method must be basic or alternative, not {s.method!r}")
    if s.cadence not in CADENCES:
        raise ReserveError(f"cadence must be weekly, daily or monthly, not {s.cadence!r}")


def compute(
    book: Book,
    rules: RuleTable,
    settings: Settings,
    *,
    calendar: BusinessCalendar | None = None,
    customer_excess_debits: int = 0,
) -> Computation:
    s = settings
    _check(s)
    calendar = calendar or FEDERAL_RESERVE
    contrib = source_components(book, rules, s, calendar)
    extra = []
    if rules.applies("E(1)", s.book):
        extra.append(concentration(book, rules, s, contrib))
    if rules.applies("E(5)", s.book):
        extra.append(single_customer(book, rules, s, contrib))
    contrib = pl.concat([contrib, *extra], how="vertical")
    mapping = {c: item.id for item in rules.items.values() for c in item.components}
    contrib = contrib.with_columns(pl.col("component").replace_strict(mapping, default=None).alias("item"))
    unmapped_rows = contrib.filter(pl.col("item").is_null() & (pl.col("amount") != 0))
    unmapped = {
        r["component"]: int(r["amount"])
        for r in unmapped_rows.group_by("component").agg(pl.col("amount").sum()).iter_rows(named=True)
    }
    lineage = contrib.filter(pl.col("item").is_not_null())
    sums = {
        r["item"]: (int(r["amount"]), int(r["rounding"]))
        for r in lineage.group_by("item")
        .agg(pl.col("amount").sum(), pl.col("rounding").sum())
        .iter_rows(named=True)
    }
    lines: dict[str, Line] = {}
    for item in rules.items.values():
        if item.side == "result":
            continue
        cents, rounding = sums.get(item.id, (0, 0))
        lines[item.id] = _line(item, cents, Decimal(rounding) / SHARE_DENOM)
    credits = sum(v.cents for v in lines.values() if v.side == "credit")
    aggregate = sum(v.cents for v in lines.values() if v.side == "debit")
    rate, basis = reduction_rate(rules, s)
    base = lines["10"].cents if s.method == "basic" else aggregate
    reduced = apply_rate(max(base, 0), rate, up=True)
    total_debits = aggregate - reduced.cents
    net = credits - total_debits
    applied = min(max(customer_excess_debits, 0), max(net, 0)) if s.book == "pab" else 0
    excess_credits = max(net - applied, 0)
    lines["16"] = _line(rules.items["16"], excess_credits, Decimal(0))
    requirement, req_rounding = excess_credits, Decimal(0)
    if s.cadence == "monthly":
        monthly = apply_rate(excess_credits, rules.decimal("monthly_deposit_multiple"), up=True)
        requirement, req_rounding = monthly.cents, monthly.rounding
    banks = positions(book, rules, s.book)
    on_deposit = sum(b.eligible for b in banks)
    key = "deposit_business_days_after_daily" if s.cadence == "daily" else "deposit_business_days_after"
    deadline = calendar.deposit_deadline(
        s.as_of, rules.integer(key), rules.integer("deposit_hours_after_bank_opening")
    )
    return Computation(
        settings=s,
        rules_version=rules.version,
        rules_digest=rules.digest,
        lines=lines,
        total_credits=credits,
        aggregate_debits=aggregate,
        debit_reduction=reduced.cents,
        debit_reduction_rate=rate,
        debit_reduction_rounding=reduced.rounding,
        debit_reduction_basis=basis,
        total_debits=total_debits,
        excess_credits=excess_credits,
        excess_debits=max(-net, 0),
        customer_excess_debits_applied=applied,
        requirement=requirement,
        requirement_rounding=req_rounding,
        banks=banks,
        on_deposit=on_deposit,
        deficiency=max(requirement - on_deposit, 0),
        excess_on_deposit=max(on_deposit - requirement, 0),
        deadline=deadline,
        lineage=lineage,
        unmapped=unmapped,
        inputs=book.input_manifest(),
    )


def _line(item: Any, cents: int, rounding: Decimal) -> Line:
    return Line(
        id=item.id,
        side=item.side,
        caption=item.caption,
        citation=item.citation,
        focus_line=item.focus_line,
        focus_box=item.focus_box,
        cents=cents,
        rounding=rounding,
    )


def compute_both(
    book: Book,
    rules: RuleTable,
    settings: Settings,
    *,
    calendar: BusinessCalendar | None = None,
) -> tuple[Computation, Computation]:
    """Customer first; its excess debits may then reduce the PAB requirement, never the reverse."""
    customer = compute(
        book,
        rules,
        Settings("customer", settings.as_of, settings.method, settings.cadence),
        calendar=calendar,
    )
    pab = compute(
        book,
        rules,
        Settings("pab", settings.as_of, settings.method, settings.cadence),
        calendar=calendar,
        customer_excess_debits=customer.excess_debits,
    )
    return customer, pab
