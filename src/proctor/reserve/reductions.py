"""Note E(1) and Note E(5): the two debit reductions that look across accounts.

Both are computed in exact integer arithmetic (rates are decimals of at most four places, so they
are exact ratios). A reduction of debits raises the requirement, so each reduction is rounded up to
the next cent — the conservative direction — and the rounding is carried with it.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from proctor.reserve.components import CONTRIB_SCHEMA, SHARE_DENOM, Settings
from proctor.reserve.errors import ReserveError
from proctor.reserve.loaders import Book
from proctor.reserve.ruletable import RuleTable


def ratio(rate: Decimal) -> tuple[int, int]:
    num, den = rate.as_integer_ratio()
    if SHARE_DENOM % den:
        raise ReserveError(f"rate {rate} has more than four decimal places")
    return num, den


def _derived(frame: pl.DataFrame, component: str, file: str, treatment: str) -> pl.DataFrame:
    return frame.select(
        pl.lit(component).alias("component"),
        pl.lit(file).alias("_file"),
        pl.lit(None, dtype=pl.Int64).alias("_row"),
        pl.lit(None, dtype=pl.String).alias("_row_hash"),
        pl.col("ref").cast(pl.String),
        pl.col("basis"),
        (-pl.col("used")).alias("amount"),
        (-pl.col("rounding")).alias("rounding"),
        pl.lit(treatment).alias("treatment"),
    ).cast(CONTRIB_SCHEMA)


def _margin_debits(book: Book, contributions: pl.DataFrame, s: Settings) -> pl.DataFrame:
    acc = book.frame("accounts").filter((pl.col("book") == s.book) & (pl.col("account_type") == "margin"))
    included = contributions.filter(
        (pl.col("component") == "accounts.debit_balance") & (pl.col("amount") > 0)
    ).select(pl.col("ref").alias("account_id"), pl.col("amount").alias("debit"))
    return acc.select(
        "account_id",
        pl.coalesce(pl.col("customer_group"), pl.col("account_id")).alias("group"),
        pl.col("related_to_credits").fill_null(False).alias("related"),
    ).join(included, on="account_id", how="inner")


def concentration(book: Book, rules: RuleTable, s: Settings, contributions: pl.DataFrame) -> pl.DataFrame:
    """Note E(1): a security over 15% of all margin collateral reduces margin debits by the excess."""
    debits = _margin_debits(book, contributions, s).select("account_id", "debit")
    cap_n, cap_d = ratio(rules.decimal("collateral_cap_multiple"))
    share_n, share_d = ratio(rules.decimal("concentration_share"))
    pos = (
        book.frame("stock_record")
        .filter((pl.col("location") == "account") & (pl.col("quantity") > 0))
        .group_by("account_id", "security_id")
        .agg(
            pl.col("market_value").sum().alias("mv"), pl.col("exempt").fill_null(False).any().alias("exempt")
        )
        .join(debits, on="account_id", how="inner")
    )
    if pos.is_empty():
        return pl.DataFrame(schema=CONTRIB_SCHEMA)
    pos = pos.with_columns(
        pl.col("mv").sum().over("account_id").alias("total"),
        (pl.col("debit") * cap_n // cap_d).alias("cap"),
    ).with_columns(
        pl.when(pl.col("total") <= pl.col("cap"))
        .then(pl.col("mv"))
        .otherwise(pl.col("mv") * pl.col("cap") // pl.col("total"))
        .alias("collateral")
    )
    all_collateral = int(pos["collateral"].sum())
    scale = SHARE_DENOM // share_d
    per_sec = (
        pos.filter(~pl.col("exempt"))
        .group_by("security_id")
        .agg(pl.col("collateral").sum().alias("basis"), pl.col("debit").sum().alias("debits"))
        .with_columns(
            # excess in 1/10000 cents: A - share*T
            ((pl.col("basis") * share_d - share_n * all_collateral) * scale).alias("excess")
        )
        .filter(pl.col("excess") > 0)
        .with_columns(((pl.col("excess") + SHARE_DENOM - 1) // SHARE_DENOM).alias("raw"))
        .with_columns(
            pl.min_horizontal(pl.col("raw"), pl.col("debits")).alias("used"),
        )
        .with_columns(
            pl.when(pl.col("raw") <= pl.col("debits"))
            .then(pl.col("used") * SHARE_DENOM - pl.col("excess"))
            .otherwise(0)
            .alias("rounding"),
            pl.col("security_id").alias("ref"),
        )
    )
    return _derived(per_sec, "note_e1.concentration", "stock_record", "Note E(1) concentration over 15%")


def single_customer(book: Book, rules: RuleTable, s: Settings, contributions: pl.DataFrame) -> pl.DataFrame:
    """Note E(5): one customer's margin debits above 25% of tentative net capital (floor $50,000)."""
    debits = _margin_debits(book, contributions, s)
    if debits.is_empty():
        return pl.DataFrame(schema=CONTRIB_SCHEMA)
    tnc = book.firm.tentative_net_capital
    if tnc is None:
        raise ReserveError("Note E(5) needs the firm's tentative net capital (firm.json)")
    share_n, share_d = ratio(rules.decimal("single_customer_tnc_share"))
    floor_cents = int(rules.decimal("single_customer_floor") * 100)
    # threshold in 1/10000 cents, exact
    threshold = max(tnc * share_n * (SHARE_DENOM // share_d), floor_cents * SHARE_DENOM)
    groups = (
        debits.group_by("group")
        .agg(pl.col("debit").sum().alias("basis"), pl.col("related").all().alias("related"))
        .filter(~pl.col("related"))
        .with_columns((pl.col("basis") * SHARE_DENOM - threshold).alias("excess"))
        .filter(pl.col("excess") > 0)
        .with_columns(((pl.col("excess") + SHARE_DENOM - 1) // SHARE_DENOM).alias("used"))
        .with_columns(
            (pl.col("used") * SHARE_DENOM - pl.col("excess")).alias("rounding"),
            pl.col("group").alias("ref"),
        )
    )
    return _derived(
        groups, "note_e5.single_customer", "accounts", "Note E(5) over 25% of tentative net capital"
    )
