"""The demo desk: every kind of trade lands in its class, on both sides of the round-lot change."""

from __future__ import annotations

import pytest

from proctor.core.evidence import KeyValues, TableBlock, TimelineBlock
from proctor.platform.alerts import AlertQuery
from proctor.trading.controls import DATA_QUALITY, TRADE_THROUGH
from proctor.trading.daily import evaluate_day
from proctor.trading.demo import DAY1, DAY2, seed_demo
from proctor.trading.evidence import RENDERERS

EXPECTED = {
    "normal": ("compliant", None),
    "through_robust": ("violation", None),
    "through_ordering_dependent": ("violation", None),
    "flicker": ("exempt", "b8"),
    "crossed": ("exempt", "b4"),
    "benchmark": ("exempt", "b7"),
    "stopped_order": ("exempt", "b9"),
    "self_help": ("exempt", "b1"),
    "odd_lot_only": ("compliant", None),
    "through_round_lot_40": ("violation", None),
    "outside_hours": ("outside_hours", None),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # type: ignore[no-untyped-def]
    from proctor.core.clock import FixedClock
    from proctor.core.ids import SequentialIds
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path_factory.mktemp("demo") / "ws", FixedClock())
    ws.ids = SequentialIds()
    from proctor.platform.demo import seed_staff

    seed_staff(ws)
    seeded = seed_demo(ws, "ada")
    yield ws, seeded
    ws.close()


def test_every_scenario_is_classified(demo) -> None:
    ws, seeded = demo
    assert seeded["quarantined"] == 0
    for day in (DAY1, DAY2):
        result = evaluate_day(ws, day)
        by_id = {r["trade_id"]: r for r in result.results.to_dicts()}
        for symbol, scenarios in seeded["scenarios"][day.isoformat()].items():
            for name, trade_id in scenarios.items():
                if name == "no_quotes":
                    assert trade_id not in by_id  # held, not judged
                    continue
                row = by_id[trade_id]
                assert (row["status"], row["exempt_clause"]) == EXPECTED[name], (day, symbol, name)
                if name == "odd_lot_only":
                    assert row["note"] == "odd_lot_only_better"
                if name == "through_ordering_dependent":
                    assert row["clock_class"] == "ordering_dependent"
                if name == "through_robust":
                    assert row["clock_class"] == "robust"


def test_round_lots_follow_the_date_and_the_reference_price(demo) -> None:
    ws, _ = demo
    lots = {
        (s.day, s.symbol): (s.round_lot.shares, s.round_lot.basis)
        for d in (DAY1, DAY2)
        for s in evaluate_day(ws, d).symbols
    }
    assert lots[(DAY1, "MKTL")] == (100, "fixed")
    assert lots[(DAY2, "MKTL")] == (40, "reference_price")
    assert lots[(DAY2, "HBRX")] == (100, "reference_price")
    assert lots[(DAY2, "QRTZ")] == (100, "first_prices_of_day")  # no reference price: flagged


def test_alerts_are_the_violations_and_the_hold(demo) -> None:
    ws, seeded = demo
    ws.controls.run(DATA_QUALITY, actor="ada")
    ws.controls.run(TRADE_THROUGH, actor="ada")
    rows, _ = ws.alerts.query(AlertQuery(page_size=1000))
    alerts = [ws.alerts.get(r["id"]) for r in rows]
    through = sorted(a["evidence"]["trade"]["trade_id"] for a in alerts if a["control"] == TRADE_THROUGH)
    expected = sorted(
        tid
        for day in seeded["scenarios"].values()
        for scenarios in day.values()
        for name, tid in scenarios.items()
        if name.startswith("through")
    )
    assert through == expected and len(through) == 9
    holds = [a for a in alerts if a["control"] == DATA_QUALITY]
    assert [h["subjects"][0]["id"] for h in holds] == ["QRTZ:2025-11-03"]
    sample = next(a for a in alerts if a["control"] == TRADE_THROUGH)
    blocks = RENDERERS[sample["evidence_type"]](sample["evidence"])
    kinds = [type(b) for b in blocks]
    assert kinds == [KeyValues, TableBlock, KeyValues, TimelineBlock, TableBlock, KeyValues]
    ladder = blocks[1]
    assert isinstance(ladder, TableBlock) and ladder.highlight_rows
    assert [r[0] for r in ladder.rows] == ["K", "N", "P", "T", "V", "Z"]  # the six venues that quote
    timeline = blocks[3]
    assert isinstance(timeline, TimelineBlock) and any(p.emphasis for p in timeline.points)
    hold_blocks = RENDERERS[holds[0]["evidence_type"]](holds[0]["evidence"])
    assert isinstance(hold_blocks[1], TableBlock) and hold_blocks[1].highlight_rows
