"""The Rule 611 kernel: every venue's protected quote at, around and before each trade, in one pass.

Why one pass: a symbol-day has tens of thousands of quote updates and the check needs, for each
trade, the state of every venue at several instants. Quotes are sorted once by (ts, seq); trades
are visited in time order while one monotone cursor replays the quotes up to
t − max(flicker, tolerance), and a short forward scan from there to t + tolerance yields every
instant the trade needs. The work is linear in quotes plus the quotes inside each trade's windows.

Data contract (the importers produce these frames; prices are exact integers)
------------------------------------------------------------------------------
Prices are Int64 micro-dollars (price × 1,000,000) so comparisons are exact; times are Int64
nanoseconds since the Unix epoch, UTC.

quotes (one symbol-day): ts Int64, seq Int64 (tie-breaker: feed sequence, file order where none is
given), venue Utf8 (TAQ participant letter), bid_px Int64, bid_size Int64 (shares), ask_px Int64,
ask_size Int64, condition Utf8 (SIP quote condition).

trades (one symbol-day): ts Int64 (execution time) plus whatever the check reads (see
`tradethrough`); the kernel only reads ts.

Protected quotation (Rule 600(b)): each quote row replaces its venue's whole top of book.
- A venue not in `params.protected_venues` (not an automated trading center) is ignored.
- A side whose price is null or 0 has no quote ("no bid"/"no offer"); a price whose size is below
  `params.round_lot` is not protected, and the venue has no protected quote on that side until a
  later row gives one.
- The row's condition decides firmness (see `params`): a non-firm/manual/closed condition
  neutralises the venue's quote on that side (it stops being protected until a later firm row).
State "at" instant s is the state after applying, in (ts, seq) order, every row with ts <= s; so a
quote stamped exactly at the trade's ts IS seen at the trade, and intermediate states between rows
sharing one ts are never observable (only the state after the whole same-ts group is).
A window [a, b] observes the instants s in [a, b]: the state at a, then the state after each
distinct quote ts in (a, b].

Output (`Snapshot`): per trade × venue (arrays of shape (n_trades, n_venues), venue order =
`params.protected_venues`, trade order = the trades frame's row order), 0 = no protected quote:
  bid, ask           protected bid/offer at the execution time t
  bid_lo, ask_lo     at t − tolerance;   bid_hi, ask_hi  at t + tolerance
  raw_bid, raw_ask   the firm displayed price at t whatever its size (odd lots included), so a
                     "better price that was only an odd lot" can be shown, never counted
  flk_*              over the flicker window [t − flicker, t]: bid_best (max), bid_worst (min),
                     ask_best (min), ask_worst (max) over instants with a protected quote (0 if
                     none at all); flk_gap bit 1 = some instant had no protected bid, bit 2 = no ask
  tol_*              the same over the clock window [t − tolerance, t + tolerance]
and per trade (shape (n_trades,)): nbb, nbo (best protected bid/offer across venues at t; 0 =
none), nbb_mask, nbo_mask (bit i set = venue i is at the best), nbb_worst_tol (lowest NBB over the
clock window's instants that had one), nbo_worst_tol (highest NBO), nbbo_gap_tol (bit 1 = some
instant had no NBB, bit 2 = no NBO).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl
from polars.datatypes import DataType, DataTypeClass

from proctor.core.errors import InputError
from proctor.trading.jit import compiled
from proctor.trading.params import KernelParams

ColumnTypes: TypeAlias = dict[str, DataType | DataTypeClass]
"""A frame contract: column name -> Polars dtype (a dtype class such as pl.Int64, or an instance)."""
I64: TypeAlias = npt.NDArray[np.int64]

VENUE_FIELDS = (
    "bid",
    "ask",
    "bid_lo",
    "ask_lo",
    "bid_hi",
    "ask_hi",
    "raw_bid",
    "raw_ask",
    "flk_bid_best",
    "flk_bid_worst",
    "flk_ask_best",
    "flk_ask_worst",
    "flk_gap",
    "tol_bid_best",
    "tol_bid_worst",
    "tol_ask_best",
    "tol_ask_worst",
    "tol_gap",
)
TRADE_FIELDS = ("nbb", "nbo", "nbb_mask", "nbo_mask", "nbb_worst_tol", "nbo_worst_tol", "nbbo_gap_tol")
_FLK = VENUE_FIELDS.index("flk_bid_best")
_TOL = VENUE_FIELDS.index("tol_bid_best")

QUOTE_COLUMNS: ColumnTypes = {
    "ts": pl.Int64,
    "seq": pl.Int64,
    "venue": pl.Utf8,
    "bid_px": pl.Int64,
    "bid_size": pl.Int64,
    "ask_px": pl.Int64,
    "ask_size": pl.Int64,
    "condition": pl.Utf8,
}

# Per-row firmness bits handed to the kernel.
BID_FIRM = 1
ASK_FIRM = 2


@dataclass(frozen=True)
class Snapshot:
    """Kernel output for one or more trades: `venue[name]` is (n, V), `trade[name]` is (n,)."""

    venues: tuple[str, ...]
    venue: dict[str, np.ndarray]
    trade: dict[str, np.ndarray]

    def __len__(self) -> int:
        return int(self.trade["nbb"].shape[0])

    def venue_frame(self, trade_ids: list[str] | None = None) -> pl.DataFrame:
        """Long form, one row per trade × venue, for inspection and evidence."""
        n, nv = len(self), len(self.venues)
        cols: dict[str, object] = {
            "trade": np.repeat(np.arange(n, dtype=np.int64), nv),
            "venue": np.tile(np.array(self.venues, dtype=object), n),
        }
        if trade_ids is not None:
            cols["trade_id"] = np.repeat(np.array(trade_ids, dtype=object), nv)
        for name in VENUE_FIELDS:
            cols[name] = self.venue[name].reshape(-1)
        return pl.DataFrame(cols)

    def trade_frame(self) -> pl.DataFrame:
        return pl.DataFrame({name: self.trade[name] for name in TRADE_FIELDS})


# --------------------------------------------------------------------------- compiled part
#
# One base cursor per segment holds the state at a = t − max(flicker, tolerance); from there one
# forward scan over the same-ts groups in (a, t + tolerance] yields, in order, the state at
# t − flicker (flicker window opens), at t − tolerance (clock window opens), at t, and at
# t + tolerance, updating the two windows' statistics after each group it applies.


@compiled(cache=True, nogil=True, inline="always")
def _open(wb: I64, wa: I64, grid: I64, j: int, f0: int, nv: int) -> None:
    for v in range(nv):
        b = wb[v]
        a = wa[v]
        grid[j, f0, v] = b
        grid[j, f0 + 1, v] = b
        grid[j, f0 + 2, v] = a
        grid[j, f0 + 3, v] = a
        grid[j, f0 + 4, v] = (1 if b == 0 else 0) | (2 if a == 0 else 0)


@compiled(cache=True, nogil=True, inline="always")
def _touch(
    wb: I64, wa: I64, grid: I64, j: int, f0: int, q_ven: npt.NDArray[np.int32], i0: int, i1: int
) -> None:
    for i in range(i0, i1):
        v = q_ven[i]
        if v < 0:
            continue
        b = wb[v]
        a = wa[v]
        if b > 0:
            if grid[j, f0, v] == 0 or b > grid[j, f0, v]:
                grid[j, f0, v] = b
            if grid[j, f0 + 1, v] == 0 or b < grid[j, f0 + 1, v]:
                grid[j, f0 + 1, v] = b
        else:
            grid[j, f0 + 4, v] |= 1
        if a > 0:
            if grid[j, f0 + 2, v] == 0 or a < grid[j, f0 + 2, v]:
                grid[j, f0 + 2, v] = a
            if grid[j, f0 + 3, v] == 0 or a > grid[j, f0 + 3, v]:
                grid[j, f0 + 3, v] = a
        else:
            grid[j, f0 + 4, v] |= 2


@compiled(cache=True, nogil=True, inline="always")
def _best(wb: I64, wa: I64, nv: int) -> tuple[np.int64, np.int64]:
    nbb = np.int64(0)
    nbo = np.int64(0)
    for v in range(nv):
        if wb[v] > nbb:
            nbb = wb[v]
        if wa[v] > 0 and (nbo == 0 or wa[v] < nbo):
            nbo = wa[v]
    return nbb, nbo


@compiled(cache=True, nogil=True, inline="always")
def _apply(
    st: I64, v: int, i: int, q_bid: I64, q_bsz: I64, q_ask: I64, q_asz: I64, q_side: npt.NDArray[np.uint8],
    lot: int,
) -> None:  # fmt: skip
    """Row i replaces venue v's top of book: protected (round lot) and displayed (any size) prices."""
    side = q_side[i]
    b = q_bid[i] if (side & 1) != 0 and q_bid[i] > 0 else 0
    a = q_ask[i] if (side & 2) != 0 and q_ask[i] > 0 else 0
    bs = q_bsz[i]
    az = q_asz[i]
    st[0, v] = b if bs >= lot else 0
    st[1, v] = a if az >= lot else 0
    st[2, v] = b if bs > 0 else 0
    st[3, v] = a if az > 0 else 0


