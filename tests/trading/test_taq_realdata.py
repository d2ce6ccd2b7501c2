"""The real TAQ sample: Proctor says the data are unfit, with figures, and raises no trade-throughs."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.platform.alerts import AlertQuery
from proctor.trading import store
from proctor.trading.controls import DATA_QUALITY, TRADE_THROUGH
from proctor.trading.daily import evaluate_day
from proctor.trading.report import summarise
from tests.conftest import SHARED_DATA

TAQ = SHARED_DATA / "taq_sample"


@pytest.fixture
def taq_ws(sqlite_ws):  # type: ignore[no-untyped-def]
    if not (TAQ / "quotes.csv.gz").exists():
        pytest.skip(f"real TAQ sample not present at {TAQ}")
    q = store.import_file(sqlite_ws, "quotes", TAQ / "quotes.csv.gz", actor="ada", lots=True)
    t = store.import_file(sqlite_ws, "trades", TAQ / "trades.csv.gz", actor="ada", fmt="taq")
    assert (q["rows_read"], q["rows_stored"], q["quarantined"]) == (131_401, 131_401, 0)
    assert (t["rows_read"], t["rows_stored"], t["quarantined"]) == (77_263, 77_261, 2)  # CORR 8 and 10
    return sqlite_ws


def test_both_days_are_unfit_with_figures(taq_ws) -> None:
    figures = {}
    for day in (date(2018, 1, 2), date(2018, 1, 3)):
        summary = summarise(evaluate_day(taq_ws, day))
        (xxx,) = summary["symbol_days"]
        assert xxx["verdict"] == "UNFIT" and not xxx["checked"]
        gates = {g["name"]: g for g in xxx["gates"]["gates"]}
        assert gates["crossed_market"]["status"] == "FAIL" and gates["stale_quotes"]["status"] == "FAIL"
        figures[day] = gates["crossed_market"]["figures"]["crossed_share"]
        assert summary["violations"] == [] and summary["desks"] == []
    assert 0.50 < figures[date(2018, 1, 2)] < 0.60  # the provenance notes: about half of the states crossed
    assert 0.40 < figures[date(2018, 1, 3)] < 0.50


def test_the_controls_hold_instead_of_raising_thousands_of_trade_throughs(taq_ws) -> None:
    dq = taq_ws.controls.run(DATA_QUALITY, actor="ada")
    tt = taq_ws.controls.run(TRADE_THROUGH, actor="ada")
    assert dq["outcome"] == "findings" and tt["outcome"] == "passed"
    rows, _ = taq_ws.alerts.query(AlertQuery(page_size=100))
    assert sorted(r["control"] for r in rows) == [DATA_QUALITY, DATA_QUALITY]
    alert = taq_ws.alerts.get(rows[0]["id"])
    assert "crossed" in alert["title"] and alert["evidence"]["verdict"] == "UNFIT"
