"""What counts as on deposit in the reserve bank accounts under 15c3-3(e)(5).

Cash at an affiliated bank does not count at all, and cash at any other bank counts only up to 15%
of that bank's equity capital (as reported in its latest Call Report). Qualified securities are not
subject to the cap. The cap is applied per bank across all of the firm's reserve accounts there.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from proctor.reserve.errors import ReserveError
from proctor.reserve.loaders import Book
from proctor.reserve.reductions import ratio
from proctor.reserve.ruletable import RuleTable


@dataclass(frozen=True)
class BankPosition:
    bank_id: str
    bank_name: str
    affiliated: bool
    cash: int
    qualified_securities: int
    equity_capital: int | None
    cash_cap: int | None
    eligible_cash: int
    excluded_cash: int
    reason: str

    @property
    def eligible(self) -> int:
        return self.eligible_cash + self.qualified_securities


def positions(book: Book, rules: RuleTable, reserve_book: str) -> list[BankPosition]:
    frame = book.frame("bank_accounts").filter(pl.col("book") == reserve_book)
    per_bank = (
        frame.group_by("bank_id")
        .agg(
            pl.col("bank_name").first(),
            pl.col("affiliated").any(),
            pl.col("cash").sum(),
            pl.col("qualified_securities").sum(),
            pl.col("bank_equity_capital").max(),
        )
        .sort("bank_id")
    )
    num, den = ratio(rules.decimal("bank_equity_cap"))
    exclude_affiliated = rules.flag("exclude_affiliated_bank_cash")
    out: list[BankPosition] = []
    for row in per_bank.iter_rows(named=True):
        cash = int(row["cash"])
        equity = row["bank_equity_capital"]
        if row["affiliated"] and exclude_affiliated:
            cap, eligible, reason = 0, 0, "affiliated bank: cash excluded (15c3-3(e)(5)(i))"
        elif equity is None:
            if cash > 0:
                raise ReserveError(f"bank {row['bank_id']}: equity capital missing, (e)(5) cap unknown")
            cap, eligible, reason = None, 0, "no cash on deposit"
        else:
            cap = int(equity) * num // den  # the cap rounds down: never count more than 15%
            eligible = min(cash, cap)
            reason = "within 15% of equity capital" if cash <= cap else "cash over 15% of equity capital"
        out.append(
            BankPosition(
                bank_id=row["bank_id"],
                bank_name=row["bank_name"],
                affiliated=bool(row["affiliated"]),
                cash=cash,
                qualified_securities=int(row["qualified_securities"]),
                equity_capital=None if equity is None else int(equity),
                cash_cap=cap,
                eligible_cash=eligible,
                excluded_cash=cash - eligible,
                reason=reason,
            )
        )
    return out
