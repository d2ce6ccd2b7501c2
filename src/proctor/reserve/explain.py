"""`explain ITEM`: the breakdown of one Exhibit A line down to source rows and accounts.

An examiner's first question about any reserve number is "show me where it came from". The
lineage frame already holds every contribution with its file, row and row hash; this module only
groups it so a FINOP can read it: by component, by treatment (included, excluded and why), and the
largest accounts or contracts with their source rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from proctor.reserve.components import SHARE_DENOM
from proctor.reserve.errors import ReserveError


def explain(lineage: pl.DataFrame, item: str, *, top: int = 20, ref: str | None = None) -> dict[str, Any]:
    rows = lineage.filter(pl.col("item") == item)
    if ref is not None:
        rows = rows.filter(pl.col("ref") == ref)
    if rows.is_empty() and item not in set(lineage["item"].unique().to_list()) and ref is None:
        return {"item": item, "total": 0, "components": [], "treatments": [], "top": [], "rows": 0}
    total = int(rows["amount"].sum())
    by_component = (
        rows.group_by("component")
        .agg(pl.col("amount").sum(), pl.len().alias("rows"), pl.col("rounding").sum())
        .sort("component")
    )
    by_treatment = rows.group_by("treatment").agg(
        pl.col("basis").sum(), pl.col("amount").sum(), pl.len().alias("rows")
    )
    biggest = rows.sort(pl.col("amount").abs(), descending=True).head(top)
    return {
        "item": item,
        "total": total,
        "rows": rows.height,
        "components": [
            {
                "component": r["component"],
                "amount": int(r["amount"]),
                "rows": int(r["rows"]),
                "rounding_cents": str(Decimal(int(r["rounding"])) / SHARE_DENOM),
            }
            for r in by_component.iter_rows(named=True)
        ],
        "treatments": by_treatment.sort("treatment").to_dicts(),
        "top": biggest.select(
            "component", "ref", "_file", "_row", "_row_hash", "basis", "amount", "treatment"
        ).to_dicts(),
    }


def check_item(item: str, known: list[str]) -> str:
    if item not in known:
        raise ReserveError(f"no Exhibit A item {item!r}; items are {', '.join(known)}")
    return item
