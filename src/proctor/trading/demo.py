"""The trading part of `proctor demo`: a small OTC desk on two days either side of 3 Nov 2025.

Friday 31 Oct 2025 (round lot 100 for every stock) and Monday 3 Nov 2025 (the MDI round-lot tiers:
MKTL, averaging over $250 in October, trades in round lots of 40). Six venues quote two symbols
all day. The manual desk trades through protected offers; the electronic desk trades normally; and
every lawful look-alike is there: a flicker, a crossed market, a benchmark (VWAP) trade, a stopped
customer order, self-help against a slow venue, and better prices shown only in odd lots. A third
symbol has trades and no quotes on the Monday: a HOLD, never a silent pass. The files are written
as a firm would deliver them and go through the same importers as any other input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from proctor.trading import store

NY = ZoneInfo("America/New_York")
DAY1, DAY2 = date(2025, 10, 31), date(2025, 11, 3)
VENUES = ("N", "P", "T", "Z", "K", "V")
MANUAL, ELECTRONIC = "OTC-MANUAL", "OTC-ELECTRONIC"
MANUAL_TRADER, ELECTRONIC_TRADER = "mike.manual", "erin.electronic"


@dataclass(frozen=True)
class Stock:
    symbol: str
    mid: int  # cents
    inner: tuple[int, int]  # N/P quote size, other venues' size


STOCKS = {"HBRX": Stock("HBRX", 4200, (500, 300)), "MKTL": Stock("MKTL", 61200, (200, 120))}


def _ts(day: date, seconds: float) -> str:
    """ISO-8601 with the New York offset of that day and nanoseconds, as a feed would write it."""
    whole = int(seconds)
    ns = round((seconds - whole) * 1e9)
    local = datetime.combine(day, time(9, 30), NY) + timedelta(seconds=whole)
    off = local.strftime("%z")
    return f"{local:%Y-%m-%dT%H:%M:%S}.{ns:09d}{off[:3]}:{off[3:]}"


def _c(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _normal(stock: Stock, venue: str) -> tuple[int, int, int, int]:
    inner = venue in ("N", "P")
    step = 1 if inner else 2
    size = stock.inner[0] if inner else stock.inner[1]
    return stock.mid - step, size, stock.mid + step, size


class DayBook:
    """Quotes, trades and evidence rows of one day, in the canonical layouts."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.quotes: list[tuple[float, str, str, int, int, int, int, str]] = []
        self.trades: list[dict[str, Any]] = []
        self.evidence: list[dict[str, Any]] = []
        self._n = 0

    def regular_quotes(self, stock: Stock) -> None:
        """Each venue updates every 30 s (staggered 3 s apart) from 09:30 to 16:00."""
        for k in range(780):
            for i, v in enumerate(VENUES):
                self.quotes.append((k * 30.0 + i * 3, stock.symbol, v, *_normal(stock, v), "R"))

    def quote(self, at: float, stock: Stock, venue: str, bid: int, bsz: int, ask: int, asz: int) -> None:
        self.quotes.append((at, stock.symbol, venue, bid, bsz, ask, asz, "R"))

    def restore(self, at: float, stock: Stock) -> None:
        for v in VENUES:
            self.quote(at, stock, v, *_normal(stock, v))

    def trade(self, at: float, stock: Stock, side: str, price: int, qty: int, desk: str, **extra: Any) -> str:
        self._n += 1
        trade_id = f"T{self.day:%m%d}-{self._n:03d}"
        manual = desk == MANUAL
        self.trades.append(
            {
                "trade_id": trade_id,
                "symbol": stock.symbol,
                "execution_time": _ts(self.day, at),
                "report_time": _ts(self.day, at + 2.5),
                "side": side,
                "price": _c(price),
                "quantity": qty,
                "modifiers": extra.get("modifiers", ""),
                "order_id": extra.get("order_id", f"O{self.day:%m%d}-{self._n:03d}"),
                "desk": desk,
                "trader": MANUAL_TRADER if manual else ELECTRONIC_TRADER,
                "capacity": extra.get("capacity", "principal"),
                "settlement": extra.get("settlement", "regular"),
            }
        )
        return trade_id


