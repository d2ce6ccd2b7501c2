"""Reject monitor: ISO reject rates against a rolling baseline, and rejects that let trades through.

Why: from January to April 2021 the bank-owned broker routed ISOs carrying a wrong clearing-firm
tag; exchanges rejected 3,475 of them and 23 trades went ahead without the ISOs they needed.
Nobody read the rejects. So:

- Reject rates are cut by venue, reason, session and clearing-firm tag, per time bucket of the
  day (default 15 minutes), and compared with a rolling baseline of the previous days' rate for
  the same cut. A bucket alerts when it has at least `min_rejects` rejects and its rate is at
  least `spike_ratio` times the baseline and `min_excess` above it; with no baseline, a rate of
  `cold_start_rate` or more alerts. A burst therefore alerts within the run that sees it.
- A rejected ISO under a trade reported as ISO-outbound, with no successful ISO to the same venue
  within the tolerance of the execution, is a presumptive trade-through and its own alert.
- Pre-route tag rules are data (`TagRule`): per venue, the clearing firm (ClearingFirm 439, or
  Parties with PartyRole 452=4) must be one of the allowed values, or must not be a denied one.
  `propose_rules` turns rejects whose text names the refused field into deny rules, so after
  approval the same bad tag is stopped before the next order instead of rejected after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from proctor.trading.iso import assign_isos, has_code

SESSIONS = (
    ("pre_market", 4 * 3600, 9 * 3600 + 1800),
    ("regular", 9 * 3600 + 1800, 16 * 3600),
    ("post_market", 16 * 3600, 20 * 3600),
)
CUTS = ("venue", "reason", "session", "clearing_firm")
_CLEARING_TEXT = re.compile(r"clearing\s*firm|ClearingFirm|\b439\b|PartyRole|clearing", re.IGNORECASE)


@dataclass(frozen=True)
class RejectParams:
    bucket_ns: int = 15 * 60 * 1_000_000_000
    baseline_days: int = 20
    min_rejects: int = 10
    spike_ratio: float = 3.0
    min_excess: float = 0.02
    cold_start_rate: float = 0.05
    tolerance_ns: int = 100_000_000
    iso_code: str = "3"
    rule_version: str = "rejects.v1"

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def session_expr(ts: pl.Expr) -> pl.Expr:
    local = pl.from_epoch(ts, time_unit="ns").dt.convert_time_zone("America/New_York")
    secs = local.dt.hour().cast(pl.Int64) * 3600 + local.dt.minute().cast(pl.Int64) * 60 + local.dt.second()
    expr: pl.Expr = pl.lit("closed")
    for name, start, end in reversed(SESSIONS):
        expr = pl.when((secs >= start) & (secs < end)).then(pl.lit(name)).otherwise(expr)
    return expr


def route_facts(routes: pl.DataFrame) -> pl.DataFrame:
    """Routes with day, session and reason filled in (a missing reason is `unstated`, not blank)."""
    return routes.with_columns(
        pl.from_epoch("route_ts", time_unit="ns")
        .dt.convert_time_zone("America/New_York")
        .dt.date()
        .alias("day"),
        session_expr(pl.col("route_ts")).alias("session"),
        pl.when(pl.col("rejected")).then(pl.coalesce("reject_reason", pl.lit("unstated"))).alias("reason"),
        pl.col("clearing_firm").fill_null("(none)"),
        pl.col("venue").fill_null("(none)"),
    )


def daily_counts(routes: pl.DataFrame) -> pl.DataFrame:
    """Per day and cut value: orders and rejects (the baseline history a later run compares with)."""
    facts = route_facts(routes)
    parts = []
    for cut in CUTS:
        if cut == "reason":
            g = facts.group_by("day", "venue").agg(pl.len().alias("orders"))
            r = (
                facts.filter(pl.col("rejected"))
                .group_by("day", "venue", "reason")
                .agg(pl.len().alias("rejects"))
            )
            part = r.join(g, on=["day", "venue"]).select(
                "day",
                pl.lit("reason").alias("cut"),
                (pl.col("venue") + "/" + pl.col("reason")).alias("value"),
                "orders",
                "rejects",
            )
        else:
            part = (
                facts.group_by("day", cut)
                .agg(pl.len().alias("orders"), pl.col("rejected").sum().cast(pl.Int64).alias("rejects"))
                .select(
                    "day",
                    pl.lit(cut).alias("cut"),
                    pl.col(cut).cast(pl.Utf8).alias("value"),
                    "orders",
                    "rejects",
                )
            )
        parts.append(part.with_columns(pl.col("orders").cast(pl.Int64), pl.col("rejects").cast(pl.Int64)))
    return pl.concat(parts).sort("day", "cut", "value")


def spikes(routes: pl.DataFrame, history: pl.DataFrame | None, params: RejectParams) -> list[dict[str, Any]]:
    """Buckets whose reject rate for some cut spikes over the baseline of prior days."""
    if routes.height == 0:
        return []
    facts = route_facts(routes).with_columns((pl.col("route_ts") // params.bucket_ns).alias("bucket"))
    baseline: dict[tuple[str, str], float] = {}
    if history is not None and history.height:
        days = sorted(set(facts["day"].to_list()))
        prior = history.filter(pl.col("day") < days[0]).sort("day")
        recent = prior.filter(pl.col("day").is_in(prior["day"].unique().sort().tail(params.baseline_days)))
        for r in (
            recent.group_by("cut", "value")
            .agg(pl.col("orders").sum(), pl.col("rejects").sum())
            .iter_rows(named=True)
        ):
            baseline[(r["cut"], r["value"])] = r["rejects"] / r["orders"] if r["orders"] else 0.0
    out = []
    for cut in CUTS:
        key = (pl.col("venue") + "/" + pl.col("reason")) if cut == "reason" else pl.col(cut).cast(pl.Utf8)
        base = facts.filter(pl.col("rejected")) if cut == "reason" else facts
        denom = facts.group_by("bucket", "venue").agg(pl.len().alias("orders")) if cut == "reason" else None
        grouped = base.with_columns(key.alias("value")).group_by(
            "bucket", "value", *(["venue"] if cut == "reason" else [])
        )
        g = grouped.agg(
            pl.len().alias("n"),
            pl.col("rejected").sum().cast(pl.Int64).alias("rejects"),
            pl.col("route_ts").min().alias("start_ts"),
            pl.col("cl_ord_id").filter(pl.col("rejected")).head(5).alias("examples"),
        )
        if denom is not None:
            g = g.join(denom, on=["bucket", "venue"]).drop("n")
        else:
            g = g.rename({"n": "orders"})
        for r in g.sort("bucket", "value").iter_rows(named=True):
            rate = r["rejects"] / r["orders"] if r["orders"] else 0.0
            b = baseline.get((cut, r["value"]))
            if r["rejects"] < params.min_rejects:
                continue
            if b is None:
                hit = rate >= params.cold_start_rate
            else:
                hit = rate >= b * params.spike_ratio and rate - b >= params.min_excess
            if hit:
                out.append(
                    {
                        "cut": cut,
                        "value": r["value"],
                        "bucket_start_ts": r["bucket"] * params.bucket_ns,
                        "orders": r["orders"],
                        "rejects": r["rejects"],
                        "rate": round(rate, 6),
                        "baseline_rate": None if b is None else round(b, 6),
                        "examples": r["examples"],
                    }
                )
    return out


def presumptive_trade_throughs(
    trades: pl.DataFrame, routes: pl.DataFrame, params: RejectParams
) -> list[dict[str, Any]]:
    """ISO-outbound trades with a rejected ISO to a venue and no successful ISO there in time."""
    assigned = assign_isos(trades, routes).filter(pl.col("trade_id").is_not_null())
    iso_trades = trades.filter(has_code(trades, params.iso_code))
    info = {r["trade_id"]: r for r in iso_trades.iter_rows(named=True)}
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in assigned.iter_rows(named=True):
        if r["trade_id"] in info:
            by.setdefault((r["trade_id"], str(r["venue"])), []).append(r)
    out = []
    for (trade_id, venue), isos in sorted(by.items()):
        rejected = [i for i in isos if i["rejected"]]
        if not rejected:
            continue
        t = info[trade_id]
        ok = [
            i
            for i in isos
            if not i["rejected"] and abs(int(i["route_ts"]) - int(t["ts"])) <= params.tolerance_ns
        ]
        if ok:
            continue  # re-routed successfully
        out.append(
            {
                "trade_id": trade_id,
                "venue": venue,
                "symbol": t.get("symbol"),
                "order_id": t.get("order_id"),
                "desk": t.get("desk"),
                "trader": t.get("trader"),
                "ts": t["ts"],
                "rejected_isos": [i["cl_ord_id"] for i in rejected],
                "reject_reasons": sorted({str(i["reject_reason"]) for i in rejected}),
                "reject_text": [i["reject_text"] for i in rejected][:3],
                "clearing_firm": sorted({str(i["clearing_firm"]) for i in rejected}),
                "reject_gap_ms": round((int(t["ts"]) - int(rejected[0]["route_ts"])) / 1e6, 3),
                "iso_qty": sum(int(i["qty"] or 0) for i in rejected),
            }
        )
    return out


# --------------------------------------------------------------------------- pre-route tag rules


@dataclass(frozen=True)
class TagRule:
    """A pre-route check of one tag for one venue ('*' = every venue)."""

    venue: str
    tag: str  # clearing_firm (439 / Parties 452=4) is the one the case needs; any route column works
    allowed: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()
    required: bool = True
    citation: str = ""
    reason: str = ""

    def check(self, route: dict[str, Any]) -> str | None:
        if self.venue not in ("*", route.get("venue")):
            return None
        value = route.get(self.tag)
        if value in (None, ""):
            return f"{self.tag} is missing" if self.required else None
        if self.allowed and value not in self.allowed:
            return f"{self.tag} {value!r} is not allowed for venue {route.get('venue')}"
        if value in self.denied:
            return f"{self.tag} {value!r} is refused by venue {route.get('venue')}"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "venue": self.venue,
            "tag": self.tag,
            "allowed": list(self.allowed),
            "denied": list(self.denied),
            "required": self.required,
            "citation": self.citation,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TagRule:
        return cls(
            str(d["venue"]),
            str(d["tag"]),
            tuple(d.get("allowed") or ()),
            tuple(d.get("denied") or ()),
            bool(d.get("required", True)),
            str(d.get("citation", "")),
            str(d.get("reason", "")),
        )


@dataclass
class Validation:
    blocked: list[dict[str, Any]] = field(default_factory=list)
    checked: int = 0


def prevalidate(routes: Iterable[dict[str, Any]], rules: Iterable[TagRule]) -> Validation:
    """Routes a rule would have stopped before they left the firm."""
    rules = list(rules)
    out = Validation()
    for r in routes:
        out.checked += 1
        problems = [p for p in (rule.check(r) for rule in rules) if p]
        if problems:
            out.blocked.append(
                {
                    "cl_ord_id": r.get("cl_ord_id"),
                    "venue": r.get("venue"),
                    "problems": problems,
                    "rejected_by_venue": bool(r.get("rejected")),
                }
            )
    return out


def propose_rules(routes: pl.DataFrame, min_rejects: int = 3) -> list[TagRule]:
    """Deny rules from rejects whose venue text names the clearing-firm field."""
    rej = routes.filter(pl.col("rejected") & pl.col("reject_text").is_not_null())
    if rej.height == 0:
        return []
    rej = rej.filter(pl.col("reject_text").str.contains(_CLEARING_TEXT.pattern))
    counts = rej.group_by("venue", "clearing_firm").agg(pl.len().alias("n"), pl.col("reject_text").first())
    out = []
    for r in counts.sort("venue", "clearing_firm").iter_rows(named=True):
        if r["n"] >= min_rejects and r["clearing_firm"]:
            out.append(
                TagRule(
                    str(r["venue"]),
                    "clearing_firm",
                    denied=(str(r["clearing_firm"]),),
                    required=True,
                    citation="venue reject text",
                    reason=f"{r['n']} rejects: {r['reject_text']}",
                )
            )
    return out