@compiled(cache=True, nogil=True)
def _kernel(
    q_ts: I64, q_ven: npt.NDArray[np.int32], q_bid: I64, q_bsz: I64, q_ask: I64, q_asz: I64,
    q_side: npt.NDArray[np.uint8], q_off: I64, t_ts: I64, t_order: I64, t_off: I64, lots: I64, flks: I64,
    tols: I64, nv: int, grid: I64, g: I64,
) -> int:  # fmt: skip
    """Fill grid (trades, VENUE_FIELDS, venues) and g (trades, TRADE_FIELDS); −1 or the unsorted segment."""
    cur = np.zeros((4, nv), np.int64)  # base cursor: protected bid, ask; raw bid, ask
    w = np.zeros((4, nv), np.int64)  # scan state
    for s in range(q_off.shape[0] - 1):
        for i in range(q_off[s] + 1, q_off[s + 1]):
            if q_ts[i] < q_ts[i - 1]:
                return s
    for s in range(q_off.shape[0] - 1):
        q0 = q_off[s]
        q1 = q_off[s + 1]
        flk = flks[s]
        tol = tols[s]
        lot = lots[s]
        back = flk if flk > tol else tol
        cur[:, :] = 0
        c = q0
        for k in range(t_off[s], t_off[s + 1]):
            j = t_order[k]
            t = t_ts[j]
            base = t - back
            while c < q1 and q_ts[c] <= base:
                v = q_ven[c]
                if v >= 0:
                    _apply(cur, v, c, q_bid, q_bsz, q_ask, q_asz, q_side, lot)
                c += 1
            w[:, :] = cur
            wb = w[0]
            wa = w[1]
            fs = t - flk
            lo = t - tol
            hi = t + tol
            flk_on = False
            tol_on = False
            at_done = False
            nbb_w = np.int64(0)
            nbo_w = np.int64(0)
            ngap = 0
            i = c
            while True:
                more = i < q1 and q_ts[i] <= hi
                tg = q_ts[i] if more else hi + 1
                if not flk_on and tg > fs:
                    _open(wb, wa, grid, j, 8, nv)
                    flk_on = True
                if not tol_on and tg > lo:
                    _open(wb, wa, grid, j, 13, nv)
                    for v in range(nv):
                        grid[j, 2, v] = wb[v]
                        grid[j, 3, v] = wa[v]
                    nbb_w, nbo_w = _best(wb, wa, nv)
                    ngap = (1 if nbb_w == 0 else 0) | (2 if nbo_w == 0 else 0)
                    tol_on = True
                if not at_done and tg > t:
                    nbb = np.int64(0)
                    nbo = np.int64(0)
                    bm = np.int64(0)
                    am = np.int64(0)
                    for v in range(nv):
                        b = wb[v]
                        a = wa[v]
                        grid[j, 0, v] = b
                        grid[j, 1, v] = a
                        grid[j, 6, v] = w[2, v]
                        grid[j, 7, v] = w[3, v]
                        if b > 0:
                            if b > nbb:
                                nbb = b
                                bm = np.int64(0)
                            if b == nbb:
                                bm |= np.int64(1) << v
                        if a > 0:
                            if nbo == 0 or a < nbo:
                                nbo = a
                                am = np.int64(0)
                            if a == nbo:
                                am |= np.int64(1) << v
                    g[j, 0] = nbb
                    g[j, 1] = nbo
                    g[j, 2] = bm
                    g[j, 3] = am
                    at_done = True
                if not more:
                    break
                i0 = i
                while i < q1 and q_ts[i] == tg:
                    v = q_ven[i]
                    if v >= 0:
                        _apply(w, v, i, q_bid, q_bsz, q_ask, q_asz, q_side, lot)
                    i += 1
                if flk_on and tg <= t:
                    _touch(wb, wa, grid, j, 8, q_ven, i0, i)
                if tol_on:
                    _touch(wb, wa, grid, j, 13, q_ven, i0, i)
                    nbb, nbo = _best(wb, wa, nv)
                    if nbb > 0:
                        if nbb_w == 0 or nbb < nbb_w:
                            nbb_w = nbb
                    else:
                        ngap |= 1
                    if nbo > 0:
                        if nbo_w == 0 or nbo > nbo_w:
                            nbo_w = nbo
                    else:
                        ngap |= 2
            for v in range(nv):
                grid[j, 4, v] = wb[v]
                grid[j, 5, v] = wa[v]
            g[j, 4] = nbb_w
            g[j, 5] = nbo_w
            g[j, 6] = ngap
    return -1