def _scenarios(book: DayBook, stock: Stock, *, lot40: bool) -> dict[str, str]:
    """Scenario times sit at ss = 20.5 of a minute: no regular update falls within 1.2 s before."""
    m = stock.mid
    out: dict[str, str] = {}
    for k in range(20):  # normal electronic trades at the NBBO, every ~19 minutes
        at = k * 1170.0 + 25.0
        buy = k % 2 == 0
        out.setdefault(
            "normal", book.trade(at, stock, "B" if buy else "S", m + 1 if buy else m - 1, 100, ELECTRONIC)
        )
    t = 3600 + 20.5  # 10:30:20.5 — the manual desk buys through every venue's offer
    out["through_robust"] = book.trade(t, stock, "B", m + 5, 500, MANUAL)
    t = 4200 + 20.5  # 10:40:20.5 — through N and P, which raise their offers 20 ms later
    book.quote(t + 0.02, stock, "N", m - 1, stock.inner[0], m + 3, stock.inner[0])
    book.quote(t + 0.02, stock, "P", m - 1, stock.inner[0], m + 3, stock.inner[0])
    book.restore(t + 0.5, stock)
    out["through_ordering_dependent"] = book.trade(t, stock, "B", m + 2, 300, MANUAL)
    t = 5400 + 20.5  # 11:00:20.5 — flicker: every offer was 4 cents up until 300 ms before
    for v in VENUES:
        bid, bsz, _, asz = _normal(stock, v)
        book.quote(t - 0.8, stock, v, bid, bsz, m + 4, asz)
    book.restore(t - 0.3, stock)
    out["flicker"] = book.trade(t, stock, "B", m + 3, 200, MANUAL)
    t = 7200 + 20.5  # 11:30:20.5 — crossed: Z bids above N's offer
    book.quote(t - 0.2, stock, "Z", m + 3, stock.inner[1], m + 4, stock.inner[1])
    book.restore(t + 0.5, stock)
    out["crossed"] = book.trade(t, stock, "B", m + 2, 100, MANUAL)
    t = 9000 + 20.5  # 12:00:20.5 — VWAP benchmark trade priced away from the quote
    order = f"VWAP-{book.day:%m%d}-{stock.symbol}"
    out["benchmark"] = book.trade(t, stock, "B", m + 10, 1000, MANUAL, modifiers="4", order_id=order)
    book.evidence.append(
        {
            "kind": "benchmark",
            "order_id": order,
            "venue": "",
            "symbol": stock.symbol,
            "start_time": _ts(book.day, 0),
            "end_time": _ts(book.day, 23400),
            "price": _c(m + 10),
            "detail": "Full-day VWAP agreed with the customer before the open",
        }
    )
    t = 10800 + 20.5  # 12:30:20.5 — a customer buy stopped at the mid, executed after the market rose
    for v in VENUES:
        inner = v in ("N", "P")
        size = stock.inner[0] if inner else stock.inner[1]
        book.quote(t - 1.5, stock, v, m + (5 if inner else 4), size, m + (7 if inner else 8), size)
    book.restore(t + 0.5, stock)
    order = f"STOP-{book.day:%m%d}-{stock.symbol}"
    out["stopped_order"] = book.trade(t, stock, "B", m, 300, MANUAL, order_id=order, capacity="agency")
    book.evidence.append(
        {
            "kind": "stopped_order",
            "order_id": order,
            "venue": "",
            "symbol": stock.symbol,
            "start_time": _ts(book.day, t - 600),
            "end_time": "",
            "price": _c(m),
            "detail": "Customer buy stopped at the mid at 12:20; NBO then above the stop price",
        }
    )
    t = 12600 + 20.5  # 13:00:20.5 — K shows a better offer but is not responding: self-help declared
    book.quote(t - 1.5, stock, "K", m - 2, stock.inner[1], m, stock.inner[1])
    book.restore(t + 0.5, stock)
    out["self_help"] = book.trade(t, stock, "B", m + 1, 200, ELECTRONIC)
    book.evidence.append(
        {
            "kind": "self_help",
            "order_id": "",
            "venue": "K",
            "symbol": "",
            "start_time": _ts(book.day, 12580),
            "end_time": _ts(book.day, 14400),
            "price": "",
            "detail": "K failed to respond to IOCs within one second from 12:59:40; self-help notice sent",
        }
    )
    t = 14400 + 20.5  # 13:30:20.5 — V shows a better offer in an odd lot only
    odd = 30 if lot40 else 50
    book.quote(t - 2, stock, "V", m - 1, stock.inner[1], m, odd)
    book.restore(t + 0.5, stock)
    out["odd_lot_only"] = book.trade(t, stock, "B", m + 1, 100, ELECTRONIC)
    if lot40:  # 14:00:20.5 — 50 shares IS a round lot of 40: the manual desk trades through it
        t = 16200 + 20.5
        book.quote(t - 2, stock, "V", m - 1, stock.inner[1], m, 50)
        book.restore(t + 0.5, stock)
        out["through_round_lot_40"] = book.trade(t, stock, "B", m + 1, 100, MANUAL)
    out["outside_hours"] = book.trade(23400 + 300, stock, "B", m + 6, 100, MANUAL)
    return out


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_day(folder: Path, day: date) -> tuple[dict[str, Path], dict[str, dict[str, str]]]:
    book = DayBook(day)
    scenarios: dict[str, dict[str, str]] = {}
    for stock in STOCKS.values():
        book.regular_quotes(stock)
        scenarios[stock.symbol] = _scenarios(book, stock, lot40=day >= DAY2 and stock.symbol == "MKTL")
    if day == DAY2:  # a third symbol the desk traded, with no quotes delivered for it
        ghost = Stock("QRTZ", 1850, (100, 100))
        scenarios["QRTZ"] = {"no_quotes": book.trade(3000.0, ghost, "S", 1849, 100, ELECTRONIC)}
    book.quotes.sort(key=lambda q: q[0])
    paths = {
        "quotes": _write_csv(
            folder / f"quotes-{day}.csv",
            ["ts", "symbol", "venue", "bid_px", "bid_size", "ask_px", "ask_size", "condition"],
            [[_ts(day, q[0]), q[1], q[2], _c(q[3]), q[4], _c(q[5]), q[6], q[7]] for q in book.quotes],
        ),
        "trades": _write_csv(
            folder / f"trades-{day}.csv", list(book.trades[0]), [list(t.values()) for t in book.trades]
        ),
        "evidence": _write_csv(
            folder / f"evidence-{day}.csv", list(book.evidence[0]), [list(e.values()) for e in book.evidence]
        ),
        "clock": _write_csv(
            folder / f"clock-{day}.csv",
            ["system", "ts", "offset_ms"],
            [
                [s, _ts(day, h * 3600.0), f"{(-1) ** h * (0.4 + 1.7 * i + h * 0.3):.3f}"]
                for h in range(7)
                for i, s in enumerate(("oms-1", "oms-2", "trade-reporting"))
            ],
        ),
    }
    return paths, scenarios


