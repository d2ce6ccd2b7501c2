"""A plain per-row reference implementation of the Exhibit A line totals.

This is the computation as a careful FINOP would write it in a spreadsheet macro: loop over every
row, decide, add. It exists for two reasons: the differential test holds the vectorised engine to
it on randomized books, and the benchmark times it as the naive approach. It deliberately shares no
code with `components`/`reductions` beyond reading the same loaded frames and rule table.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from proctor.platform.calendar import FEDERAL_RESERVE, BusinessCalendar
from proctor.reserve.loaders import Book
from proctor.reserve.ruletable import RuleTable


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _business_days(start: date, end: date, calendar: BusinessCalendar) -> int:
    n, d = 0, start
    while d < end:
        if calendar.is_business_day(d):
            n += 1
        d += timedelta(days=1)
    return n


def line_totals(
    book: Book,
    rules: RuleTable,
    which: str,
    as_of: date,
    method: str = "basic",
    calendar: BusinessCalendar | None = None,
) -> dict[str, int]:
    calendar = calendar or FEDERAL_RESERVE
    mapping = {c: i.id for i in rules.items.values() for c in i.components}
    totals: dict[str, int] = defaultdict(int)

    def add(component: str, cents: int) -> None:
        if component in mapping:
            totals[mapping[component]] += cents

    applies = set(rules.books[which]["notes"])
    margin_debit: dict[str, int] = {}
    groups: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for a in book.frame("accounts").iter_rows(named=True):
        if a["book"] != which:
            continue
        keep = 10000 - (a["noncustomer_share"] or 0)
        for col, comp in (
            ("credit_balance", "accounts.free_credit"),
            ("short_market_value", "accounts.short_market_value"),
            ("withholding_payable", "accounts.withholding_payable"),
        ):
            if a[col]:
                add(comp, _ceil_div(a[col] * keep, 10000))
        debit = a["debit_balance"]
        if debit <= 0 or a["unsecured"] or a["doubtful"]:
            continue
        related = bool(a["related_to_credits"])
        if "E(4)" in applies and (a["principal_related"] or a["affiliate"]) and not related:
            continue
        if "E(6)" in applies and a["note_e6_excluded"]:
            continue
        included = debit * keep // 10000
        add("accounts.debit_balance", included)
        if a["account_type"] == "omnibus" and "E(2)" in applies and (a["omnibus_deficit"] or 0) > 0:
            add("accounts.omnibus_deficit", -min(a["omnibus_deficit"], debit))
        if a["account_type"] == "margin" and included > 0:
            margin_debit[a["account_id"]] = included
            groups[a["customer_group"] or a["account_id"]].append((included, related))
    for o in book.frame("other_items").iter_rows(named=True):
        if o["book"] != which:
            continue
        young = o["age_days"] is not None and o["age_days"] <= rules.integer("aged_days_pab_commissions")
        if o["kind"] == "pab_commission_payable" and "PAB-3" in applies and young:
            continue
        add(f"other.{o['kind']}", o["amount"])
    for s in book.frame("stock_loan_borrow").iter_rows(named=True):
        if s["book"] != which:
            continue
        if s["direction"] == "loan" and s["purpose"] == "customer_securities":
            add("loans.customer_securities_loaned", s["contract_value"])
            add("loans.note_c_excess", max(s["market_value"] - s["contract_value"], 0))
        elif s["direction"] == "borrow" and s["purpose"] in ("customer_short", "customer_ftd"):
            add(f"loans.{s['purpose']}_borrow", s["contract_value"])
    for f in book.frame("fails").iter_rows(named=True):
        if f["book"] != which:
            continue
        if f["direction"] == "receive":
            add("fails.failed_to_receive", f["contract_value"])
            if f["age_days"] > rules.integer("aged_days_fails_to_receive"):
                add("fails.note_d_excess", max(f["market_value"] - f["contract_value"], 0))
        elif f["age_days"] <= rules.integer("aged_days_fails_to_deliver"):
            add("fails.failed_to_deliver_current", f["contract_value"])
    for m in book.frame("clearing_margin").iter_rows(named=True):
        if m["book"] == which and m["qualifies"]:
            add(f"margin.{m['agency']}", min(m["required"], m["on_deposit"]))
    holdings: dict[tuple[str, str], list[int]] = {}
    for p in book.frame("stock_record").iter_rows(named=True):
        loc, age, qty = p["location"], p["age_days"], p["quantity"]
        if which == "customer":
            if loc == "dividend_receivable" and age > rules.integer("aged_days_stock_dividends"):
                add("stock.dividend_receivable_aged", p["market_value"])
            elif loc == "short_difference" and qty < 0:
                if method == "alternative":
                    days = _business_days(as_of - timedelta(days=age), as_of, calendar)
                    aged = days > rules.integer("aged_business_days_short_differences_alternative")
                else:
                    aged = age > rules.integer("aged_days_short_differences")
                if aged:
                    add("stock.short_difference_aged", p["market_value"])
            elif loc == "suspense" and qty < 0 and age > rules.integer("aged_days_suspense"):
                add("stock.suspense_short_aged", p["market_value"])
            elif loc == "transfer" and age > rules.integer("aged_days_transfer") and not p["confirmed"]:
                add("stock.transfer_unconfirmed_aged", p["market_value"])
        if loc == "account" and qty > 0 and p["account_id"] in margin_debit:
            key = (p["account_id"], p["security_id"])
            entry = holdings.setdefault(key, [0, 0])
            entry[0] += p["market_value"]
            entry[1] = entry[1] or int(bool(p["exempt"]))
    if "E(1)" in applies and holdings:
        cap_n, cap_d = rules.decimal("collateral_cap_multiple").as_integer_ratio()
        sh_n, sh_d = rules.decimal("concentration_share").as_integer_ratio()
        per_account: dict[str, int] = defaultdict(int)
        for (acct, _), (mv, _) in holdings.items():
            per_account[acct] += mv
        coll_by_sec: dict[str, int] = defaultdict(int)
        debit_by_sec: dict[str, int] = defaultdict(int)
        total = 0
        for (acct, sec), (mv, exempt) in holdings.items():
            cap = margin_debit[acct] * cap_n // cap_d
            coll = mv if per_account[acct] <= cap else mv * cap // per_account[acct]
            total += coll
            if not exempt:
                coll_by_sec[sec] += coll
                debit_by_sec[sec] += margin_debit[acct]
        for sec, coll in coll_by_sec.items():
            excess = (coll * sh_d - sh_n * total) * (10000 // sh_d)
            if excess > 0:
                add("note_e1.concentration", -min(_ceil_div(excess, 10000), debit_by_sec[sec]))
    if "E(5)" in applies and groups and book.firm.tentative_net_capital is not None:
        n, d = rules.decimal("single_customer_tnc_share").as_integer_ratio()
        floor = int(rules.decimal("single_customer_floor") * 100) * 10000
        threshold = max(book.firm.tentative_net_capital * n * (10000 // d), floor)
        for members in groups.values():
            if all(r for _, r in members):
                continue
            excess = sum(x for x, _ in members) * 10000 - threshold
            if excess > 0:
                add("note_e5.single_customer", -_ceil_div(excess, 10000))
    return dict(totals)
