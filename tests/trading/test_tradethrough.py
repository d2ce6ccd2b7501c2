"""Trade-through check on small literal days: each exception, its look-alikes, and the clock class.

A day of ACME on three protected venues (N, P, Z). Prices are written in dollars and carried as
micro-dollars; times are UTC wall-clock on 4 Nov 2025.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from proctor.core.errors import InputError
from proctor.trading.kernel import prepare_quotes
from proctor.trading.params import KernelParams
from proctor.trading.reference import venue_points
from proctor.trading.tradethrough import (
    CLAUSES,
    VenueTimeline,
    check_partition,
    px,
    violation_evidence,
)
from tests.trading.days import OPEN_BOOK, PARAMS, at, evidence, quotes, trade, usd


def run(book: list[tuple], trades: list[dict], ev: pl.DataFrame | None = None, params: KernelParams = PARAMS):
    frame = pl.DataFrame(trades).with_columns(pl.col("modifiers").cast(pl.List(pl.Utf8)))
    out = check_partition(quotes(*book), frame, ev, params, symbol="ACME")
    return {r["trade_id"]: r for r in out.to_dicts()}


def clauses(row: dict) -> dict[str, dict]:
    return {c["clause"]: c for c in json.loads(row["detail"])["clauses"]}


def test_a_manual_desk_buy_above_every_offer_is_a_robust_violation_naming_venues_and_clauses() -> None:
    res = run(OPEN_BOOK, [trade("T1", "15:00:00", "B", "10.05"), trade("T2", "15:00:00", "B", "10.02")])
    v = res["T1"]
    assert (v["status"], v["clock_class"], v["through_side"]) == ("violation", "robust", "offer")
    assert v["through_venues"] == ["N", "P", "Z"]
    assert (v["nbb"], v["nbo"], v["nbo_venues"]) == (usd("10.00"), usd("10.02"), ["N", "Z"])
    results = clauses(v)
    assert set(results) == set(CLAUSES) and all(c["result"] == "fail" for c in results.values())
    assert "regular-way" in results["b2"]["reason"]
    assert res["T2"]["status"] == "compliant" and res["T2"]["detail"] is None


def test_a_firm_sale_above_the_protected_offer_is_a_trade_through_whatever_the_side() -> None:
    res = run(OPEN_BOOK, [trade("S1", "15:00:00", "S", "10.05"), trade("S2", "15:00:00", "S", "9.98")])
    assert res["S1"]["status"] == "violation" and res["S1"]["through_side"] == "offer"
    assert res["S2"]["status"] == "violation" and res["S2"]["through_venues"] == ["N", "P", "Z"]
    assert res["S2"]["through_side"] == "bid"


def test_flicker_saves_the_trade_only_when_every_traded_through_venue_showed_an_inferior_price() -> None:
    book = [
        ("14:59:00", "N", "10.00", 300, "10.06", 200, "R"),
        ("14:59:00", "P", "10.00", 100, "10.07", 100, "R"),
        ("14:59:00", "Z", "9.99", 500, "10.06", 100, "R"),
        ("15:00:00.400", "N", "10.00", 300, "10.02", 200, "R"),  # N improves 0.6 s before the trade
        ("15:00:00.500", "Z", "9.99", 500, "10.03", 100, "R"),
    ]
    res = run(book, [trade("F1", "15:00:01", "B", "10.05"), trade("F2", "15:00:01.450", "B", "10.05")])
    assert (res["F1"]["status"], res["F1"]["exempt_clause"]) == ("exempt", "b8")
    assert "N offer 10.06" in clauses(res["F1"])["b8"]["reason"]
    # 1.05 s after N's change its 10.06 offer is out of the window; Z's is still inside it.
    assert res["F2"]["status"] == "violation"
    assert clauses(res["F2"])["b8"]["result"] == "partial"
    points = violation_evidence(res["F2"])["flicker_window"]["points"]
    assert [p["ask"] for p in points["Z"]] == [usd("10.06"), usd("10.03")]


def test_crossed_market_exempts_but_a_locked_market_does_not() -> None:
    crossed = [*OPEN_BOOK, ("14:59:30", "N", "10.04", 100, "10.06", 100, "R")]  # N bid 10.04 > P/Z offers
    locked = [*OPEN_BOOK, ("14:59:30", "N", "10.02", 100, "10.06", 100, "R")]  # N bid = Z offer 10.02
    res_c = run(crossed, [trade("C1", "15:00:00", "B", "10.04")])
    res_l = run(locked, [trade("L1", "15:00:00", "B", "10.04")])
    assert (res_c["C1"]["status"], res_c["C1"]["exempt_clause"], res_c["C1"]["crossed"]) == (
        "exempt",
        "b4",
        True,
    )
    assert res_l["L1"]["status"] == "violation" and res_l["L1"]["locked"] is True
    assert "locked" in clauses(res_l["L1"])["b4"]["reason"]


def test_odd_lot_better_prices_are_noted_never_traded_through_and_the_round_lot_decides() -> None:
    book = [*OPEN_BOOK, ("14:59:30", "Z", "9.99", 500, "10.01", 50, "R")]  # 50 shares at 10.01
    res = run(book, [trade("O1", "15:00:00", "B", "10.02")])
    assert res["O1"]["status"] == "compliant" and res["O1"]["note"] == "odd_lot_only_better"
    assert json.loads(res["O1"]["detail"])["odd_lot_better"][0]["venue"] == "Z"
    # After the Nov 2025 round-lot change a $250 stock has a 40-share round lot: 50 shares is protected.
    tier = KernelParams(round_lot=40, protected_venues=("N", "P", "Z"))
    res = run(book, [trade("O1", "15:00:00", "B", "10.02")], params=tier)
    assert res["O1"]["status"] == "violation" and res["O1"]["through_venues"] == ["Z"]
    assert res["O1"]["round_lot"] == 40


def test_withdrawn_and_unprotected_venue_quotes_are_not_protected() -> None:
    book = [
        *OPEN_BOOK,
        ("14:59:30", "P", "10.00", 100, "9.90", 100, "N"),  # non-firm: P's quote stops being protected
        ("14:59:30", "X", "10.00", 100, "9.80", 100, "R"),  # X is not an automated trading center
        ("14:59:31", "Z", "9.99", 500, "10.01", 100, "A"),  # manual ask: only Z's bid stays protected
    ]
    res = run(book, [trade("W1", "15:00:00", "B", "10.02")])
    assert res["W1"]["status"] == "compliant" and res["W1"]["nbo_venues"] == ["N"]


def test_evidence_backed_exceptions_need_both_the_modifier_and_the_evidence() -> None:
    ev = evidence(
        {"kind": "benchmark", "order_id": "O-B1", "detail": "VWAP 14:00-15:00"},
        {"kind": "qct", "order_id": "O-Q1", "detail": "stock leg of a convertible hedge"},
        {"kind": "benchmark", "order_id": "O-B3", "detail": "VWAP, report lacks the modifier"},
    )
    trades = [
        trade("B1", "15:00:00", "B", "10.05", modifiers=["4"]),
        trade("B2", "15:00:00", "B", "10.05", modifiers=["4"]),
        trade("B3", "15:00:00", "B", "10.05"),
        trade("Q1", "15:00:00", "B", "10.05", modifiers=["V"]),
        trade("E1", "15:00:00", "B", "10.05", modifiers=["7"]),
    ]
    res = run(OPEN_BOOK, trades, ev)
    assert (res["B1"]["status"], res["B1"]["exempt_clause"]) == ("exempt", "b7")
    assert (
        res["B2"]["status"] == "violation" and "no benchmark evidence" in clauses(res["B2"])["b7"]["reason"]
    )
    assert "lacks the modifier" in clauses(res["B3"])["b7"]["reason"]
    assert (res["Q1"]["status"], res["Q1"]["exempt_clause"]) == ("exempt", "d_qct")
    assert res["E1"]["status"] == "violation"
    assert clauses(res["E1"])["d_error_correction"]["result"] == "fail"


def test_modifier_only_exceptions_not_regular_way_and_auctions() -> None:
    trades = [
        trade("I1", "15:00:00", "B", "10.05", modifiers=["F"]),
        trade("X1", "15:00:00", "B", "10.05", modifiers=["3"]),
        trade("K1", "15:00:00", "B", "10.05", settlement="cash"),
        trade("K2", "15:00:00", "B", "10.05", settlement="seller_5"),
        trade("K3", "15:00:00", "B", "10.05", settlement=None),
        trade("A1", "15:00:00", "B", "10.05", modifiers=["O"]),
    ]
    res = run(OPEN_BOOK, trades)
    assert (res["I1"]["status"], res["I1"]["exempt_clause"]) == ("exempt", "b5")
    assert (res["X1"]["status"], res["X1"]["exempt_clause"]) == ("exempt_claimed", "b6")
    assert clauses(res["X1"])["b6"]["result"] == "claimed"
    assert [res[k]["exempt_clause"] for k in ("K1", "K2")] == ["b2", "b2"]
    assert res["K3"]["status"] == "violation" and "missing" in clauses(res["K3"])["b2"]["reason"]
    assert (res["A1"]["status"], res["A1"]["exempt_clause"]) == ("exempt", "b3")


def test_stopped_customer_buy_below_the_nbb_is_exempt_and_a_principal_one_is_not() -> None:
    book = [
        ("14:59:00", "N", "10.05", 300, "10.07", 200, "R"),  # market moved up after the stop at 10.00
        ("14:59:00", "P", "10.04", 100, "10.07", 100, "R"),
    ]
    ev = evidence(
        {"kind": "stopped_order", "order_id": "O-S1", "price": usd("10.00"), "start_ts": at("14:58:00")},
        {"kind": "stopped_order", "order_id": "O-S2", "price": usd("10.00"), "start_ts": at("14:58:00")},
    )
    trades = [
        trade("S1", "15:00:00", "B", "10.00"),
        trade("S2", "15:00:00", "B", "10.00", capacity="principal"),
        trade("S3", "15:00:00", "B", "10.00"),
    ]
    res = run(book, trades, ev)
    assert (res["S1"]["status"], res["S1"]["exempt_clause"], res["S1"]["through_side"]) == (
        "exempt",
        "b9",
        "bid",
    )
    assert res["S2"]["status"] == "violation" and "not a customer" in clauses(res["S2"])["b9"]["reason"]
    assert res["S3"]["status"] == "violation" and "no stopped_order" in clauses(res["S3"])["b9"]["reason"]


def test_self_help_covers_only_the_declared_venue_and_combines_with_flicker() -> None:
    book = [
        ("14:59:00", "N", "10.00", 300, "10.02", 200, "R"),
        ("14:59:00", "P", "10.00", 100, "10.09", 100, "R"),
        ("15:00:00.500", "P", "10.00", 100, "10.03", 100, "R"),  # P improved half a second before
    ]
    help_n = {"kind": "self_help", "venue": "N", "start_ts": at("14:00:00"), "detail": "N not responding"}
    res = run(book, [trade("H1", "15:00:01", "B", "10.05")], evidence(help_n))
    assert (res["H1"]["status"], res["H1"]["exempt_clause"]) == ("exempt", "b1+b8")
    res = run(OPEN_BOOK, [trade("H2", "15:00:00", "B", "10.05")], evidence(help_n))
    assert res["H2"]["status"] == "violation" and clauses(res["H2"])["b1"]["result"] == "partial"
    ended = {**help_n, "end_ts": at("14:30:00")}
    res = run(book[:2], [trade("H3", "15:00:01", "B", "10.03")], evidence(ended))
    assert res["H3"]["status"] == "violation" and clauses(res["H3"])["b1"]["result"] == "fail"


def test_a_violation_that_depends_on_clock_ordering_within_tolerance_is_classed_so() -> None:
    book = [
        ("14:59:00", "N", "10.00", 300, "10.02", 200, "R"),
        ("14:59:00", "P", "10.00", 100, "10.06", 100, "R"),
        ("15:00:00.040", "N", "10.00", 300, "10.06", 200, "R"),  # 10 ms after the trade: N backs away
    ]
    res = run(book, [trade("D1", "15:00:00.030", "B", "10.05"), trade("D2", "15:00:00.030", "B", "10.07")])
    assert (res["D1"]["status"], res["D1"]["clock_class"]) == ("violation", "ordering_dependent")
    assert (res["D2"]["status"], res["D2"]["clock_class"]) == ("violation", "robust")


def test_trades_with_nothing_to_protect_or_outside_regular_hours_are_counted_apart() -> None:
    hours = KernelParams(
        round_lot=100, protected_venues=("N", "P", "Z"), regular_hours_ns=(at("14:30:00"), at("21:00:00"))
    )
    res = run(
        OPEN_BOOK,
        [trade("E1", "14:58:00", "B", "10.05"), trade("E2", "21:05:00", "B", "10.05")],
        params=hours,
    )
    assert res["E1"]["status"] == "no_protected_quote" and res["E1"]["nbo"] is None
    assert res["E2"]["status"] == "outside_hours"


def test_violation_evidence_is_deterministic_json_with_ladder_window_and_every_clause() -> None:
    first = violation_evidence(run(OPEN_BOOK, [trade("T1", "15:00:00", "B", "10.05")])["T1"])
    again = violation_evidence(run(OPEN_BOOK, [trade("T1", "15:00:00", "B", "10.05")])["T1"])
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    ladder = first["ladder"]
    assert [r["venue"] for r in ladder] == ["N", "P", "Z"]
    assert (ladder[1]["ask"], ladder[1]["flicker"]["ask_worst"]) == (usd("10.03"), usd("10.03"))
    assert ladder[1]["flicker"]["no_bid_at_some_instant"] is False and ladder[1]["raw_ask"] == usd("10.03")
    assert ladder[0]["clock"]["ask_worst"] == usd("10.02")
    assert first["result"]["clock_class"] == "robust"
    assert first["through"][0] == {"venue": "N", "side": "offer", "price": usd("10.02"), "size": 200}
    assert len(first["clauses"]) == len(CLAUSES) and first["params"]["rule_version"] == "rule611-2025-11"
    assert first["flicker_window"]["points"]["P"] == [
        {"ts": at("14:59:59"), "bid": usd("10.00"), "ask": usd("10.03")}
    ]
    assert px(usd("10.05")) == "10.05" and px(usd("0.0001")) == "0.0001"


def test_evidence_timeline_matches_the_literal_replay() -> None:
    book = [
        *OPEN_BOOK,
        ("15:00:00.100", "N", "10.00", 300, "10.01", 99, "R"),
        ("15:00:00.100", "N", "10.00", 300, "10.03", 200, "R"),
        ("15:00:00.200", "N", "10.00", 300, "10.03", 200, "H"),
        ("15:00:00.300", "N", "10.01", 300, "10.03", 200, "R"),
    ]
    q = quotes(*book)
    timeline = VenueTimeline(prepare_quotes(q, PARAMS), PARAMS)
    for start, end in ((at("14:58:00"), at("15:01:00")), (at("15:00:00.100"), at("15:00:00.250"))):
        assert timeline.points("N", start, end) == venue_points(q, PARAMS, "N", start, end)


def test_bad_trade_and_evidence_rows_are_errors_naming_row_and_field() -> None:
    with pytest.raises(InputError, match=r"trades, row 1, field 'side'"):
        run(OPEN_BOOK, [trade("G1", "15:00:00", "B", "10.05"), trade("G2", "15:00:00", "X", "10.05")])
    with pytest.raises(InputError, match=r"evidence, row 0, field 'kind'"):
        run(
            OPEN_BOOK,
            [trade("G1", "15:00:00", "B", "10.05")],
            evidence({"kind": "hunch", "order_id": "O-G1"}),
        )
    bad = [*OPEN_BOOK, ("15:00:00", "N", "10.00", None, "10.02", 100, "R")]
    with pytest.raises(InputError, match=r"quotes, row 3, field 'bid_size'"):
        run(bad, [trade("G1", "15:00:00", "B", "10.05")])