# --------------------------------------------------------------------------- array entry point


def snapshot_arrays(
    q_ts: np.ndarray,
    q_venue: np.ndarray,
    q_bid: np.ndarray,
    q_bid_size: np.ndarray,
    q_ask: np.ndarray,
    q_ask_size: np.ndarray,
    q_firm: np.ndarray,
    q_offsets: np.ndarray,
    t_ts: np.ndarray,
    t_offsets: np.ndarray,
    round_lots: np.ndarray,
    flicker_ns: np.ndarray,
    tolerance_ns: np.ndarray,
    venues: tuple[str, ...],
    out: tuple[np.ndarray, np.ndarray] | None = None,
) -> Snapshot:
    """Run the kernel over S segments (symbol-days) laid end to end.

    Segment s owns quotes q_offsets[s]:q_offsets[s+1] (sorted by (ts, seq); q_venue is the index
    into `venues`, −1 = not protected; q_firm has bit 1 = bid firm, bit 2 = ask firm under the
    row's condition) and trades t_offsets[s]:t_offsets[s+1] (any order). Output rows follow the
    trades' input order. `out` = (grid, g) buffers from an earlier call may be reused (the
    Snapshot then views them: consume it before the next call).
    """
    q_ts = np.ascontiguousarray(q_ts, dtype=np.int64)
    t_ts = np.ascontiguousarray(t_ts, dtype=np.int64)
    q_offsets = np.ascontiguousarray(q_offsets, dtype=np.int64)
    t_offsets = np.ascontiguousarray(t_offsets, dtype=np.int64)
    nseg = q_offsets.shape[0] - 1
    if t_offsets.shape[0] - 1 != nseg or round_lots.shape[0] != nseg:
        raise ValueError("quote offsets, trade offsets and per-segment parameters disagree on segments")
    seg_of_trade = np.repeat(np.arange(nseg, dtype=np.int64), np.diff(t_offsets))
    order = np.lexsort((t_ts, seg_of_trade)).astype(np.int64)
    nv = len(venues)
    m = t_ts.shape[0]
    if (
        out is not None
        and out[0].shape[0] >= m
        and out[0].shape[1:] == (len(VENUE_FIELDS), nv)
        and out[1].shape[0] >= m
    ):
        grid, g = out[0][:m], out[1][:m]
    else:  # every cell is written, so no zeroing
        grid = np.empty((m, len(VENUE_FIELDS), nv), np.int64)
        g = np.empty((m, len(TRADE_FIELDS)), np.int64)
    unsorted = _kernel(
        q_ts,
        np.ascontiguousarray(q_venue, dtype=np.int32),
        np.ascontiguousarray(q_bid, dtype=np.int64),
        np.ascontiguousarray(q_bid_size, dtype=np.int64),
        np.ascontiguousarray(q_ask, dtype=np.int64),
        np.ascontiguousarray(q_ask_size, dtype=np.int64),
        np.ascontiguousarray(q_firm, dtype=np.uint8),
        q_offsets,
        t_ts,
        order,
        t_offsets,
        np.ascontiguousarray(round_lots, dtype=np.int64),
        np.ascontiguousarray(flicker_ns, dtype=np.int64),
        np.ascontiguousarray(tolerance_ns, dtype=np.int64),
        nv,
        grid,
        g,
    )
    if unsorted >= 0:
        raise ValueError(f"segment {unsorted}: quotes are not sorted by ts")
    return Snapshot(
        venues=tuple(venues),
        venue={name: grid[:, i, :] for i, name in enumerate(VENUE_FIELDS)},
        trade={name: g[:, i] for i, name in enumerate(TRADE_FIELDS)},
    )


