"""A synthetic carrying firm of any size, consistent enough to pass every gate.

Used by the benchmark (1,000,000 accounts, 5,000,000 positions) and by the differential test that
holds the vectorised engine to the per-row reference on randomized books. Built with Polars
expressions so generating the large book takes seconds; values come from hashing the row index
with a seed, so a seed always produces the same book.
"""

from __future__ import annotations

from typing import Any

import polars as pl

N_SECURITIES = 5_000


def _rand(n_rows: int, seed: int, modulo: int) -> pl.Expr:
    return (pl.int_range(n_rows, dtype=pl.UInt64).hash(seed) % modulo).cast(pl.Int64)


def money(expr: pl.Expr) -> pl.Expr:
    """Integer cents to canonical decimal text ("1234.05")."""
    return pl.format("{}.{}", expr // 100, (expr % 100).cast(pl.String).str.zfill(2))


def generate(
    n_accounts: int, n_positions: int, seed: int = 7, n_pab: int | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    n_pab = max(n_accounts // 50, 1) if n_pab is None else n_pab
    idx = pl.int_range(n_accounts, dtype=pl.Int64)
    kind = _rand(n_accounts, seed, 10)
    acc = pl.select(
        pl.format("A{}", idx.cast(pl.String).str.zfill(7)).alias("account_id"),
        pl.when(idx < n_pab).then(pl.lit("pab")).otherwise(pl.lit("customer")).alias("book"),
        pl.when(kind < 6)
        .then(pl.lit("cash"))
        .when(kind < 9)
        .then(pl.lit("margin"))
        .otherwise(pl.lit("short"))
        .alias("account_type"),
        pl.format("G{}", (idx // 3).cast(pl.String)).alias("customer_group"),
        pl.when(kind < 6).then(_rand(n_accounts, seed + 1, 5_000_000)).otherwise(0).alias("credit_c"),
        pl.when((kind >= 6) & (kind < 9))
        .then(_rand(n_accounts, seed + 2, 4_000_000))
        .otherwise(0)
        .alias("debit_c"),
        pl.when(kind < 2).then(_rand(n_accounts, seed + 3, 10_000)).otherwise(0).alias("withholding_c"),
        (_rand(n_accounts, seed + 4, 1000) == 0).alias("unsecured"),
        (_rand(n_accounts, seed + 5, 1000) == 1).alias("doubtful"),
        (_rand(n_accounts, seed + 6, 500) == 2).alias("principal_related"),
        (_rand(n_accounts, seed + 7, 700) == 3).alias("affiliate"),
        (_rand(n_accounts, seed + 8, 100) == 4).alias("related_to_credits"),
        pl.when(_rand(n_accounts, seed + 9, 200) == 5)
        .then(pl.lit("0.25"))
        .otherwise(pl.lit("0"))
        .alias("noncustomer_share"),
    )
    price = _rand(N_SECURITIES, seed + 10, 20_000) + 100  # cents per share
    prices = pl.select(pl.int_range(N_SECURITIES, dtype=pl.Int64).alias("sec"), price.alias("price"))
    pos = pl.select(
        _rand(n_positions, seed + 11, n_accounts).alias("acct_idx"),
        _rand(n_positions, seed + 12, N_SECURITIES).alias("sec"),
        (_rand(n_positions, seed + 13, 500) + 1).alias("qty"),
    )
    types = acc.select(
        pl.int_range(n_accounts, dtype=pl.Int64).alias("acct_idx"), "account_id", "account_type"
    )
    pos = (
        pos.join(types, on="acct_idx")
        .join(prices, on="sec")
        .with_columns(
            pl.when(pl.col("account_type") == "short")
            .then(-pl.col("qty"))
            .otherwise(pl.col("qty"))
            .alias("qty"),
            (pl.col("qty") * pl.col("price")).alias("mv_c"),
            pl.format("S{}", pl.col("sec").cast(pl.String).str.zfill(5)).alias("security_id"),
        )
    )
    smv = pos.filter(pl.col("qty") < 0).group_by("account_id").agg(pl.col("mv_c").sum().alias("smv_c"))
    acc = acc.join(smv, on="account_id", how="left").with_columns(pl.col("smv_c").fill_null(0))
    offsets = pos.group_by("security_id").agg(
        pl.col("qty").filter(pl.col("qty") > 0).sum().alias("long"),
        pl.col("mv_c").filter(pl.col("qty") > 0).sum().alias("long_mv"),
        pl.col("qty").filter(pl.col("qty") < 0).sum().alias("short"),
        pl.col("mv_c").filter(pl.col("qty") < 0).sum().alias("short_mv"),
    )
    stock = pl.concat(
        [
            pos.select(
                "security_id",
                pl.lit("account").alias("location"),
                "account_id",
                pl.col("qty").alias("quantity"),
                money(pl.col("mv_c")).alias("market_value"),
            ),
            offsets.filter(pl.col("long") > 0).select(
                "security_id",
                pl.lit("depository").alias("location"),
                pl.lit(None, pl.String).alias("account_id"),
                (-pl.col("long")).alias("quantity"),
                money(pl.col("long_mv")).alias("market_value"),
            ),
            offsets.filter(pl.col("short") < 0).select(
                "security_id",
                pl.lit("stock_borrow").alias("location"),
                pl.lit(None, pl.String).alias("account_id"),
                (-pl.col("short")).alias("quantity"),
                money(pl.col("short_mv")).alias("market_value"),
            ),
        ]
    ).with_columns(pl.lit(None, pl.String).alias("age_days"), pl.col("quantity").cast(pl.String))
    borrows = (
        pos.filter(pl.col("qty") < 0)
        .join(acc.select("account_id", "book"), on="account_id")
        .group_by("security_id", "book")
        .agg(pl.col("mv_c").sum().alias("cv"))
        .sort("security_id", "book")
        .select(
            pl.format("B-{}-{}", "security_id", "book").alias("contract_id"),
            "book",
            pl.lit("borrow").alias("direction"),
            pl.lit("customer_short").alias("purpose"),
            "security_id",
            money(pl.col("cv")).alias("contract_value"),
            money(pl.col("cv")).alias("market_value"),
        )
    )
    sums = acc.group_by("book").agg(
        (pl.col("credit_c").sum() + pl.col("smv_c").sum()).alias("payables"),
        pl.col("withholding_c").sum().alias("withholding"),
        pl.col("debit_c").sum().alias("receivables"),
    )
    by_book = {r["book"]: r for r in sums.iter_rows(named=True)}
    borrowed = int(pos.filter(pl.col("qty") < 0)["mv_c"].sum())

    def gl(category: str, cents: int) -> dict[str, str]:
        return {
            "gl_account": category,
            "description": category,
            "category": category,
            "balance": f"{cents // 100}.{cents % 100:02d}",
        }

    cust, pab = by_book.get("customer", {}), by_book.get("pab", {})
    trial = pl.DataFrame(
        [
            gl("customer_payables", cust.get("payables", 0)),
            gl("customer_withholding_payable", cust.get("withholding", 0)),
            gl("customer_receivables", cust.get("receivables", 0)),
            gl("pab_payables", pab.get("payables", 0)),
            gl("pab_receivables", pab.get("receivables", 0)),
            gl("securities_borrowed", borrowed),
            gl("securities_loaned", 0),
            gl("drafts_payable", 0),
            gl("bank_overdrafts", 0),
            gl("unprocessed_checks", 0),
        ]
    )
    if pab.get("withholding", 0):
        acc = acc.with_columns(
            pl.when(pl.col("book") == "pab").then(0).otherwise(pl.col("withholding_c")).alias("withholding_c")
        )
    accounts = acc.select(
        "account_id",
        "book",
        "account_type",
        "customer_group",
        money(pl.col("credit_c")).alias("credit_balance"),
        money(pl.col("debit_c")).alias("debit_balance"),
        money(pl.col("smv_c")).alias("short_market_value"),
        money(pl.col("withholding_c")).alias("withholding_payable"),
        pl.lit("0.00").alias("omnibus_deficit"),
        *[
            pl.col(c).cast(pl.String)
            for c in ("unsecured", "doubtful", "principal_related", "affiliate", "related_to_credits")
        ],
        "noncustomer_share",
    )
    total_debits = int(acc["debit_c"].sum())
    banks = pl.DataFrame(
        {
            "bank_account_id": ["R1", "R2"],
            "bank_id": ["BK1", "BK2"],
            "bank_name": ["Bank One", "Bank Two"],
            "book": ["customer", "pab"],
            "affiliated": ["false", "false"],
            "bank_equity_capital": ["900000000000.00", "900000000000.00"],
            "cash": [f"{total_debits // 100}.00", "1000000.00"],
            "qualified_securities": ["0.00", "0.00"],
        }
    )
    frames = {
        "accounts": accounts,
        "stock_record": stock,
        "stock_loan_borrow": borrows,
        "trial_balance": trial,
        "bank_accounts": banks,
        "fails": pl.DataFrame(
            {
                "fail_id": ["F1", "F2"],
                "book": ["customer", "customer"],
                "direction": ["receive", "deliver"],
                "security_id": ["S00001", "S00002"],
                "contract_value": ["1000.00", "2000.00"],
                "market_value": ["1200.00", "2000.00"],
                "age_days": ["40", "3"],
            }
        ),
        "clearing_margin": pl.DataFrame(
            {
                "margin_id": ["M1"],
                "book": ["customer"],
                "agency": ["occ"],
                "required": ["50000.00"],
                "on_deposit": ["60000.00"],
                "qualifies": ["true"],
            }
        ),
        "other_items": pl.DataFrame(
            {"item_ref": ["BL1"], "book": ["customer"], "kind": ["bank_loan"], "amount": ["250000.00"]}
        ),
    }
    firm = {"name": "Synthetic Clearing Corp", "tentative_net_capital": "250000000.00"}
    return frames, firm
