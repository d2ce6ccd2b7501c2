"""The Rule 611 controls: market-data fitness and trade-throughs, pure over stored inputs.

`trading.data_quality` raises a HOLD alert for every symbol-day whose market data fail a gate (so
an unfit day is never a silent pass); `trading.trade_through` raises one alert per trade that
traded through a protected quotation without a valid exception. A trade saved by an exception is
not an alert: it is counted, by clause, in the daily report. Both take `date` (one trading day)
and `engine` (local or spark) as run parameters; without `date` every stored day up to the as-of
date is evaluated (look-back uses the rule table in force on each day). A trade-through alert
names the trade's desk and trader, and the `after_raise` hook assigns it to that desk's supervisor
from the firm's supervision hierarchy (`iso_routing.route_new`), as the ISO controls' alerts are.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec, hash_inputs
from proctor.core.errors import InputError
from proctor.trading.iso_routing import route_new

if TYPE_CHECKING:  # the engine (Arrow, Numba) loads when a control runs, not when the spec is read
    from proctor.trading.daily import DayResult, SymbolDay

TRADE_THROUGH = "trading.trade_through"
DATA_QUALITY = "trading.data_quality"
EVIDENCE_TRADE_THROUGH = "trading_trade_through"
EVIDENCE_DATA_QUALITY = "trading_data_quality"


def run_days(ctx: ControlContext) -> list[date]:
    given = ctx.params.get("date")
    if given:
        try:
            return [given if isinstance(given, date) else date.fromisoformat(str(given))]
        except ValueError:
            raise InputError(f"not a date (YYYY-MM-DD): {given!r}", field="date") from None
    from proctor.trading import store

    return [d for d in store.days(ctx.workspace) if d <= ctx.as_of.date()]


def _symbol_day(result: DayResult, symbol: str) -> SymbolDay:
    return next(s for s in result.symbols if s.symbol == symbol)


def trade_through_alert(row: dict[str, Any], result: DayResult) -> AlertDraft:
    """The alert for one violation row; built only from the row and stored inputs (regenerable)."""
    from proctor.trading.tradethrough import CLAUSES, px, violation_evidence

    sd = _symbol_day(result, row["symbol"])
    who = sd.people.get(row["trade_id"], {})
    evidence = violation_evidence(row)
    evidence.update(
        {
            "symbol": row["symbol"],
            "date": result.day.isoformat(),
            "desk": who.get("desk"),
            "trader": who.get("trader"),
            "round_lot": sd.round_lot.as_dict(),
            "rule_version": sd.params.rule_version,
            "clause_titles": CLAUSES,
        }
    )
    venues = ", ".join(f"{t['venue']} {t['side']} {px(t['price'])}" for t in evidence.get("through", []))
    clock = row["clock_class"] or "unknown"
    side = "bought" if row["side"] == "B" else "sold"
    subjects = [Subject("trading.trade", row["trade_id"]), Subject("trading.symbol", row["symbol"])]
    if row.get("order_id"):
        subjects.append(Subject("trading.order", row["order_id"]))
    if who.get("desk"):
        subjects.append(Subject("trading.desk", str(who["desk"])))
    if who.get("trader"):
        subjects.append(Subject("user", str(who["trader"])))
    return AlertDraft(
        control=TRADE_THROUGH,
        rule_id="reg_nms.611(a)",
        rule_version=sd.params.rule_version,
        title=f"Trade-through: {row['trade_id']} {side} {row['quantity']} {row['symbol']} at "
        f"{px(row['price'])} through {venues} ({clock})",
        severity=Severity.HIGH if clock == "robust" else Severity.MEDIUM,
        subjects=tuple(subjects),
        evidence=evidence,
        evidence_type=EVIDENCE_TRADE_THROUGH,
        params=sd.params.as_dict(),
        dedupe_key=digest(
            {"control": TRADE_THROUGH, "trade": row["trade_id"], "day": result.day.isoformat()}
        ),
    )


def data_quality_alert(sd: SymbolDay, result: DayResult) -> AlertDraft:
    gates = sd.gates.as_dict()
    return AlertDraft(
        control=DATA_QUALITY,
        rule_id="trading.data_quality",
        rule_version=result.rule_version,
        title=f"HOLD: market data UNFIT for the Rule 611 check — {sd.symbol} {sd.day.isoformat()}: "
        + "; ".join(sd.gates.reasons())[:300],
        severity=Severity.HIGH,
        subjects=(
            Subject("trading.symbol_day", f"{sd.symbol}:{sd.day.isoformat()}"),
            Subject("trading.symbol", sd.symbol),
        ),
        evidence={
            **gates,
            "trades_not_checked": sd.trades,
            "round_lot": sd.round_lot.as_dict(),
            "rule_version": sd.params.rule_version,
        },
        evidence_type=EVIDENCE_DATA_QUALITY,
        params={"rule_version": result.rule_version, "round_lot": sd.round_lot.shares},
        due_in=timedelta(days=1),
        dedupe_key=digest(
            {
                "control": DATA_QUALITY,
                "symbol": sd.symbol,
                "day": sd.day.isoformat(),
                "inputs": result.input_hash,
            }
        ),
    )


def _evaluate(ctx: ControlContext) -> list[DayResult]:
    from proctor.trading.daily import evaluate_day

    engine = str(ctx.params.get("engine") or "local")
    return [evaluate_day(ctx.workspace, d, engine=engine) for d in run_days(ctx)]


def trade_through(ctx: ControlContext) -> ControlOutcome:
    results = _evaluate(ctx)
    findings: list[AlertDraft] = []
    counts: dict[str, int] = {}
    for result in results:
        for row in result.results.to_dicts():
            counts[row["status"]] = counts.get(row["status"], 0) + 1
            if row["status"] == "violation":
                findings.append(trade_through_alert(row, result))
    held = sum(1 for r in results for s in r.symbols if not s.checked and s.trades)
    return ControlOutcome(
        sum(r.inputs for r in results),
        hash_inputs(r.input_hash for r in results),
        findings,
        {
            "days": [r.day.isoformat() for r in results],
            "trades_checked": sum(counts.values()),
            "by_status": dict(sorted(counts.items())),
            "symbol_days_not_checked": held,
        },
    )


def data_quality(ctx: ControlContext) -> ControlOutcome:
    results = _evaluate(ctx)
    findings = [data_quality_alert(s, r) for r in results for s in r.symbols if not s.gates.fit]
    return ControlOutcome(
        sum(r.inputs for r in results),
        hash_inputs(r.input_hash for r in results),
        findings,
        {
            "days": [r.day.isoformat() for r in results],
            "symbol_days": sum(len(r.symbols) for r in results),
            "unfit": [
                f"{s.symbol}:{s.day.isoformat()}" for r in results for s in r.symbols if not s.gates.fit
            ],
        },
    )


CONTROLS: tuple[ControlSpec, ...] = (
    ControlSpec(
        DATA_QUALITY,
        "Market data fit for order-protection surveillance",
        "trading",
        timedelta(days=1),
        data_quality,
        rule="Reg NMS 611(a)(1); FINRA 3110; FINRA 4590",
        description="Stale venue quotes, crossed-market share, missing venues, trades outside quote coverage "
        "and clock drift beyond 50 ms, per symbol-day; an UNFIT day is a HOLD alert, not a pass.",
    ),
    ControlSpec(
        TRADE_THROUGH,
        "Trades through protected quotations (Rule 611)",
        "trading",
        timedelta(days=1),
        trade_through,
        rule="Reg NMS 611(a), (b), (d)",
        description="Every trade against every venue's protected quote at execution, with each 611(b) "
        "exception and 611(d) exemption evaluated and the clock class under FINRA 4590 tolerance; "
        "each alert is assigned to the supervisor of the trade's desk (or trader).",
        after_raise=route_new,
    ),
)