# --------------------------------------------------------------------------- frame entry point


def prepare_quotes(quotes: pl.DataFrame, params: KernelParams) -> pl.DataFrame:
    """Validate the quotes contract and return kernel columns sorted by (ts, seq).

    Nulls that the contract cannot read are errors naming the row (frame order) and field, never
    silently zeroed: a null ts/seq/venue/condition, a negative price or size, a positive price
    with a null size. A null price is "no quote on that side" (as is 0), per the contract.
    """
    missing = [c for c in QUOTE_COLUMNS if c not in quotes.columns]
    if missing:
        raise InputError(f"missing columns {missing}", file="quotes")
    q = quotes.select([pl.col(c).cast(t, strict=True) for c, t in QUOTE_COLUMNS.items()]).with_row_index(
        "_row"
    )
    for name in ("ts", "seq", "venue", "condition"):
        _reject(q, pl.col(name).is_null(), name, "is null")
    for side in ("bid", "ask"):
        px, sz = pl.col(f"{side}_px"), pl.col(f"{side}_size")
        _reject(q, px < 0, f"{side}_px", "is negative")
        _reject(q, sz < 0, f"{side}_size", "is negative")
        _reject(q, (px > 0) & sz.is_null(), f"{side}_size", "is null while a price is shown")
    index = {v: i for i, v in enumerate(params.protected_venues)}
    cond = pl.col("condition")
    firm = (
        pl.when(cond.is_in(list(params.firm_quote_conditions)))
        .then(BID_FIRM | ASK_FIRM)
        .when(cond.is_in(list(params.bid_only_firm_conditions)))
        .then(BID_FIRM)
        .when(cond.is_in(list(params.ask_only_firm_conditions)))
        .then(ASK_FIRM)
        .otherwise(0)
        .cast(pl.UInt8)
    )
    return q.sort(["ts", "seq"], maintain_order=True).select(
        "_row",
        "ts",
        "seq",
        "venue",
        pl.col("venue").replace_strict(index, default=-1, return_dtype=pl.Int32).alias("venue_ix"),
        pl.col("bid_px").fill_null(0),
        pl.col("bid_size").fill_null(0),
        pl.col("ask_px").fill_null(0),
        pl.col("ask_size").fill_null(0),
        firm.alias("firm"),
    )


