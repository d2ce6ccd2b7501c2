"""The Rule 611 trade-through check: candidates, every exception with its data, and the clock class.

A trade-through (Rule 600(b)) is a purchase or sale at a price lower than a protected bid or higher
than a protected offer. The definition does not depend on the firm's side: a firm *selling* to a
customer above the protected offer trades through that offer as surely as a firm buying above it,
so both directions are candidates whatever `side` says. Only protected quotations count (see
`kernel`: automated trading centers, firm conditions, round-lot sizes), so a better price shown
only in an odd lot is noted (`note = odd_lot_only_better`) and never a trade-through.

Every candidate is tested against every exception and each clause reports pass/fail with a reason:

  b1  611(b)(1) self-help: `self_help` evidence for the traded-through venue (start_ts <= ts <=
      end_ts, end open if null) — per venue;
  b2  611(b)(2) not regular way: settlement is cash, next_day or seller_N (null = fail, missing);
  b3  611(b)(3) single-price opening/reopening/closing: a modifier meaning opening/reopening/closing
      (defaults O, 5, 6: the UTP/CTA market-center opening/reopening/closing sale conditions);
  b4  611(b)(4) crossed: a protected bid above a protected offer at execution (locked is not);
  b5  611(b)(5) inbound ISO: modifier meaning iso_inbound (default F);
  b6  611(b)(6) outbound ISO: modifier iso_outbound (default 3) is "claimed" only — whether ISOs
      really went to every better venue for full size is the `trading.iso_outbound` control's
      question; such a trade gets status `exempt_claimed` so that control can validate it;
  b7  611(b)(7) benchmark: modifier benchmark (default 4) AND `benchmark` evidence for the order;
  b8  611(b)(8) flicker: the venue displayed, within [t − 1 s, t], a protected offer >= the price
      (bid <= the price) — per venue;
  b9  611(b)(9) stopped order: `stopped_order` evidence for the order with the stop price, stopped
      at or before execution, for a customer (capacity), executed no worse than the stop price, and
      (iii) a stopped buy below the NBB / a stopped sell above the NBO at execution;
  d_qct, d_error_correction, d_print_protection: the Rule 611(d) exemptive orders, each needing its
      modifier AND evidence of the same kind for the order.

A trade-level clause (b2–b5, b7, b9, d_*) that passes exempts the trade; the per-venue clauses
(b1, b8) exempt it when together they cover every traded-through venue and side. Results
(status): compliant, no_protected_quote (nothing to protect on either side at t — counted, not a
pass in disguise), outside_hours, exempt, exempt_claimed, violation. The clock class of a
candidate is `robust` when the price is through the NBO (or NBB) at every instant within ±
tolerance (FINRA 4590: any ordering of clocks within tolerance still shows the trade-through),
else `ordering_dependent`.

Evidence frame: kind, order_id, venue, symbol, start_ts, end_ts, price, detail (see module
`engine`); kinds outside EVIDENCE_KINDS are an input error.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import numpy as np
import polars as pl

from proctor.core.errors import InputError
from proctor.trading.kernel import (
    TRADE_FIELDS,
    VENUE_FIELDS,
    ColumnTypes,
    Snapshot,
    prepare_quotes,
    snapshot_arrays,
)
from proctor.trading.params import KernelParams

EVIDENCE_KINDS = frozenset(
    {
        "self_help",
        "stopped_order",
        "benchmark",
        "customer_iso_consent",
        "qct",
        "error_correction",
        "print_protection",
    }
)
TRADE_COLUMNS: ColumnTypes = {
    "trade_id": pl.Utf8,
    "ts": pl.Int64,
    "side": pl.Utf8,
    "price": pl.Int64,
    "quantity": pl.Int64,
    "modifiers": pl.List(pl.Utf8),
    "order_id": pl.Utf8,
    "desk": pl.Utf8,
    "capacity": pl.Utf8,
    "settlement": pl.Utf8,
}
EVIDENCE_COLUMNS: ColumnTypes = {
    "kind": pl.Utf8,
    "order_id": pl.Utf8,
    "venue": pl.Utf8,
    "symbol": pl.Utf8,
    "start_ts": pl.Int64,
    "end_ts": pl.Int64,
    "price": pl.Int64,
    "detail": pl.Utf8,
}
CLAUSES = {
    "b1": "611(b)(1) self-help",
    "b2": "611(b)(2) not regular way",
    "b3": "611(b)(3) single-price opening/reopening/closing",
    "b4": "611(b)(4) crossed protected quotes",
    "b5": "611(b)(5) inbound ISO",
    "b6": "611(b)(6) outbound ISO",
    "b7": "611(b)(7) benchmark",
    "b8": "611(b)(8) flicker",
    "b9": "611(b)(9) stopped order",
    "d_qct": "611(d) qualified contingent trade",
    "d_error_correction": "611(d) error correction",
    "d_print_protection": "611(d) print protection",
}
TRADE_LEVEL = ("b2", "b3", "b4", "b5", "b7", "b9", "d_qct", "d_error_correction", "d_print_protection")
STATUSES = ("compliant", "no_protected_quote", "outside_hours", "exempt", "exempt_claimed", "violation")
RESULT_SCHEMA: ColumnTypes = {
    "trade_id": pl.Utf8,
    "ts": pl.Int64,
    "side": pl.Utf8,
    "price": pl.Int64,
    "quantity": pl.Int64,
    "order_id": pl.Utf8,
    "desk": pl.Utf8,
    "status": pl.Utf8,
    "exempt_clause": pl.Utf8,
    "clock_class": pl.Utf8,
    "nbb": pl.Int64,
    "nbo": pl.Int64,
    "nbb_venues": pl.List(pl.Utf8),
    "nbo_venues": pl.List(pl.Utf8),
    "crossed": pl.Boolean,
    "locked": pl.Boolean,
    "through_side": pl.Utf8,
    "through_venues": pl.List(pl.Utf8),
    "round_lot": pl.Int64,
    "rule_version": pl.Utf8,
    "note": pl.Utf8,
    "detail": pl.Utf8,
}
EvidenceIndex = dict[tuple[str, str], list[dict[str, Any]]]
"""Evidence rows by (kind, order_id) and (kind, "venue:" + venue), as `prepare_evidence` builds it."""
_SELLER_N = re.compile(r"seller_\d+")
_NOT_REGULAR = {"cash", "next_day"}


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys, no whitespace) of JSON-native values, as `core.canonical.dumps`."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def px(value: int | None) -> str:
    """Micro-dollars as a dollar string, exactly (no float): 10010000 -> '10.01'."""
    if value is None or value == 0:
        return "none"
    whole, frac = divmod(int(value), 1_000_000)
    return f"{whole}.{f'{frac:06d}'.rstrip('0').ljust(2, '0')}"


def _none(value: int) -> int | None:
    return int(value) if value else None


# --------------------------------------------------------------------------- inputs


def prepare_trades(trades: pl.DataFrame) -> pl.DataFrame:
    """Validate the trades contract: nulls the check must read are errors naming row and field."""
    missing = [c for c in TRADE_COLUMNS if c not in trades.columns]
    if missing:
        raise InputError(f"missing columns {missing}", file="trades")
    t = trades.select([pl.col(c).cast(d, strict=True) for c, d in TRADE_COLUMNS.items()]).with_row_index(
        "_row"
    )
    checks = [
        ("trade_id", pl.col("trade_id").is_null(), "is null"),
        ("ts", pl.col("ts").is_null(), "is null"),
        ("side", ~pl.col("side").is_in(["B", "S"]) | pl.col("side").is_null(), "is not B or S"),
        ("price", pl.col("price").is_null() | (pl.col("price") <= 0), "is null or not positive"),
        ("quantity", pl.col("quantity").is_null() | (pl.col("quantity") <= 0), "is null or not positive"),
        ("modifiers", pl.col("modifiers").is_null(), "is null (an empty list means none reported)"),
    ]
    for field, bad, what in checks:
        hit = t.filter(bad)
        if hit.height:
            raise InputError(
                f"{what} ({hit.height} rows)", file="trades", row=int(hit["_row"][0]), field=field
            )
    return t


def prepare_evidence(evidence: pl.DataFrame | None, symbol: str | None) -> EvidenceIndex:
    """Index evidence rows by (kind, order_id) and (kind, "venue:" + venue) for the clauses."""
    index: EvidenceIndex = defaultdict(list)
    if evidence is None or evidence.height == 0:
        return index
    missing = [c for c in EVIDENCE_COLUMNS if c not in evidence.columns]
    if missing:
        raise InputError(f"missing columns {missing}", file="evidence")
    rows = evidence.select([pl.col(c).cast(d, strict=True) for c, d in EVIDENCE_COLUMNS.items()])
    for i, row in enumerate(rows.iter_rows(named=True)):
        if row["kind"] not in EVIDENCE_KINDS:
            raise InputError(f"unknown evidence kind {row['kind']!r}", file="evidence", row=i, field="kind")
        if symbol is not None and row["symbol"] is not None and row["symbol"] != symbol:
            continue
        row["_row"] = i
        if row["order_id"] is not None:
            index[(row["kind"], row["order_id"])].append(row)
        if row["venue"] is not None:
            index[(row["kind"], "venue:" + row["venue"])].append(row)
    return index


# --------------------------------------------------------------------------- clauses


def _clause(cid: str, result: str, reason: str, **extra: Any) -> dict[str, Any]:
    return {"clause": cid, "citation": CLAUSES[cid], "result": result, "reason": reason, **extra}


def _by_evidence(
    cid: str, kind: str, meaning: str, has_mod: bool, t: dict[str, Any], ev: EvidenceIndex
) -> dict[str, Any]:
    rows = ev.get((kind, t["order_id"]), []) if t["order_id"] is not None else []
    if has_mod and rows:
        return _clause(
            cid,
            "pass",
            f"modifier {meaning} and {kind} evidence for order {t['order_id']}",
            evidence_rows=[r["_row"] for r in rows],
        )
    if has_mod:
        return _clause(
            cid, "fail", f"modifier {meaning} reported but no {kind} evidence for order {t['order_id']}"
        )
    if rows:
        return _clause(
            cid, "fail", f"{kind} evidence exists for order {t['order_id']} but the report lacks the modifier"
        )
    return _clause(cid, "fail", f"no {meaning} modifier")


def _stopped(
    t: dict[str, Any], ev: EvidenceIndex, nbb: int, nbo: int, params: KernelParams
) -> dict[str, Any]:
    rows = ev.get(("stopped_order", t["order_id"]), []) if t["order_id"] is not None else []
    if not rows:
        return _clause("b9", "fail", "no stopped_order evidence for the order")
    problems: list[str] = []
    for r in rows:
        why = []
        if r["price"] is None:
            why.append("evidence has no stop price")
        elif t["side"] == "B" and t["price"] > r["price"]:
            why.append(f"bought at {px(t['price'])}, worse than the stop price {px(r['price'])}")
        elif t["side"] == "S" and t["price"] < r["price"]:
            why.append(f"sold at {px(t['price'])}, worse than the stop price {px(r['price'])}")
        if r["start_ts"] is not None and r["start_ts"] > t["ts"]:
            why.append("stopped after execution")
        if t["capacity"] not in params.customer_capacities:
            why.append(f"capacity {t['capacity']!r} is not a customer account (611(b)(9)(i))")
        if t["side"] == "B" and not (nbb and t["price"] < nbb):
            why.append(f"stopped buy not below the NBB {px(nbb)} (611(b)(9)(iii))")
        if t["side"] == "S" and not (nbo and t["price"] > nbo):
            why.append(f"stopped sell not above the NBO {px(nbo)} (611(b)(9)(iii))")
        if not why:
            return _clause(
                "b9",
                "pass",
                f"stopped at {px(r['price'])} for a customer; (iii) holds",
                evidence_rows=[r["_row"]],
            )
        problems.append("; ".join(why))
    return _clause("b9", "fail", " | ".join(problems))


def evaluate_clauses(
    t: dict[str, Any],
    through: list[tuple[str, str, int]],
    venues: tuple[str, ...],
    at: dict[str, Any],
    ev: EvidenceIndex,
    params: KernelParams,
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], list[str]]]:
    """Every clause for one candidate. `through` = [(venue, "offer"|"bid", quoted price)].

    Returns the clause results and, for each traded-through (venue, side), the per-venue clauses
    that cover it.
    """
    meanings = params.meanings_of(t["modifiers"])
    nbb, nbo = at["nbb"], at["nbo"]
    cover: dict[tuple[str, str], list[str]] = {(v, s): [] for v, s, _ in through}
    out: list[dict[str, Any]] = []

    helped = []
    for v, s, _ in through:
        for r in ev.get(("self_help", "venue:" + v), []):
            if (
                r["start_ts"] is not None
                and r["start_ts"] <= t["ts"]
                and (r["end_ts"] is None or t["ts"] <= r["end_ts"])
            ):
                cover[(v, s)].append("b1")
                helped.append(v)
                break
    names = sorted({v for v, _, _ in through})
    if helped and len(set(helped)) == len(names):
        out.append(_clause("b1", "pass", f"self-help declared against {', '.join(names)}", venues=names))
    elif helped:
        out.append(
            _clause(
                "b1",
                "partial",
                f"self-help declared against {', '.join(sorted(set(helped)))} only",
                venues=sorted(set(helped)),
            )
        )
    else:
        out.append(
            _clause("b1", "fail", f"no self-help declared against {', '.join(names)} covering execution")
        )

    settle = t["settlement"]
    if settle in _NOT_REGULAR or (settle is not None and _SELLER_N.fullmatch(settle)):
        out.append(_clause("b2", "pass", f"settlement {settle} is not regular way"))
    elif settle is None:
        out.append(_clause("b2", "fail", "settlement missing: not-regular-way cannot be shown"))
    elif settle == "regular":
        out.append(_clause("b2", "fail", "regular-way settlement"))
    else:
        out.append(_clause("b2", "fail", f"settlement {settle!r} is not a known not-regular-way term"))

    auction = sorted(meanings & {"opening", "reopening", "closing"})
    if auction:
        out.append(_clause("b3", "pass", f"single-priced {auction[0]} transaction (modifier)"))
    else:
        out.append(_clause("b3", "fail", "no single-price opening/reopening/closing modifier"))

    if nbb and nbo and nbb > nbo:
        out.append(_clause("b4", "pass", f"protected bid {px(nbb)} above protected offer {px(nbo)}"))
    elif nbb and nbo and nbb == nbo:
        out.append(_clause("b4", "fail", f"locked at {px(nbb)}: a locked market is not crossed"))
    else:
        out.append(_clause("b4", "fail", f"not crossed (NBB {px(nbb)}, NBO {px(nbo)})"))

    out.append(
        _clause("b5", "pass", "execution of an inbound ISO (modifier)")
        if "iso_inbound" in meanings
        else _clause("b5", "fail", "no inbound-ISO modifier")
    )
    if "iso_outbound" in meanings:
        out.append(
            _clause(
                "b6",
                "claimed",
                "outbound ISO claimed by modifier; validated by trading.iso_outbound "
                "(ISOs to every better protected quote, full displayed size, simultaneous)",
            )
        )
    else:
        out.append(_clause("b6", "fail", "no outbound-ISO modifier"))
    out.append(_by_evidence("b7", "benchmark", "benchmark", "benchmark" in meanings, t, ev))

    flickered = []
    for v, s, _ in through:
        i = venues.index(v)
        if s == "offer":
            worst = at["flk_ask_worst"][i]
            ok = worst > 0 and worst >= t["price"]
        else:
            worst = at["flk_bid_worst"][i]
            ok = worst > 0 and worst <= t["price"]
        if ok:
            cover[(v, s)].append("b8")
            flickered.append(f"{v} {s} {px(worst)}")
    if flickered and len(flickered) == len(through):
        out.append(_clause("b8", "pass", "within the prior second: " + ", ".join(flickered)))
    elif flickered:
        out.append(_clause("b8", "partial", "within the prior second only: " + ", ".join(flickered)))
    else:
        out.append(
            _clause(
                "b8",
                "fail",
                "no traded-through venue showed a price equal or inferior within the prior second",
            )
        )

    out.append(_stopped(t, ev, nbb, nbo, params))
    out.append(_by_evidence("d_qct", "qct", "qct", "qct" in meanings, t, ev))
    out.append(
        _by_evidence(
            "d_error_correction",
            "error_correction",
            "error_correction",
            "error_correction" in meanings,
            t,
            ev,
        )
    )
    out.append(
        _by_evidence(
            "d_print_protection",
            "print_protection",
            "print_protection",
            "print_protection" in meanings,
            t,
            ev,
        )
    )
    return out, {k: sorted(set(v)) for k, v in cover.items()}


def _decide(clauses: list[dict[str, Any]], cover: dict[tuple[str, str], list[str]]) -> tuple[str, str | None]:
    result = {c["clause"]: c["result"] for c in clauses}
    for cid in TRADE_LEVEL:
        if result[cid] == "pass":
            return "exempt", cid
    if cover and all(cover.values()):
        for cid in ("b1", "b8"):
            if result[cid] == "pass":
                return "exempt", cid
        return "exempt", "b1+b8"  # each venue saved by one of the two, neither clause alone
    if result["b6"] == "claimed":
        return "exempt_claimed", "b6"
    return "violation", None


# --------------------------------------------------------------------------- timeline for evidence


class VenueTimeline:
    """Each venue's protected quote changes, for the flicker-window points shown in evidence.

    Same semantics as `reference.venue_points` (state at the window start, then each change after
    a distinct ts), with numpy look-ups so evidence costs microseconds per alert.
    """

    def __init__(self, prepared: pl.DataFrame, params: KernelParams) -> None:
        lot = params.round_lot
        ix = prepared["venue_ix"].to_numpy()
        ts = prepared["ts"].to_numpy()
        firm = prepared["firm"].to_numpy()
        bid, ask = prepared["bid_px"].to_numpy(), prepared["ask_px"].to_numpy()
        bsz, asz = prepared["bid_size"].to_numpy(), prepared["ask_size"].to_numpy()
        pb = np.where(((firm & 1) != 0) & (bid > 0) & (bsz >= lot), bid, 0)
        pa = np.where(((firm & 2) != 0) & (ask > 0) & (asz >= lot), ask, 0)
        self._venues: dict[str, tuple[np.ndarray, ...]] = {}
        for i, v in enumerate(params.protected_venues):
            rows = np.flatnonzero(ix == i)
            vts = ts[rows]
            last = np.ones(rows.shape[0], bool)
            last[:-1] = vts[1:] != vts[:-1]
            keep = rows[last]
            sb = np.where(pb[keep] > 0, bsz[keep], 0)
            sa = np.where(pa[keep] > 0, asz[keep], 0)
            self._venues[v] = (ts[keep], pb[keep], pa[keep], sb, sa)

    def size_at(self, venue: str, side: str, t: int) -> int | None:
        """Displayed size of the venue's protected bid/offer at t (None if it has none)."""
        ts, _, _, sb, sa = self._venues[venue]
        i = int(np.searchsorted(ts, t, side="right")) - 1
        size = int((sb if side == "bid" else sa)[i]) if i >= 0 else 0
        return size or None

    def points(self, venue: str, start: int, end: int) -> list[dict[str, int]]:
        ts, pb, pa, _, _ = self._venues[venue]
        i0 = int(np.searchsorted(ts, start, side="right")) - 1
        i1 = int(np.searchsorted(ts, end, side="right"))
        first = (int(pb[i0]), int(pa[i0])) if i0 >= 0 else (0, 0)
        out = [{"ts": int(start), "bid": first[0], "ask": first[1]}]
        for k in range(i0 + 1, i1):
            b, a = int(pb[k]), int(pa[k])
            if (b, a) != (out[-1]["bid"], out[-1]["ask"]):
                out.append({"ts": int(ts[k]), "bid": b, "ask": a})
        return out


