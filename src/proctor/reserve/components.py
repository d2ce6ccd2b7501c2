"""Vectorised source components: every dollar of every Exhibit A line, with its source row.

Each component turns one canonical file into contribution rows: which file and row, the row's
hash, the account or contract, the source amount (`basis`), the amount that enters the line, the
rounding applied (in ten-thousandths of a cent) and the treatment. Rows that are excluded (an
unsecured account, an E(4) related account) stay in the lineage with amount 0 so `explain` can show
why a debit is not on the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from proctor.platform.calendar import BusinessCalendar
from proctor.reserve.loaders import Book
from proctor.reserve.ruletable import RuleTable

# A polars Schema (not a plain dict) so every `.cast` of a contribution frame type-checks.
CONTRIB_SCHEMA = pl.Schema(
    {
        "component": pl.String,
        "_file": pl.String,
        "_row": pl.Int64,
        "_row_hash": pl.String,
        "ref": pl.String,
        "basis": pl.Int64,
        "amount": pl.Int64,
        "rounding": pl.Int64,
        "treatment": pl.String,
    }
)
SHARE_DENOM = 10_000


@dataclass(frozen=True)
class Settings:
    """What a computation is asked to do; part of the computation's identity."""

    book: str  # customer | pab
    as_of: date
    method: str = "basic"  # basic | alternative
    cadence: str = "weekly"  # weekly | daily | monthly


def _rows(frame: pl.DataFrame, component: str, ref: str, amount: pl.Expr, treatment: str) -> pl.DataFrame:
    return frame.select(
        pl.lit(component).alias("component"),
        pl.col("_file"),
        pl.col("_row"),
        pl.col("_row_hash"),
        pl.col(ref).cast(pl.String).alias("ref"),
        amount.cast(pl.Int64).alias("basis"),
        amount.cast(pl.Int64).alias("amount"),
        pl.lit(0, dtype=pl.Int64).alias("rounding"),
        pl.lit(treatment).alias("treatment"),
    )


def _customer_part(frame: pl.DataFrame, column: str, component: str, *, credit: bool) -> pl.DataFrame:
    """Amounts of mixed accounts carry only the customers' share, rounded conservatively."""
    share = SHARE_DENOM - pl.col("noncustomer_share").fill_null(0)
    exact = pl.col(column) * share  # in 1/10000 cents
    if credit:
        used = (exact + SHARE_DENOM - 1) // SHARE_DENOM  # round credits up
    else:
        used = exact // SHARE_DENOM  # round debits down
    return frame.filter(pl.col(column).is_not_null() & (pl.col(column) != 0)).select(
        pl.lit(component).alias("component"),
        pl.col("_file"),
        pl.col("_row"),
        pl.col("_row_hash"),
        pl.col("account_id").alias("ref"),
        pl.col(column).alias("basis"),
        used.alias("amount"),
        (used * SHARE_DENOM - exact).alias("rounding"),
        pl.when(pl.col("noncustomer_share").fill_null(0) > 0)
        .then(pl.lit("customer share of mixed account"))
        .otherwise(pl.lit("included"))
        .alias("treatment"),
    )


