"""One trading day, evaluated from what is stored: gates first, then the trade-through check.

Everything here reads stored partitions and the rule table and computes; nothing is written. That
is what lets the control, the report and a regulator's re-run give the same answer: the same
stored inputs and rule version always produce the same results, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import polars as pl

from proctor.trading import engine as engines
from proctor.trading import store
from proctor.trading.gates import GateReport, run_gates
from proctor.trading.kernel import QUOTE_COLUMNS
from proctor.trading.params import KernelParams
from proctor.trading.ruletable import RoundLot, RuleTable, load_baseline
from proctor.trading.tradethrough import TRADE_COLUMNS

CHECK_COLUMNS = list(TRADE_COLUMNS)


@dataclass
class SymbolDay:
    symbol: str
    day: date
    gates: GateReport
    round_lot: RoundLot
    params: KernelParams
    trades: int
    checked: bool
    not_checked_reason: str = ""
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # trade_id -> desk, trader, symbol

    def as_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "day": self.day.isoformat(),
            "verdict": self.gates.verdict,
            "gates": self.gates.as_dict(),
            "round_lot": self.round_lot.as_dict(),
            "rule_version": self.params.rule_version,
            "trades": self.trades,
            "checked": self.checked,
            "not_checked_reason": self.not_checked_reason,
        }


@dataclass
class DayResult:
    day: date
    rule_version: str
    applies: bool
    why: str
    symbols: list[SymbolDay]
    results: pl.DataFrame  # engine.OUTPUT_SCHEMA plus trader, for the checked symbol-days
    input_hash: str
    inputs: int


def _first_price(
    trades: pl.DataFrame | None, quotes: pl.DataFrame | None, hours: tuple[int, int]
) -> int | None:
    """The day's first regular-hours trade price, else the first two-sided quote's midpoint."""
    start, end = hours
    if trades is not None and trades.height:
        rth = trades.filter((pl.col("ts") >= start) & (pl.col("ts") < end)).sort("ts")
        if rth.height:
            return int(rth["price"][0])
    if quotes is not None and quotes.height:
        two = quotes.filter((pl.col("bid_px") > 0) & (pl.col("ask_px") > 0) & (pl.col("ts") >= start)).sort(
            ["ts", "seq"]
        )
        if two.height:
            return int((two["bid_px"][0] + two["ask_px"][0]) // 2)
    return None


def _previous_venues(ws: Any, symbol: str, day: date, venues: tuple[str, ...]) -> set[str] | None:
    earlier = [d for d in store.days(ws, ("quotes",)) if d < day]
    if not earlier:
        return None
    frame = store.load(ws, "quotes", earlier[-1], symbol)
    if frame is None:
        return None
    return {str(v) for v in frame["venue"].unique().to_list() if v in venues}


def _quarantined(ws: Any, day: date) -> int:
    import sqlalchemy as sa

    from proctor.trading.tables import imports

    total = 0
    with ws.read() as conn:
        for row in conn.execute(sa.select(imports.c.partitions, imports.c.quarantined)):
            if row.quarantined and any(p["day"] == day.isoformat() for p in row.partitions):
                total += int(row.quarantined)
    return total


def evaluate_day(ws: Any, day: date, *, engine: str = "local", rules: RuleTable | None = None) -> DayResult:
    """Gates and check for every symbol with quotes or trades on `day` (pure over stored inputs)."""
    rules = rules or load_baseline()
    applies, why = rules.applies(day)
    hours = rules.hours_ns(day)
    noon = datetime.combine(day, time(12), rules.tz)
    offset = noon.utcoffset()
    local_offset_ns = int(offset.total_seconds()) * 1_000_000_000 if offset else 0
    clock = store.load(ws, "clock", day)
    evidence = store.evidence_until(ws, day)
    quarantined = _quarantined(ws, day)
    symbol_days: list[SymbolDay] = []
    partitions: list[engines.Partition] = []
    params_by: dict[tuple[str, date], KernelParams] = {}
    used: list[store.Partition] = []
    for kind in ("clock", "evidence", "refprices"):
        used += [p for p in store.partitions(ws, kind) if p.day <= day]
    for symbol in store.symbols(ws, day):
        q_parts = store.partitions(ws, "quotes", day, symbol)
        t_parts = store.partitions(ws, "trades", day, symbol)
        used += q_parts + t_parts
        quotes, trades = store.read(ws, q_parts), store.read(ws, t_parts)
        reference = store.reference_price(ws, symbol, day)
        lot = rules.round_lot(
            day, reference, None if reference is not None else _first_price(trades, quotes, hours)
        )
        params = rules.params_for(day, lot)
        gates = run_gates(
            symbol,
            day.isoformat(),
            quotes,
            trades,
            clock,
            params,
            rules.quality,
            previous_venues=_previous_venues(ws, symbol, day, params.protected_venues),
            quarantined=quarantined,
            local_offset_ns=local_offset_ns,
        )
        firm = trades.filter(pl.col("side").is_not_null()) if trades is not None else None
        people = (
            {
                r["trade_id"]: {"desk": r["desk"], "trader": r["trader"], "symbol": symbol}
                for r in firm.select("trade_id", "desk", "trader").to_dicts()
            }
            if firm is not None
            else {}
        )
        sd = SymbolDay(
            symbol, day, gates, lot, params, 0 if trades is None else trades.height, False, people=people
        )
        if not applies:
            sd.not_checked_reason = why
        elif not gates.fit:
            sd.not_checked_reason = "HOLD: market data UNFIT — " + "; ".join(gates.reasons())
        elif firm is None or firm.height == 0:
            sd.not_checked_reason = "no firm trades"
        else:
            assert quotes is not None  # a fit day has quotes
            sd.checked = True
            partitions.append(
                (
                    symbol,
                    day,
                    quotes.select(list(QUOTE_COLUMNS)),
                    firm.select(CHECK_COLUMNS),
                    evidence,
                )
            )
            params_by[(symbol, day)] = params
        symbol_days.append(sd)
    if partitions:
        results = engines.run(partitions, lambda s, d: params_by[(s, d)], engine=engine)
    else:
        results = pl.DataFrame(schema=engines.OUTPUT_SCHEMA)
    traders = {(s.symbol, t): who.get("trader") for s in symbol_days for t, who in s.people.items()}
    trader = pl.Series(
        "trader",
        [
            traders.get(key)
            for key in zip(results["symbol"].to_list(), results["trade_id"].to_list(), strict=True)
        ],
        dtype=pl.Utf8,
    )
    results = results.with_columns(trader)
    return DayResult(
        day=day,
        rule_version=rules.label,
        applies=applies,
        why=why,
        symbols=symbol_days,
        results=results,
        input_hash=store.input_digest(used),
        inputs=sum(p.rows for p in used if p.kind in ("quotes", "trades")),  # the day's own data
    )


def record_check(
    ws: Any, result: DayResult, *, engine: str, actor: str, run_ids: list[str]
) -> dict[str, Any]:
    """Keep the day's per-trade results (every status, not only violations) as a check of record.

    An examiner asks not only "what was flagged" but "was every trade looked at, and what saved the
    rest": the results file (Parquet, content-hashed in the blob store) answers that, and the
    journaled row ties it to the control runs, the rule version and the inputs' hash.
    """
    from proctor.trading.report import summarise
    from proctor.trading.store import parquet_bytes
    from proctor.trading.tables import checks

    summary = summarise(result)
    with ws.transaction(actor) as tx:
        blob = tx.put_blob(parquet_bytes(result.results)) if result.results.height else None
        return dict(
            tx.insert(
                checks,
                {
                    "id": ws.ids("TCK"),
                    "day": result.day,
                    "engine": engine,
                    "rule_version": result.rule_version,
                    "input_hash": result.input_hash,
                    "results_blob": blob,
                    "summary": {
                        "runs": run_ids,
                        "desks": summary["desks"],
                        "symbol_days": [
                            {
                                k: s[k]
                                for k in ("symbol", "verdict", "checked", "not_checked_reason", "trades")
                            }
                            for s in summary["symbol_days"]
                        ],
                    },
                    "created_by": actor,
                    "created_at": ws.clock.now(),
                },
                "trading.check.recorded",
            )
        )