# --------------------------------------------------------------------------- the check


def _mask_lists(masks: np.ndarray, venues: tuple[str, ...]) -> pl.Series:
    uniq, inverse = np.unique(masks, return_inverse=True)
    table = pl.Series(
        [[v for i, v in enumerate(venues) if (int(u) >> i) & 1] for u in uniq], dtype=pl.List(pl.Utf8)
    )
    return table.gather(pl.Series(inverse.reshape(-1).astype(np.int64)))


LADDER_COLUMNS = ("venue", *VENUE_FIELDS)


_GAPS = tuple(i + 1 for i, name in enumerate(VENUE_FIELDS) if name.endswith("_gap"))


def _ladder(venues: tuple[str, ...], values: list[list[int]]) -> dict[str, Any]:
    """Every venue's kernel values for the trade as a table; a price of 0 becomes null (no quote).

    `values` is (venues × VENUE_FIELDS). Gap columns are bit sets (1 = some instant of the window
    had no protected bid, 2 = no protected offer).
    """
    rows = []
    for v, raw in zip(venues, values, strict=True):
        row = [v, *[x or None for x in raw]]
        for i in _GAPS:
            row[i] = raw[i - 1]
        rows.append(row)
    return {"columns": list(LADDER_COLUMNS), "rows": rows}