def _reject(frame: pl.DataFrame, bad: pl.Expr, field: str, what: str, file: str = "quotes") -> None:
    hit = frame.filter(bad)
    if hit.height:
        row = int(hit["_row"][0])
        raise InputError(f"{what} ({hit.height} rows)", file=file, row=row, field=field)


def trade_times(trades: pl.DataFrame) -> np.ndarray:
    """Execution times of the trades frame, validated (a null ts cannot be placed in time)."""
    if "ts" not in trades.columns:
        raise InputError("missing column ts", file="trades")
    ts = trades.select(pl.col("ts").cast(pl.Int64, strict=True)).with_row_index("_row")
    _reject(ts, pl.col("ts").is_null(), "ts", "is null", file="trades")
    return ts["ts"].to_numpy()


def snapshot(quotes: pl.DataFrame, trades: pl.DataFrame, params: KernelParams) -> Snapshot:
    """Kernel for one symbol-day from the contract frames (see module docstring)."""
    q = prepare_quotes(quotes, params)
    t_ts = trade_times(trades)
    return snapshot_arrays(
        q["ts"].to_numpy(),
        q["venue_ix"].to_numpy(),
        q["bid_px"].to_numpy(),
        q["bid_size"].to_numpy(),
        q["ask_px"].to_numpy(),
        q["ask_size"].to_numpy(),
        q["firm"].to_numpy(),
        np.array([0, q.height], np.int64),
        t_ts,
        np.array([0, t_ts.shape[0]], np.int64),
        np.array([params.round_lot], np.int64),
        np.array([params.flicker_ns], np.int64),
        np.array([params.tolerance_ns], np.int64),
        params.protected_venues,
    )
