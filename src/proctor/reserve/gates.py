"""Gates that must pass before a reserve computation may be produced.

The enforcement case behind this module was a formula fed by a data source that silently dropped
the short market value of customers' short positions and the withholding taxes payable: the
computation ran, produced a lower number, and nobody noticed for 32 weeks. Here a computation only
exists after every gate has passed; a failed gate is a HOLD with its reason, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from proctor.reserve.loaders import Book
from proctor.reserve.money import fmt
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.schemas import SCHEMAS

AGED_LOCATIONS = ("dividend_receivable", "short_difference", "suspense", "transfer")
# Where each account-level component's numbers come from, to check a mandatory one is present.
COLUMN_OF = {
    "accounts.free_credit": ("accounts", "credit_balance"),
    "accounts.short_market_value": ("accounts", "short_market_value"),
    "accounts.withholding_payable": ("accounts", "withholding_payable"),
    "accounts.debit_balance": ("accounts", "debit_balance"),
    "accounts.gross_debit": ("accounts", "debit_balance"),
}


@dataclass(frozen=True)
class GateResult:
    gate: str
    passed: bool
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class GateReport:
    results: list[GateResult]

    @property
    def hold(self) -> bool:
        return any(not r.passed for r in self.results)

    def reasons(self) -> list[str]:
        return [f"{r.gate}: {r.reason}" for r in self.results if not r.passed]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "HOLD" if self.hold else "PASS",
            "gates": [
                {"gate": r.gate, "passed": r.passed, "reason": r.reason, "details": r.details}
                for r in self.results
            ],
        }


def _ok(gate: str, reason: str, **details: Any) -> GateResult:
    return GateResult(gate, True, reason, details)


def _fail(gate: str, reason: str, **details: Any) -> GateResult:
    return GateResult(gate, False, reason, details)


def files_present(book: Book) -> GateResult:
    if book.absent:
        return _fail("files_present", "input files missing: " + ", ".join(sorted(book.absent)))
    return _ok("files_present", f"all {len(SCHEMAS)} canonical files present")


def control_totals(book: Book) -> list[GateResult]:
    out = []
    for name, loaded in sorted(book.files.items()):
        gate = f"control_totals.{name}"
        if loaded.control is None:
            out.append(_fail(gate, "no control trailer or companion control file"))
            continue
        problems = []
        undeclared = [c for c in SCHEMAS[name].totals if c not in loaded.control.totals]
        if undeclared:  # a trailer with only rows=N ties nothing a dropped column would change
            problems.append("control totals not stated for " + ", ".join(undeclared))
        if loaded.control.rows != loaded.frame.height:
            problems.append(f"rows: control {loaded.control.rows}, file {loaded.frame.height}")
        for col, actual in loaded.actual_totals().items():
            expected = loaded.control.totals[col]
            if actual is None:
                problems.append(f"{col}: control {fmt(expected)}, column absent from the file")
            elif actual != expected:
                problems.append(f"{col}: control {fmt(expected)}, file {fmt(actual)}")
        if problems:
            out.append(_fail(gate, "; ".join(problems)))
        else:
            out.append(_ok(gate, f"{loaded.frame.height} rows and totals agree"))
    return out


def component_total(book: Book, component: str, which: str) -> int | None:
    """Gross source total of a component for the GL tie-out (None when its column is absent)."""

    def in_book(frame: pl.DataFrame) -> pl.DataFrame:
        return frame if which == "all" else frame.filter(pl.col("book") == which)

    if component in COLUMN_OF:
        file, column = COLUMN_OF[component]
        if book.missing(file, column):
            return None
        return int(in_book(book.frame(file))[column].fill_null(0).sum())
    if component.startswith("other."):
        items = in_book(book.frame("other_items"))
        return int(items.filter(pl.col("kind") == component.split(".", 1)[1])["amount"].sum())
    if component in ("loans.all_borrows", "loans.all_loans"):
        direction = "borrow" if component == "loans.all_borrows" else "loan"
        slb = in_book(book.frame("stock_loan_borrow"))
        return int(slb.filter(pl.col("direction") == direction)["contract_value"].sum())
    raise ValueError(f"component {component} cannot be tied to the general ledger")


def gl_tieouts(book: Book, rules: RuleTable) -> list[GateResult]:
    tb = book.frame("trial_balance")
    gl = {
        r["category"]: int(r["balance"])
        for r in tb.group_by("category").agg(pl.col("balance").sum()).iter_rows(named=True)
    }
    tolerance = int(rules.decimal("tieout_tolerance") * 100)
    out = []
    for category, spec in rules.tieouts.items():
        gate = f"gl_tieout.{category}"
        totals = [component_total(book, c, spec["book"]) for c in spec["components"]]
        if category not in gl:
            out.append(
                _fail(gate, "the trial balance has no account in this category; a zero must be stated")
            )
            continue
        absent = [c for c, t in zip(spec["components"], totals, strict=True) if t is None]
        if absent:
            out.append(
                _fail(
                    gate,
                    f"GL {fmt(gl[category])} but source column missing for {', '.join(absent)}",
                    gl=gl[category],
                )
            )
            continue
        source = sum(t or 0 for t in totals)
        diff = gl[category] - source
        details = {"gl": gl[category], "source": source, "difference": diff}
        if abs(diff) > tolerance:
            out.append(
                _fail(
                    gate, f"GL {fmt(gl[category])} vs source {fmt(source)}: difference {fmt(diff)}", **details
                )
            )
        else:
            out.append(_ok(gate, f"GL and source agree at {fmt(source)}", **details))
    return out


def stock_record_balance(book: Book) -> GateResult:
    sr = book.frame("stock_record")
    off = sr.group_by("security_id").agg(pl.col("quantity").sum().alias("net")).filter(pl.col("net") != 0)
    if off.height:
        sample = off.sort("security_id").head(10).to_dicts()
        return _fail(
            "stock_record_balance", f"{off.height} securities out of balance (long != short)", sample=sample
        )
    return _ok("stock_record_balance", f"{sr['security_id'].n_unique()} securities in balance")


def mandatory_columns(book: Book, rules: RuleTable) -> list[GateResult]:
    out = []
    for item in rules.items.values():
        for comp in item.mandatory:
            if comp not in COLUMN_OF:
                continue
            file, column = COLUMN_OF[comp]
            gate = f"mandatory.{comp}"
            if book.missing(file, column):
                out.append(_fail(gate, f"Item {item.id} component {column} is absent from the {file} feed"))
                continue
            blank = book.frame(file).filter(pl.col(column).is_null())
            if blank.height:  # a blank cell is an unknown amount, never a zero
                out.append(
                    _fail(
                        gate,
                        f"Item {item.id} component {column} is blank on {blank.height} "
                        f"{file} rows: " + ", ".join(blank["account_id"].head(10).to_list()),
                        accounts=blank["account_id"].head(50).to_list(),
                        blank_rows=blank.height,
                    )
                )
            else:
                out.append(_ok(gate, f"{column} present"))
    return out


def _short_positions(book: Book) -> pl.DataFrame:
    sr = book.frame("stock_record").filter((pl.col("location") == "account") & (pl.col("quantity") < 0))
    shorts = sr.group_by("account_id").agg(pl.col("market_value").sum().alias("short_mv"))
    return shorts.join(
        book.frame("accounts").select("account_id", "book", "short_market_value"), on="account_id", how="left"
    )


def short_market_value(book: Book, rules: RuleTable) -> list[GateResult]:
    """Customer shorts exist => short market value is present, not null, and ties to the stock record."""
    shorts = _short_positions(book)
    pct = rules.decimal("component_tieout_tolerance_pct")
    out = []
    for which in ("customer", "pab"):
        gate = f"short_market_value.{which}"
        mine = shorts.filter(pl.col("book") == which)
        if mine.is_empty():
            out.append(_ok(gate, "no short positions in these accounts"))
            continue
        stock_mv = int(mine["short_mv"].sum())
        if book.missing("accounts", "short_market_value"):
            out.append(
                _fail(
                    gate,
                    f"{mine.height} accounts hold shorts worth {fmt(stock_mv)} "
                    "but the feed has no short market value",
                )
            )
            continue
        nulls = mine.filter(pl.col("short_market_value").is_null())
        if nulls.height:
            out.append(
                _fail(
                    gate,
                    f"short market value missing on {nulls.height} accounts with shorts",
                    accounts=nulls["account_id"].head(10).to_list(),
                )
            )
            continue
        fed = int(mine["short_market_value"].sum())
        if abs(stock_mv - fed) > Decimal(stock_mv) * pct:
            out.append(
                _fail(
                    gate,
                    f"short market value {fmt(fed)} does not tie to stock record shorts {fmt(stock_mv)}",
                    feed=fed,
                    stock_record=stock_mv,
                )
            )
        else:
            out.append(_ok(gate, f"short market value {fmt(fed)} ties to the stock record", feed=fed))
    return out


def pairing(book: Book, rules: RuleTable) -> list[GateResult]:
    """Item 11 customer-short borrows without matching Item 1 short credits mean a dropped credit."""
    pct = rules.decimal("pairing_tolerance_pct")
    abs_tol = int(rules.decimal("pairing_tolerance_abs") * 100)
    slb = book.frame("stock_loan_borrow")
    out = []
    for which in ("customer", "pab"):
        gate = f"pairing.{which}"
        borrows = int(
            slb.filter(
                (pl.col("book") == which)
                & (pl.col("direction") == "borrow")
                & (pl.col("purpose") == "customer_short")
            )["contract_value"].sum()
        )
        credits = component_total(book, "accounts.short_market_value", which) or 0
        allowed = max(abs_tol, int(Decimal(borrows) * pct))
        details = {"borrows_item_11": borrows, "short_credits_item_1": credits, "tolerance": allowed}
        if borrows - credits > allowed:
            out.append(
                _fail(
                    gate,
                    f"customer-short borrows {fmt(borrows)} exceed short credits {fmt(credits)} "
                    f"by more than {fmt(allowed)}",
                    **details,
                )
            )
        else:
            out.append(_ok(gate, "short borrows are matched by short credits", **details))
    return out


def completeness(book: Book, rules: RuleTable) -> list[GateResult]:
    out = []
    sr = book.frame("stock_record")
    undated = sr.filter(pl.col("location").is_in(AGED_LOCATIONS) & pl.col("age_days").is_null())
    out.append(
        _fail("ageing_present", f"{undated.height} stock-record rows in aged locations have no age")
        if undated.height
        else _ok("ageing_present", "every aged location has an age")
    )
    acc = book.frame("accounts")
    omni = acc.filter((pl.col("account_type") == "omnibus") & (pl.col("debit_balance") > 0))
    if omni.height and book.missing("accounts", "omnibus_deficit"):
        out.append(
            _fail("omnibus_deficit_present", f"{omni.height} omnibus accounts with debits, no deficit column")
        )
    else:
        out.append(_ok("omnibus_deficit_present", "omnibus deficits stated where needed"))
    margin_debits = acc.filter((pl.col("account_type") == "margin") & (pl.col("debit_balance") > 0)).height
    if margin_debits and book.firm.tentative_net_capital is None:
        out.append(_fail("tentative_net_capital", "Note E(5) needs tentative net capital in firm.json"))
    else:
        out.append(
            _ok(
                "tentative_net_capital",
                "stated" if book.firm.tentative_net_capital is not None else "not needed",
            )
        )
    banks = book.frame("bank_accounts")
    unknown = banks.filter(
        ~pl.col("affiliated") & (pl.col("cash") > 0) & pl.col("bank_equity_capital").is_null()
    )
    if unknown.height:
        out.append(
            _fail(
                "bank_equity_capital",
                "(e)(5) cap unknown for " + ", ".join(unknown["bank_id"].unique().sort()),
            )
        )
    else:
        out.append(_ok("bank_equity_capital", "stated for every non-affiliated bank holding cash"))
    accounts = sr.filter(pl.col("location") == "account").select("account_id").unique()
    orphans = accounts.join(acc.select("account_id"), on="account_id", how="anti")
    if orphans.height:
        out.append(
            _fail(
                "stock_record_accounts",
                f"{orphans.height} stock-record accounts are not in the accounts feed",
                sample=orphans["account_id"].head(10).to_list(),
            )
        )
    else:
        out.append(_ok("stock_record_accounts", "every position's account is in the accounts feed"))
    return out


def run_gates(book: Book, rules: RuleTable) -> GateReport:
    results = [files_present(book)]
    results += mandatory_columns(book, rules)  # first: a dropped component is the reason to read
    results += control_totals(book)
    results += gl_tieouts(book, rules)
    results.append(stock_record_balance(book))
    results += short_market_value(book, rules)
    results += pairing(book, rules)
    results += completeness(book, rules)
    return GateReport(results)