def expand_ladder(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored ladder table as one dict per venue, windows nested (the evidence shape).

    [{venue, bid, ask, bid_lo, ask_lo, bid_hi, ask_hi, raw_bid, raw_ask,
      flicker: {bid_best, bid_worst, ask_best, ask_worst, no_bid_at_some_instant, no_ask_at_some_instant},
      clock: {... the same over ± tolerance}}]; prices in micro-dollars, null = no protected quote.
    """
    out = []
    for raw in table["rows"]:
        row = dict(zip(table["columns"], raw, strict=True))
        venue: dict[str, Any] = {
            k: row[k] for k in ("venue", "bid", "ask", "bid_lo", "ask_lo", "bid_hi", "ask_hi")
        }
        venue.update(raw_bid=row["raw_bid"], raw_ask=row["raw_ask"])
        for prefix, key in (("flk", "flicker"), ("tol", "clock")):
            gap = row[f"{prefix}_gap"]
            venue[key] = {
                "bid_best": row[f"{prefix}_bid_best"],
                "bid_worst": row[f"{prefix}_bid_worst"],
                "ask_best": row[f"{prefix}_ask_best"],
                "ask_worst": row[f"{prefix}_ask_worst"],
                "no_bid_at_some_instant": bool(gap & 1),
                "no_ask_at_some_instant": bool(gap & 2),
            }
        out.append(venue)
    return out


def _clock(
    venues: tuple[str, ...], at: dict[str, Any], price: int, through: list[tuple[str, str, int]], tol: int
) -> dict[str, Any]:
    gap = at["nbbo_gap_tol"]
    nbo_w, nbb_w = at["nbo_worst_tol"], at["nbb_worst_tol"]
    offer = nbo_w > 0 and not gap & 2 and nbo_w < price
    bid = nbb_w > 0 and not gap & 1 and nbb_w > price
    per_venue = []
    for v, s, _ in through:
        i = venues.index(v)
        if s == "offer":
            w, g = at["tol_ask_worst"][i], at["tol_gap"][i] & 2
            ok = w > 0 and not g and w < price
        else:
            w, g = at["tol_bid_worst"][i], at["tol_gap"][i] & 1
            ok = w > 0 and not g and w > price
        per_venue.append({"venue": v, "side": s, "through_at_every_instant": ok})
    cls = "robust" if offer or bid else "ordering_dependent"
    if cls == "robust":
        reason = (
            f"through the NBO at every instant within ±{tol} ns (highest NBO {px(nbo_w)})"
            if offer
            else f"through the NBB at every instant within ±{tol} ns (lowest NBB {px(nbb_w)})"
        )
    else:
        reason = f"some ordering of clocks within ±{tol} ns shows no trade-through"
    return {
        "class": cls,
        "tolerance_ns": tol,
        "nbo_worst": nbo_w or None,
        "nbb_worst": nbb_w or None,
        "no_nbb_at_some_instant": bool(gap & 1),
        "no_nbo_at_some_instant": bool(gap & 2),
        "reason": reason,
        "venues": per_venue,
    }


def check_trades(
    trades: pl.DataFrame,
    snap: Snapshot,
    evidence: EvidenceIndex,
    params: KernelParams,
    timeline: VenueTimeline | None = None,
) -> pl.DataFrame:
    """Classify every trade (see module docstring); one output row per trade, in input order.

    `trades` is the prepared frame (`prepare_trades`), `snap` the kernel output for it in the same
    order, `evidence` from `prepare_evidence`. Columns: RESULT_SCHEMA; `detail` is canonical JSON
    for candidates and noted trades (null otherwise).
    """
    m = trades.height
    price = trades["price"].to_numpy()
    ts = trades["ts"].to_numpy()
    bid, ask = snap.venue["bid"], snap.venue["ask"]
    nbb, nbo = snap.trade["nbb"], snap.trade["nbo"]
    thr_offer = (ask > 0) & (ask < price[:, None])
    thr_bid = (bid > 0) & (bid > price[:, None])
    weights = np.left_shift(np.int64(1), np.arange(len(snap.venues), dtype=np.int64))
    thr_mask = (thr_offer | thr_bid).astype(np.int64) @ weights if m else np.zeros(0, np.int64)
    status = np.full(m, "compliant", dtype=object)
    status[(nbb == 0) & (nbo == 0)] = "no_protected_quote"
    in_hours = np.ones(m, bool)
    if params.regular_hours_ns is not None:
        start, end = params.regular_hours_ns
        in_hours = (ts >= start) & (ts < end)
        status[~in_hours] = "outside_hours"
    cand = in_hours & (thr_mask != 0)
    side = np.where(thr_offer.any(1) & thr_bid.any(1), "both", np.where(thr_offer.any(1), "offer", "bid"))
    odd = (
        (
            ((snap.venue["raw_ask"] > 0) & (snap.venue["raw_ask"] < price[:, None]))
            | (snap.venue["raw_bid"] > price[:, None])
        ).any(1)
        & in_hours
        & ~cand
    )

    exempt_clause = np.full(m, None, dtype=object)
    clock_class = np.full(m, None, dtype=object)
    note = np.full(m, None, dtype=object)
    detail = np.full(m, None, dtype=object)
    cand_ix = np.flatnonzero(cand)
    rows = trades.filter(pl.Series(cand)).to_dicts() if cand_ix.size else []
    # Gather the candidates' kernel values once as Python ints: per-candidate work is then plain dicts.
    gathered = {name: snap.venue[name][cand_ix].tolist() for name in VENUE_FIELDS}
    gathered.update({name: snap.trade[name][cand_ix].tolist() for name in TRADE_FIELDS})
    venues = snap.venues
    table = np.stack([snap.venue[name][cand_ix] for name in VENUE_FIELDS], axis=2) if cand_ix.size else None
    for k, (j, t) in enumerate(zip(cand_ix.tolist(), rows, strict=True)):
        at = {name: values[k] for name, values in gathered.items()}
        p = t["price"]
        through = [(v, "offer", a) for v, a in zip(venues, at["ask"], strict=True) if 0 < a < p]
        through += [(v, "bid", b) for v, b in zip(venues, at["bid"], strict=True) if b > p]
        clauses, cover = evaluate_clauses(t, through, venues, at, evidence, params)
        status[j], exempt_clause[j] = _decide(clauses, cover)
        clock = _clock(venues, at, p, through, params.tolerance_ns)
        clock_class[j] = clock["class"]
        body: dict[str, Any] = {
            "trade": {c: t[c] for c in TRADE_COLUMNS},
            "through": [
                {
                    "venue": v,
                    "side": s,
                    "price": q,
                    "size": timeline.size_at(v, s, t["ts"]) if timeline else None,
                }
                for v, s, q in through
            ],
            "nbbo": {"nbb": at["nbb"] or None, "nbo": at["nbo"] or None},
            "clauses": clauses,
            "coverage": [{"venue": v, "side": s, "clauses": c} for (v, s), c in sorted(cover.items())],
            "clock": clock,
            "ladder": _ladder(venues, table[k].tolist()) if table is not None else None,
            "params": {
                "round_lot": params.round_lot,
                "flicker_ns": params.flicker_ns,
                "tolerance_ns": params.tolerance_ns,
                "rule_version": params.rule_version,
            },
        }
        if timeline is not None:
            start = t["ts"] - params.flicker_ns
            body["flicker_window"] = {
                "start": start,
                "end": t["ts"],
                "points": {v: timeline.points(v, start, t["ts"]) for v in sorted({v for v, _, _ in through})},
            }
        detail[j] = dumps(body)
    for j in np.flatnonzero(odd).tolist():
        note[j] = "odd_lot_only_better"
        p = int(price[j])
        shown = [
            {
                "venue": v,
                "raw_bid": _none(snap.venue["raw_bid"][j, i]),
                "raw_ask": _none(snap.venue["raw_ask"][j, i]),
            }
            for i, v in enumerate(snap.venues)
            if 0 < snap.venue["raw_ask"][j, i] < p or snap.venue["raw_bid"][j, i] > p
        ]
        detail[j] = dumps(
            {
                "odd_lot_better": shown,
                "round_lot": params.round_lot,
                "nbbo": {"nbb": _none(nbb[j]), "nbo": _none(nbo[j])},
            }
        )

    crossed = (nbb > 0) & (nbo > 0) & (nbb > nbo)
    locked = (nbb > 0) & (nbo > 0) & (nbb == nbo)
    return pl.DataFrame(
        {
            "trade_id": trades["trade_id"],
            "ts": trades["ts"],
            "side": trades["side"],
            "price": trades["price"],
            "quantity": trades["quantity"],
            "order_id": trades["order_id"],
            "desk": trades["desk"],
            "status": pl.Series(status.tolist(), dtype=pl.Utf8),
            "exempt_clause": pl.Series(exempt_clause.tolist(), dtype=pl.Utf8),
            "clock_class": pl.Series(clock_class.tolist(), dtype=pl.Utf8),
            "nbb": pl.Series(nbb).replace(0, None),
            "nbo": pl.Series(nbo).replace(0, None),
            "nbb_venues": _mask_lists(snap.trade["nbb_mask"], snap.venues),
            "nbo_venues": _mask_lists(snap.trade["nbo_mask"], snap.venues),
            "crossed": crossed,
            "locked": locked,
            "through_side": pl.Series(
                [str(x) if c else None for c, x in zip(cand, side, strict=True)], dtype=pl.Utf8
            ),
            "through_venues": _mask_lists(np.where(cand, thr_mask, 0), snap.venues),
            "round_lot": pl.Series([params.round_lot] * m, dtype=pl.Int64),
            "rule_version": pl.Series([params.rule_version] * m, dtype=pl.Utf8),
            "note": pl.Series(note.tolist(), dtype=pl.Utf8),
            "detail": pl.Series(detail.tolist(), dtype=pl.Utf8),
        },
        schema=RESULT_SCHEMA,
    )


def check_partition(
    quotes: pl.DataFrame,
    trades: pl.DataFrame,
    evidence: pl.DataFrame | None,
    params: KernelParams,
    symbol: str | None = None,
) -> pl.DataFrame:
    """Kernel plus check for one symbol-day from the contract frames; pure."""
    q = prepare_quotes(quotes, params)
    t = prepare_trades(trades)
    snap = snapshot_arrays(
        q["ts"].to_numpy(),
        q["venue_ix"].to_numpy(),
        q["bid_px"].to_numpy(),
        q["bid_size"].to_numpy(),
        q["ask_px"].to_numpy(),
        q["ask_size"].to_numpy(),
        q["firm"].to_numpy(),
        np.array([0, q.height]),
        t["ts"].to_numpy(),
        np.array([0, t.height]),
        np.array([params.round_lot]),
        np.array([params.flicker_ns]),
        np.array([params.tolerance_ns]),
        params.protected_venues,
    )
    return check_trades(t, snap, prepare_evidence(evidence, symbol), params, VenueTimeline(q, params))


def violation_evidence(row: dict[str, Any]) -> dict[str, Any]:
    """Deterministic, JSON-serialisable evidence for one result row (as from `frame.to_dicts()`).

    Everything comes from the row itself (its `detail` JSON and flat fields), so an alert built
    from stored inputs regenerates byte-identically.
    """
    if row.get("detail") is None:
        raise ValueError(
            f"trade {row.get('trade_id')!r} has no evidence detail (status {row.get('status')!r})"
        )
    body = json.loads(row["detail"])
    if isinstance(body.get("ladder"), dict):
        body["ladder"] = expand_ladder(body["ladder"])
    body["result"] = {
        "status": row["status"],
        "exempt_clause": row["exempt_clause"],
        "clock_class": row["clock_class"],
        "through_venues": list(row["through_venues"] or []),
        "through_side": row["through_side"],
        "crossed": row["crossed"],
        "locked": row["locked"],
    }
    for key in ("symbol", "date"):
        if key in row:
            body[key] = str(row[key])
    evidence: dict[str, Any] = json.loads(dumps(body))  # through canonical JSON: plain JSON values only
    return evidence
