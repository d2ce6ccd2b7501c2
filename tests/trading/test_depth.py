"""Depth blindness: protected quotes beyond the router's eight levels with no ISO."""

import polars as pl

from proctor.trading import depth
from proctor.trading.books import DEPTH_SCHEMA
from proctor.trading.iso_synthetic import ROUTE_SCHEMA, TRADE_SCHEMA, generate_day

T0 = 1_772_461_800_000_000_000


def state(level, px):
    row = {c: 0 for c in DEPTH_SCHEMA}
    row.update(
        {
            "ts": T0 - 10,
            "seq": 0,
            "venue": "Q",
            "symbol": "IBM",
            "ask_px": 99_900_000,
            "ask_size": 20,
            "ask_prot_px": px,
            "ask_prot_size": 300,
            "ask_prot_level": level,
            "ask_levels": 12,
        }
    )
    return row


TRADE = pl.DataFrame(
    [
        {
            "trade_id": "T9",
            "symbol": "IBM",
            "ts": T0,
            "side": "B",
            "price": 100_000_000,
            "quantity": 300,
            "modifiers": ["3"],
            "order_id": "P9",
            "desk": "ETRD",
            "trader": "ann",
            "capacity": "agency",
            "settlement": "regular",
        }
    ],
    schema=TRADE_SCHEMA,
)
NO_ROUTES = pl.DataFrame(schema=ROUTE_SCHEMA)


def test_level_nine_protected_offer_without_iso_alerts():
    d = pl.DataFrame([state(9, 99_950_000)], schema=DEPTH_SCHEMA)
    (f,), counts = depth.check_depth_blindness(TRADE, d, NO_ROUTES, depth.DepthParams())
    assert counts["alerts"] == 1
    assert f["trade_id"] == "T9" and f["venue"] == "Q" and f["protected_level"] == 9 and f["desk"] == "ETRD"


def test_within_router_depth_or_not_better_or_iso_sent_is_lawful():
    p = depth.DepthParams()
    assert (
        depth.check_depth_blindness(
            TRADE, pl.DataFrame([state(8, 99_950_000)], schema=DEPTH_SCHEMA), NO_ROUTES, p
        )[0]
        == []
    )
    assert (
        depth.check_depth_blindness(
            TRADE, pl.DataFrame([state(12, 100_050_000)], schema=DEPTH_SCHEMA), NO_ROUTES, p
        )[0]
        == []
    )
    iso = pl.DataFrame(
        [
            {
                "cl_ord_id": "C1",
                "parent_order_id": "P9",
                "symbol": "IBM",
                "side": "B",
                "qty": 300,
                "price": 99_950_000,
                "is_iso": True,
                "venue": "Q",
                "route_ts": T0 + 1_000,
                "clearing_firm": "X",
                "rejected": False,
                "reject_reason": None,
                "reject_text": None,
                "filled_qty": 300,
            }
        ],
        schema=ROUTE_SCHEMA,
    )
    assert (
        depth.check_depth_blindness(
            TRADE, pl.DataFrame([state(12, 99_950_000)], schema=DEPTH_SCHEMA), iso, p
        )[0]
        == []
    )


def test_level_beyond_the_file_is_never_counted_shallow():
    d = pl.DataFrame([state(-1, 0)], schema=DEPTH_SCHEMA)
    figures = depth.daily_depth_figures(d)
    ask = next(r for r in figures if r["side"] == "ask")
    assert ask["beyond_file_depth"] == 1 and ask["deeper_than_10"] == 1


def test_daily_figures_per_band():
    d = pl.DataFrame([state(9, 99_950_000), state(2, 99_950_000), state(1, 99_950_000)], schema=DEPTH_SCHEMA)
    ask = next(r for r in depth.daily_depth_figures(d) if r["side"] == "ask")
    assert (
        ask["states"] == 3
        and ask["deeper_than_1"] == 2
        and ask["deeper_than_8"] == 1
        and ask["band"] == "$50-250"
    )


def test_generated_day_recall():
    day = generate_day(3_000, 60)
    found, _ = depth.check_depth_blindness(day.trades, day.depth, day.routes, depth.DepthParams())
    assert {f["trade_id"] for f in found} == day.seeded["depth_blind"]
