"""Outbound-ISO validation on literal trades, ladders and routes."""

import polars as pl

from proctor.trading import iso
from proctor.trading.iso_synthetic import EVIDENCE_SCHEMA, ROUTE_SCHEMA, TRADE_SCHEMA, generate_day

T0 = 1_772_461_800_000_000_000  # 2026-03-02 14:30 UTC
MS = 1_000_000


def trades(*rows):
    base = {
        "symbol": "IBM",
        "side": "B",
        "quantity": 500,
        "desk": "ETRD",
        "trader": "ann",
        "capacity": "agency",
        "settlement": "regular",
    }
    return pl.DataFrame([{**base, **r} for r in rows], schema=TRADE_SCHEMA, orient="row")


def route(cid, parent, venue, ts, qty=200, price=100_010_000, rejected=False):
    return {
        "cl_ord_id": cid,
        "parent_order_id": parent,
        "symbol": "IBM",
        "side": "B",
        "qty": qty,
        "price": price,
        "is_iso": True,
        "venue": venue,
        "route_ts": ts,
        "clearing_firm": "CLR1",
        "rejected": rejected,
        "reject_reason": "A" if rejected else None,
        "reject_text": None,
        "filled_qty": 0,
    }


LADDER = pl.DataFrame(
    [
        {"trade_id": "T1", "venue": "P", "bid_px": 0, "bid_size": 0, "ask_px": 100_010_000, "ask_size": 200},
        {"trade_id": "T1", "venue": "Z", "bid_px": 0, "bid_size": 0, "ask_px": 100_000_000, "ask_size": 100},
        {"trade_id": "T1", "venue": "N", "bid_px": 0, "bid_size": 0, "ask_px": 100_020_000, "ask_size": 900},
    ],
    schema=iso.LADDER_SCHEMA,
)
TRADE = {"trade_id": "T1", "ts": T0, "price": 100_020_000, "modifiers": ["3"], "order_id": "P1"}


def run(routes, evidence=None, trade=TRADE):
    r = pl.DataFrame(routes, schema=ROUTE_SCHEMA, orient="row")
    return iso.check_iso_outbound(trades(trade), LADDER, r, iso.IsoParams(), evidence)


def test_isos_within_tolerance_covering_every_better_venue_pass():
    failures, reverse, counts = run(
        [route("C1", "P1", "P", T0 - 5 * MS), route("C2", "P1", "Z", T0 + 3 * MS, 100)]
    )
    assert failures == [] and reverse == [] and counts["iso_outbound_trades"] == 1


def test_isos_a_second_early_alert_with_the_gap():
    (f,), _, _ = run([route("C1", "P1", "P", T0 - 1200 * MS), route("C2", "P1", "Z", T0 - 1200 * MS, 100)])
    assert f["kinds"] == ["late"] and f["max_gap_ms"] == 1200.0 and set(f["missed"]) == {"P", "Z"}
    assert f["desk"] == "ETRD" and f["trader"] == "ann"


def test_missed_venue_and_undersized_iso():
    (f,), _, _ = run([route("C1", "P1", "P", T0, qty=100)])
    status = {v["venue"]: v["status"] for v in f["venues"]}
    assert status == {"P": "undersized", "Z": "missed"}  # N (at the trade price) needs no ISO


def test_consented_block_may_route_before():
    ev = pl.DataFrame(
        [
            {
                "kind": "customer_iso_consent",
                "order_id": "P1",
                "venue": None,
                "symbol": "IBM",
                "start_ts": T0 - 60_000 * MS,
                "end_ts": T0 + 60_000 * MS,
                "price": None,
                "detail": "block",
            }
        ],
        schema=EVIDENCE_SCHEMA,
    )
    routes = [route("C1", "P1", "P", T0 - 20_000 * MS), route("C2", "P1", "Z", T0 - 20_000 * MS, 100)]
    assert run(routes, ev)[0] == []
    assert run(routes)[0] != []  # the same routes without consent are late


def test_rejected_only_venue_is_left_to_the_reject_monitor():
    failures, _, _ = run([route("C1", "P1", "P", T0), route("C2", "P1", "Z", T0, 100, rejected=True)])
    assert failures == []


def test_isos_under_a_trade_without_the_modifier():
    _, (r,), _ = run([route("C1", "P1", "P", T0)], trade={**TRADE, "modifiers": []})
    assert r["trade_id"] == "T1" and r["venues"] == ["P"]


def test_generated_day_recall_and_false_positives():
    day = generate_day(3_000, 60)
    failures, reverse, _ = iso.check_iso_outbound(
        day.trades, day.ladder, day.routes, iso.IsoParams(), day.evidence
    )
    assert {f["trade_id"] for f in failures} == day.seeded["late"] | day.seeded["missed"]
    assert {r["trade_id"] for r in reverse} == day.seeded["reverse"]


def test_tolerance_outside_the_documented_range_is_refused():
    import pytest

    with pytest.raises(ValueError, match="between 10 ms and 1 s"):
        iso.IsoParams(tolerance_ns=2_000_000_000)
