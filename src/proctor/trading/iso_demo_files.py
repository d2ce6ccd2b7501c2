"""The files a firm would hand Proctor for the ISO demo: quotes, trades, evidence CSVs and a FIX log.

Why files and not frames: the demo must prove the importers a firm uses (`proctor trading import
quotes|trades|evidence|fix`) on the very inputs the controls then judge. The FIX log is FIX 4.4,
one message a line, `|`-delimited as log viewers print it (BodyLength and CheckSum are those of the
SOH message), with the OMS logger's timestamp prefix before `8=FIX`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from proctor.trading.fix import encode, fix_time

NY = ZoneInfo("America/New_York")
#: TAQ participant letter -> the MIC the OMS writes in ExDestination(100) / LastMkt(30).
MIC = {"N": "XNYS", "P": "ARCX", "Z": "BATS", "K": "EDGX", "V": "IEXG", "Q": "XNAS"}
QUOTING = ("N", "P", "T", "Z", "K", "V")  # the SIP venues of the quotes file; Q's book comes from depth
GOOD_FIRM, BAD_FIRM = "CLR1", "CFAA"


def ns_at(day: date, seconds: float) -> int:
    """ns since the epoch of `seconds` after 09:30 New York on `day`."""
    start = datetime.combine(day, time(9, 30), NY)
    return int(start.timestamp()) * 1_000_000_000 + round(seconds * 1e9)


def iso_ts(ns: int) -> str:
    """ISO-8601 in New York time with nanoseconds, as the canonical CSVs take it."""
    local = datetime.fromtimestamp(ns // 1_000_000_000, NY)
    off = local.strftime("%z")
    return f"{local:%Y-%m-%dT%H:%M:%S}.{ns % 1_000_000_000:09d}{off[:3]}:{off[3:]}"


def dollars(micros: int) -> str:
    return f"{micros / 1_000_000:.2f}"


@dataclass
class Route:
    """One child order to a venue and what became of it (fill, ExecutionReport reject, or 35=j)."""

    cl_ord_id: str
    parent: str
    symbol: str
    side: str
    venue: str
    qty: int
    price: int
    ts: int
    iso: bool = True
    firm: str = GOOD_FIRM
    outcome: str = "fill"  # fill | reject | business_reject
    reject_text: str = ""


@dataclass
class DemoDay:
    """The rows of one demo day in the canonical layouts, and the seeded scenarios by name."""

    day: date
    quotes: list[list[Any]] = field(default_factory=list)
    trades: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    depth: list[dict[str, Any]] = field(default_factory=list)
    scenarios: dict[str, str] = field(default_factory=dict)

    def quote(self, ns: int, symbol: str, venue: str, bid: int, bsz: int, ask: int, asz: int) -> None:
        self.quotes.append([ns, symbol, venue, bid, bsz, ask, asz])


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def write_quotes(d: DemoDay, path: Path) -> Path:
    rows = sorted(d.quotes, key=lambda q: q[0])
    return write_csv(
        path,
        ["ts", "symbol", "venue", "bid_px", "bid_size", "ask_px", "ask_size", "condition"],
        [[iso_ts(q[0]), q[1], q[2], dollars(q[3]), q[4], dollars(q[5]), q[6], "R"] for q in rows],
    )


def write_trades(d: DemoDay, path: Path) -> Path:
    header = ["trade_id", "symbol", "execution_time", "report_time", "side", "price", "quantity"]
    header += ["modifiers", "order_id", "desk", "trader", "capacity", "settlement"]
    rows = [
        [
            t["trade_id"],
            t["symbol"],
            iso_ts(t["ts"]),
            iso_ts(t["ts"] + 2_000_000_000),
            t["side"],
            dollars(t["price"]),
            t["quantity"],
            t["modifiers"],
            t["order_id"],
            t["desk"],
            t["trader"],
            "agency",
            "regular",
        ]
        for t in d.trades
    ]
    return write_csv(path, header, rows)


def write_evidence(d: DemoDay, path: Path) -> Path:
    header = ["kind", "order_id", "venue", "symbol", "start_time", "end_time", "price", "detail"]
    rows = [
        [
            e["kind"],
            e["order_id"],
            e.get("venue") or "",
            e["symbol"],
            iso_ts(e["start"]) if e.get("start") else "",
            iso_ts(e["end"]) if e.get("end") else "",
            dollars(e["price"]) if e.get("price") else "",
            e["detail"],
        ]
        for e in d.evidence
    ]
    return write_csv(path, header, rows)


def _order(r: Route, seq: int) -> str:
    side = "1" if r.side == "B" else "2"
    pairs = [
        (35, "D"),
        (49, "HBSS-OMS"),
        (56, MIC[r.venue]),
        (34, str(seq)),
        (52, fix_time(r.ts + 150_000)),
        (11, r.cl_ord_id),
        (583, r.parent),
        (55, r.symbol),
        (54, side),
        (38, str(r.qty)),
        (40, "2"),
        (44, dollars(r.price)),
        (59, "3"),
        (100, MIC[r.venue]),
        (60, fix_time(r.ts)),
        (453, "1"),
        (448, r.firm),
        (447, "D"),
        (452, "4"),
    ]
    if r.iso:
        pairs.insert(13, (18, "f"))
    return encode(pairs)


def _report(r: Route, seq: int, exec_id: str) -> str:
    side = "1" if r.side == "B" else "2"
    at = r.ts + 900_000  # the venue answers within a millisecond
    head = [(35, "8"), (49, MIC[r.venue]), (56, "HBSS-OMS"), (34, str(seq)), (52, fix_time(at))]
    body = [(11, r.cl_ord_id), (17, exec_id), (37, f"V{exec_id}"), (55, r.symbol), (54, side)]
    if r.outcome == "fill":
        body += [(150, "F"), (39, "2"), (31, dollars(r.price)), (32, str(r.qty)), (30, MIC[r.venue])]
    else:
        body += [(150, "8"), (39, "8"), (103, "99"), (58, r.reject_text)]
    return encode([*head, *body, (60, fix_time(at))])


def _business_reject(r: Route, seq: int, ref_seq: int) -> str:
    at = r.ts + 700_000
    return encode(
        [
            (35, "j"),
            (49, MIC[r.venue]),
            (56, "HBSS-OMS"),
            (34, str(seq)),
            (52, fix_time(at)),
            (45, str(ref_seq)),
            (372, "D"),
            (379, r.cl_ord_id),
            (380, "5"),
            (58, r.reject_text),
        ]
    )


def write_fix_log(d: DemoDay, path: Path, corrupt_one: bool = True) -> Path:
    """Every route as its NewOrderSingle and the venue's answer, in time order, with the logger prefix."""
    lines: list[tuple[int, str]] = []
    for n, r in enumerate(sorted(d.routes, key=lambda r: r.ts), start=1):
        seq = 2 * n
        lines.append((r.ts, _order(r, seq)))
        answer = (
            _business_reject(r, seq + 1, seq)
            if r.outcome == "business_reject"
            else _report(r, seq + 1, f"E{n:06d}")
        )
        lines.append((r.ts + 1, answer))
    text = [f"{iso_ts(ts)[:23]} FIXLOG {line}" for ts, line in lines]
    if corrupt_one and text:  # a line mangled in transit: quarantined as a bad checksum, counted
        broken = text[1].replace("|39=2|", "|39=1|", 1)
        text.insert(2, broken)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(["# OMS FIX session HBSS-OMS, FIX.4.4", *text]) + "\n", encoding="latin-1")
    return path


def day_span(day: date) -> tuple[int, int]:
    return ns_at(day, 0.0), ns_at(day, 6.5 * 3600)


def every(step_s: float, until_s: float) -> list[float]:
    n = int(until_s // step_s)
    return [k * step_s for k in range(n + 1)]


def plus(ns: int, seconds: float) -> int:
    return ns + int(timedelta(seconds=seconds).total_seconds() * 1e9)