def write_refprices(folder: Path) -> Path:
    return _write_csv(
        folder / "refprices.csv",
        ["symbol", "month", "avg_close"],
        [
            ["HBRX", "2025-09", "41.62"],
            ["HBRX", "2025-10", "41.87"],
            ["MKTL", "2025-09", "598.10"],
            ["MKTL", "2025-10", "608.40"],
        ],
    )


def seed_demo(ws: Any, actor: str) -> dict[str, Any]:
    folder = Path(ws.path) / "trading-inputs"
    imported = [store.import_file(ws, "refprices", write_refprices(folder), actor=actor)]
    scenarios: dict[str, Any] = {}
    for day in (DAY1, DAY2):
        paths, scenarios[day.isoformat()] = write_day(folder / day.isoformat(), day)
        for kind in ("quotes", "trades", "evidence", "clock"):
            imported.append(store.import_file(ws, kind, paths[kind], actor=actor))
    from proctor.trading.iso_demo import seed_iso_demo

    iso_demo = seed_iso_demo(ws, actor)
    return {
        "iso": iso_demo,
        "days": [DAY1.isoformat(), DAY2.isoformat()],
        "imports": len(imported),
        "rows": sum(int(r["rows_stored"]) for r in imported),
        "quarantined": sum(int(r["quarantined"]) for r in imported),
        "scenarios": scenarios,
    }
