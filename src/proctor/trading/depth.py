"""Depth blindness: protected quotes deeper than the router reads, and no ISO sent there.

Why: the bank-owned broker's order management system took market snapshots from the top eight
price levels of each exchange's depth feed. When odd lots filled those eight levels, the round-lot
(protected) quote sat at level nine or deeper, the router never saw it, and no ISO went there
(about 42 trades). So for every trade and every venue with a full-depth book (`books`), the
protected quote at the execution instant and its level are taken; a trade is an alert where the
protected quote was better than the trade price, sat deeper than the router's configured depth
(default 8) or deeper than the depth file itself shows (level unknown: never counted as
shallow), and the order routed no ISO to that venue within the tolerance.

The daily figures say how often, per symbol price band and side, the protected quote sat deeper
than 1, 5, 8 and 10 levels, over every rebuilt book state: the number that tells a firm whether
its router's depth is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from proctor.trading.books import BEYOND_FILE

THRESHOLDS = (1, 5, 8, 10)
#: Price bands in micro-dollars (upper bounds); the last band is open-ended.
PRICE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("<$1", 1_000_000),
    ("$1-10", 10_000_000),
    ("$10-50", 50_000_000),
    ("$50-250", 250_000_000),
    ("$250-1000", 1_000_000_000),
    (">$1000", None),
)


@dataclass(frozen=True)
class DepthParams:
    router_depth: int = 8
    tolerance_ns: int = 100_000_000
    rule_version: str = "depth.v1"

    def __post_init__(self) -> None:
        if self.router_depth < 1:
            raise ValueError("router_depth must be at least one level")

    def as_dict(self) -> dict[str, Any]:
        return {
            "router_depth": self.router_depth,
            "tolerance_ns": self.tolerance_ns,
            "rule_version": self.rule_version,
        }


def band_expr(price: pl.Expr) -> pl.Expr:
    expr: Any = pl.lit(PRICE_BANDS[-1][0])
    for name, upper in reversed(PRICE_BANDS[:-1]):
        assert upper is not None
        expr = pl.when(price < upper).then(pl.lit(name)).otherwise(expr)
    return pl.when(price.is_null() | (price <= 0)).then(pl.lit("no price")).otherwise(expr)


def at_trades(trades: pl.DataFrame, depth: pl.DataFrame) -> pl.DataFrame:
    """For each trade x depth venue: the book state at the execution (last state at or before it)."""
    t = trades.select("trade_id", "symbol", "ts", "side", "price", "order_id").sort("ts")
    venues = depth["venue"].unique().sort().to_list()
    parts = []
    for venue in venues:
        d = depth.filter(pl.col("venue") == venue).sort("ts", "seq").rename({"ts": "book_ts"})
        joined = t.join_asof(
            d, left_on="ts", right_on="book_ts", by="symbol", strategy="backward", check_sortedness=False
        )
        parts.append(joined.filter(pl.col("book_ts").is_not_null()))
    return pl.concat(parts) if parts else pl.DataFrame()


def check_depth_blindness(
    trades: pl.DataFrame, depth: pl.DataFrame, routes: pl.DataFrame, params: DepthParams
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Trades where a protected quote better than the price sat beyond the router's depth, no ISO."""
    if trades.height == 0 or depth.height == 0:
        return [], {"trades": trades.height, "trade_venues_checked": 0, "alerts": 0}
    states = at_trades(trades, depth)
    buy = pl.col("side") == "B"
    prot_px = pl.when(buy).then(pl.col("ask_prot_px")).otherwise(pl.col("bid_prot_px"))
    prot_level = pl.when(buy).then(pl.col("ask_prot_level")).otherwise(pl.col("bid_prot_level"))
    prot_size = pl.when(buy).then(pl.col("ask_prot_size")).otherwise(pl.col("bid_prot_size"))
    view = states.with_columns(
        prot_px.alias("prot_px"), prot_level.alias("prot_level"), prot_size.alias("prot_size")
    )
    deep = (pl.col("prot_level") > params.router_depth) | (pl.col("prot_level") == BEYOND_FILE)
    better = (pl.col("prot_px") > 0) & pl.when(buy).then(pl.col("prot_px") < pl.col("price")).otherwise(
        pl.col("prot_px") > pl.col("price")
    )
    suspects = view.filter(deep & better)
    isos = routes.filter(pl.col("is_iso")).select(
        pl.col("parent_order_id").alias("order_id"), pl.col("venue").alias("iso_venue"), "route_ts"
    )
    sent = (
        suspects.select("trade_id", "order_id", "venue", "ts")
        .join(isos, on="order_id", how="inner")
        .filter(
            (pl.col("iso_venue") == pl.col("venue"))
            & ((pl.col("route_ts") - pl.col("ts")).abs() <= params.tolerance_ns)
        )
        .select("trade_id", "venue")
        .unique()
    )
    blind = suspects.join(sent, on=["trade_id", "venue"], how="anti")
    findings = []
    who = trades.select("trade_id", *[c for c in ("desk", "trader", "quantity") if c in trades.columns])
    for r in blind.join(who, on="trade_id", how="left").sort("ts", "trade_id", "venue").iter_rows(named=True):
        findings.append(
            {
                "trade_id": r["trade_id"],
                "symbol": r["symbol"],
                "order_id": r["order_id"],
                "desk": r.get("desk"),
                "trader": r.get("trader"),
                "side": r["side"],
                "price": r["price"],
                "venue": r["venue"],
                "protected_px": r["prot_px"],
                "protected_size": r["prot_size"],
                "protected_level": None if r["prot_level"] == BEYOND_FILE else r["prot_level"],
                "beyond_file_depth": r["prot_level"] == BEYOND_FILE,
                "router_depth": params.router_depth,
                "book_ts": r["book_ts"],
                "ts": r["ts"],
            }
        )
    return findings, {
        "trades": trades.height,
        "trade_venues_checked": states.height,
        "deeper_than_router": suspects.height,
        "alerts": len(findings),
    }


def daily_depth_figures(depth: pl.DataFrame) -> list[dict[str, Any]]:
    """Per day, symbol, price band and side: states, and how often the protected level was > N."""
    if depth.height == 0:
        return []
    mid = (pl.col("bid_px") + pl.col("ask_px")) // 2
    base = depth.with_columns(
        pl.from_epoch("ts", time_unit="ns").dt.convert_time_zone("America/New_York").dt.date().alias("day"),
        band_expr(
            pl.when((pl.col("bid_px") > 0) & (pl.col("ask_px") > 0))
            .then(mid)
            .otherwise(pl.max_horizontal("bid_px", "ask_px"))
        ).alias("band"),
    )
    frames = []
    for side in ("bid", "ask"):
        lvl = pl.col(f"{side}_prot_level")
        aggs = [
            pl.len().alias("states"),
            (lvl == 0).sum().alias("no_protected_quote"),
            (lvl == BEYOND_FILE).sum().alias("beyond_file_depth"),
        ]
        aggs += [((lvl > n) | (lvl == BEYOND_FILE)).sum().alias(f"deeper_than_{n}") for n in THRESHOLDS]
        frames.append(
            base.group_by("day", "symbol", "venue", "band").agg(aggs).with_columns(pl.lit(side).alias("side"))
        )
    out = pl.concat(frames).sort("day", "symbol", "venue", "band", "side")
    rows = []
    for r in out.iter_rows(named=True):
        r["day"] = r["day"].isoformat()
        for n in THRESHOLDS:
            r[f"share_deeper_than_{n}"] = (
                round(r[f"deeper_than_{n}"] / r["states"], 6) if r["states"] else None
            )
        rows.append(r)
    return rows
