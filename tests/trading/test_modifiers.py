"""Modifier reconciliation, supervisor attribution and the FINRA report card."""

from proctor.trading import modifiers
from proctor.trading.iso_synthetic import generate_day
from proctor.trading.params import DEFAULT_MODIFIER_CODES


def test_every_modifier_without_its_evidence_is_listed():
    day = generate_day(2_000, 40)
    rows = modifiers.reconcile_modifiers(day.trades, day.routes, day.evidence, DEFAULT_MODIFIER_CODES)
    assert {r["trade_id"] for r in rows} == day.seeded["modifier_no_evidence"]
    assert {r["clause"] for r in rows} <= {"611(b)(6)", "611(b)(7)"}


class FakeDirectory:
    def supervisors_of(self, who):
        return {"mdesk1": ["paula"], "MANUAL": ["carl"]}.get(who, [])


def test_supervisors_by_trader_then_desk():
    d = FakeDirectory()
    assert modifiers.supervisors_for(d, "mdesk1", "MANUAL") == (["paula"], "trader")
    assert modifiers.supervisors_for(d, "nobody", "MANUAL") == (["carl"], "desk")
    assert modifiers.supervisors_for(d, "nobody", "NONE") == ([], "unrouted")
    assert modifiers.supervisors_for(None, "x", "y") == ([], "no firm directory")


CARD = b"""Trade Date,Symbol,Execution Time,Price,Quantity,Trade Reference Number
2026-03-02,IBM,14:30:00+00:00,100.02,500,T1
2026-03-02,IBM,14:31:00+00:00,100.05,100,
2026-03-02,IBM,14:32:00+00:00,abc,100,T3
"""


def test_report_card_reconciled_both_ways():
    card = modifiers.read_report_card(CARD, "card.csv")
    assert card.quarantine == [
        {"file": "card.csv", "row": 4, "field": "Price", "reason": "not a price: 'abc'"}
    ]
    ours = [
        {
            "trade_id": "T1",
            "symbol": "IBM",
            "ts": 1_772_461_800_000_000_000,
            "price": 100_020_000,
            "quantity": 500,
        },
        {
            "trade_id": "T7",
            "symbol": "IBM",
            "ts": 1_772_462_000_000_000_000,
            "price": 99_000_000,
            "quantity": 100,
        },
    ]
    out = modifiers.reconcile_report_card(card, ours)
    assert [m["trade_id"] for m in out["matched"]] == ["T1"]
    assert [r["price"] for r in out["finra_only"]] == [100_050_000]
    assert [f["trade_id"] for f in out["proctor_only"]] == ["T7"]


def test_report_card_without_needed_columns_is_refused():
    import pytest

    with pytest.raises(modifiers.ReportCardError, match="missing column"):
        modifiers.read_report_card(b"Symbol,Price\nIBM,1\n", "bad.csv")