def debit_frame(book: Book, rules: RuleTable, s: Settings) -> pl.DataFrame:
    """Accounts of this book with the Item 10 treatment of each debit decided."""
    acc = book.frame("accounts").filter((pl.col("book") == s.book) & (pl.col("debit_balance") > 0))
    related = pl.col("related_to_credits").fill_null(False)
    reasons = (
        pl.when(pl.col("unsecured"))
        .then(pl.lit("excluded: unsecured"))
        .when(pl.col("doubtful"))
        .then(pl.lit("excluded: doubtful of collection"))
        .when(
            pl.lit(rules.applies("E(4)", s.book))
            & (pl.col("principal_related") | pl.col("affiliate"))
            & ~related
        )
        .then(pl.lit("excluded: Note E(4) principal-related or affiliate"))
        .when(pl.lit(rules.applies("E(6)", s.book)) & pl.col("note_e6_excluded").fill_null(False))
        .then(pl.lit("excluded: Note E(6)"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return acc.with_columns(reasons.alias("exclusion"))


def accounts_components(book: Book, rules: RuleTable, s: Settings) -> list[pl.DataFrame]:
    acc = book.frame("accounts").filter(pl.col("book") == s.book)
    out = [
        _customer_part(acc, "credit_balance", "accounts.free_credit", credit=True),
        _customer_part(acc, "short_market_value", "accounts.short_market_value", credit=True),
        _customer_part(acc, "withholding_payable", "accounts.withholding_payable", credit=True),
    ]
    debits = debit_frame(book, rules, s)
    included = _customer_part(
        debits.filter(pl.col("exclusion").is_null()), "debit_balance", "accounts.debit_balance", credit=False
    )
    excluded = debits.filter(pl.col("exclusion").is_not_null()).select(
        pl.lit("accounts.debit_balance").alias("component"),
        "_file",
        "_row",
        "_row_hash",
        pl.col("account_id").alias("ref"),
        pl.col("debit_balance").alias("basis"),
        pl.lit(0, dtype=pl.Int64).alias("amount"),
        pl.lit(0, dtype=pl.Int64).alias("rounding"),
        pl.col("exclusion").alias("treatment"),
    )
    out += [included, excluded]
    if rules.applies("E(2)", s.book):
        omni = debits.filter(
            (pl.col("account_type") == "omnibus")
            & pl.col("exclusion").is_null()
            & (pl.col("omnibus_deficit").fill_null(0) > 0)
        )
        out.append(
            _rows(
                omni,
                "accounts.omnibus_deficit",
                "account_id",
                -pl.min_horizontal(pl.col("omnibus_deficit"), pl.col("debit_balance")),
                "Note E(2) omnibus deficit",
            )
        )
    return out


def gross_debits(book: Book, s_book: str) -> pl.DataFrame:
    acc = book.frame("accounts").filter(pl.col("book") == s_book)
    return _rows(acc, "accounts.gross_debit", "account_id", pl.col("debit_balance"), "tie-out")


def other_components(book: Book, rules: RuleTable, s: Settings) -> list[pl.DataFrame]:
    items = book.frame("other_items").filter(pl.col("book") == s.book)
    out = []
    for kind in (
        "outstanding_draft",
        "bank_overdraft",
        "unprocessed_check",
        "dividend_payable",
        "bank_loan",
        "letter_of_credit",
        "principal_sale_credit",
        "other_credit",
        "other_debit",
    ):
        out.append(
            _rows(
                items.filter(pl.col("kind") == kind),
                f"other.{kind}",
                "item_ref",
                pl.col("amount"),
                "included",
            )
        )
    pab = items.filter(pl.col("kind") == "pab_commission_payable")
    limit = rules.integer("aged_days_pab_commissions")
    if rules.applies("PAB-3", s.book):
        pab = pab.filter(pl.col("age_days").is_null() | (pl.col("age_days") > limit))
    out.append(_rows(pab, "other.pab_commission_payable", "item_ref", pl.col("amount"), "included"))
    return out


def loan_components(book: Book, s: Settings) -> list[pl.DataFrame]:
    slb = book.frame("stock_loan_borrow").filter(pl.col("book") == s.book)
    loans = slb.filter((pl.col("direction") == "loan") & (pl.col("purpose") == "customer_securities"))
    borrows = slb.filter(pl.col("direction") == "borrow")
    excess = pl.max_horizontal(pl.col("market_value") - pl.col("contract_value"), pl.lit(0))
    return [
        _rows(loans, "loans.customer_securities_loaned", "contract_id", pl.col("contract_value"), "included"),
        _rows(
            loans.filter(pl.col("market_value") > pl.col("contract_value")),
            "loans.note_c_excess",
            "contract_id",
            excess,
            "Note C: market value over collateral",
        ),
        _rows(
            borrows.filter(pl.col("purpose") == "customer_short"),
            "loans.customer_short_borrow",
            "contract_id",
            pl.col("contract_value"),
            "included",
        ),
        _rows(
            borrows.filter(pl.col("purpose") == "customer_ftd"),
            "loans.customer_ftd_borrow",
            "contract_id",
            pl.col("contract_value"),
            "included",
        ),
    ]


def fail_components(book: Book, rules: RuleTable, s: Settings) -> list[pl.DataFrame]:
    fails = book.frame("fails").filter(pl.col("book") == s.book)
    ftr = fails.filter(pl.col("direction") == "receive")
    ftd = fails.filter(pl.col("direction") == "deliver")
    d_limit = rules.integer("aged_days_fails_to_receive")
    aged = ftr.filter((pl.col("age_days") > d_limit) & (pl.col("market_value") > pl.col("contract_value")))
    return [
        _rows(ftr, "fails.failed_to_receive", "fail_id", pl.col("contract_value"), "included"),
        _rows(
            aged,
            "fails.note_d_excess",
            "fail_id",
            pl.col("market_value") - pl.col("contract_value"),
            f"Note D: over {d_limit} days, market over contract",
        ),
        _rows(
            ftd.filter(pl.col("age_days") <= rules.integer("aged_days_fails_to_deliver")),
            "fails.failed_to_deliver_current",
            "fail_id",
            pl.col("contract_value"),
            "included",
        ),
    ]


def stock_components(
    book: Book, rules: RuleTable, s: Settings, calendar: BusinessCalendar
) -> list[pl.DataFrame]:
    """Items 6-9 come from firm locations in the stock record and are charged to the customer book."""
    if s.book != "customer":
        return []
    sr = book.frame("stock_record")
    age = pl.col("age_days")
    short_diff = sr.filter((pl.col("location") == "short_difference") & (pl.col("quantity") < 0))
    if s.method == "alternative":
        limit = rules.integer("aged_business_days_short_differences_alternative")
        since = (pl.lit(s.as_of) - pl.duration(days=age)).cast(pl.Date)
        short_diff = short_diff.filter(calendar.business_days_since(since, s.as_of) > limit)
        why = f"over {limit} business days (alternative method)"
    else:
        limit = rules.integer("aged_days_short_differences")
        short_diff = short_diff.filter(age > limit)
        why = f"over {limit} calendar days"
    mv = pl.col("market_value")
    div_days = rules.integer("aged_days_stock_dividends")
    sus_days = rules.integer("aged_days_suspense")
    xfer_days = rules.integer("aged_days_transfer")
    return [
        _rows(
            sr.filter((pl.col("location") == "dividend_receivable") & (age > div_days)),
            "stock.dividend_receivable_aged",
            "security_id",
            mv,
            f"over {div_days} calendar days",
        ),
        _rows(short_diff, "stock.short_difference_aged", "security_id", mv, why),
        _rows(
            sr.filter((pl.col("location") == "suspense") & (pl.col("quantity") < 0) & (age > sus_days)),
            "stock.suspense_short_aged",
            "security_id",
            mv,
            f"over {sus_days} calendar days",
        ),
        _rows(
            sr.filter(
                (pl.col("location") == "transfer") & (age > xfer_days) & ~pl.col("confirmed").fill_null(False)
            ),
            "stock.transfer_unconfirmed_aged",
            "security_id",
            mv,
            f"unconfirmed over {xfer_days} days",
        ),
    ]


def margin_components(book: Book, s: Settings) -> list[pl.DataFrame]:
    cm = book.frame("clearing_margin").filter(pl.col("book") == s.book)
    counted = pl.min_horizontal(pl.col("required"), pl.col("on_deposit"))
    out = []
    for agency, component in (
        ("occ", "margin.occ"),
        ("security_futures", "margin.security_futures"),
        ("treasury", "margin.treasury"),
    ):
        rows = cm.filter(pl.col("agency") == agency)
        out.append(
            _rows(
                rows.filter(pl.col("qualifies")),
                component,
                "margin_id",
                counted,
                "lesser of required and on deposit",
            )
        )
        out.append(
            _rows(
                rows.filter(~pl.col("qualifies")),
                component,
                "margin_id",
                counted * 0,
                "excluded: conditions of the Note not met",
            )
        )
    return out


def source_components(book: Book, rules: RuleTable, s: Settings, calendar: BusinessCalendar) -> pl.DataFrame:
    """All row-level components of one reserve book (the Note E(1)/E(5) reductions come later)."""
    parts = (
        accounts_components(book, rules, s)
        + other_components(book, rules, s)
        + loan_components(book, s)
        + fail_components(book, rules, s)
        + stock_components(book, rules, s, calendar)
        + margin_components(book, s)
    )
    return pl.concat([p.select(list(CONTRIB_SCHEMA)).cast(CONTRIB_SCHEMA) for p in parts], how="vertical")
