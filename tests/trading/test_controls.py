"""The Rule 611 controls on a small literal day: what is an alert, what is counted, what is held."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pytest
from typer.testing import CliRunner

from proctor.core.canonical import digest
from proctor.core.errors import InputError
from proctor.platform.alerts import AlertQuery
from proctor.trading import store
from proctor.trading.controls import DATA_QUALITY, TRADE_THROUGH, trade_through_alert
from proctor.trading.daily import evaluate_day
from proctor.trading.report import summarise, to_html
from tests.trading.desk import CLOCK, QUOTES, REFPRICES, TRADES, write

DAY = date(2025, 11, 4)
NO_QUOTES = "B-1,BETA,2025-11-04T10:00:00-05:00,,S,20.00,100,,O-B1,OTC-ELECTRONIC,principal,regular,erin\n"


@pytest.fixture
def desk(ws, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    for kind, name, text in (
        ("quotes", "q.csv", QUOTES),
        ("trades", "t.csv", TRADES + NO_QUOTES),
        ("clock", "c.csv", CLOCK),
        ("refprices", "r.csv", REFPRICES),
    ):
        store.import_file(ws, kind, write(folder, name, text), actor="ada")
    return ws


def _alerts(ws, control):  # type: ignore[no-untyped-def]
    rows, _ = ws.alerts.query(AlertQuery(page_size=1000))
    return [ws.alerts.get(r["id"]) for r in rows if r["control"] == control]


def test_the_manual_trade_through_is_the_one_alert(desk) -> None:
    run = desk.controls.run(TRADE_THROUGH, actor="paula", params={"date": DAY.isoformat()})
    assert run["outcome"] == "findings"
    (alert,) = _alerts(desk, TRADE_THROUGH)
    subjects = {(s["kind"], s["id"]) for s in alert["subjects"]}
    assert {
        ("trading.trade", "A-2"),
        ("user", "mike"),
        ("trading.desk", "OTC-MANUAL"),
        ("trading.order", "O-2"),
    } <= subjects
    ev = alert["evidence"]
    assert [(t["venue"], t["side"], t["price"]) for t in ev["through"]] == [
        ("N", "offer", 10_020_000),
        ("P", "offer", 10_030_000),
        ("Z", "offer", 10_030_000),
    ]
    assert {c["clause"] for c in ev["clauses"]} >= {"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9"}
    assert all(c["result"] != "pass" for c in ev["clauses"])
    assert ev["round_lot"] == {
        "shares": 100,
        "basis": "reference_price",
        "reference_price": 10_120_000,
        "flagged": False,
    }
    assert ev["clock"]["class"] == "robust" and alert["severity"] == "high"
    assert ev["desk"] == "OTC-MANUAL" and ev["trader"] == "mike"
    assert alert["rule_version"].startswith("rule611-2026.1@")


def test_exempt_and_odd_lot_trades_are_counted_not_alerted(desk) -> None:
    result = evaluate_day(desk, DAY)
    status = {r["trade_id"]: (r["status"], r["exempt_clause"], r["note"]) for r in result.results.to_dicts()}
    assert status == {
        "A-1": ("compliant", None, None),
        "A-2": ("violation", None, None),
        "A-3": (
            "compliant",
            None,
            "odd_lot_only_better",
        ),  # Z's 10.01 offer was 40 shares, under the lot of 100
        "A-4": ("exempt", "b2", None),  # sold through the bid, settled cash: not regular way
    }
    summary = summarise(result)
    manual = next(d for d in summary["desks"] if d["desk"] == "OTC-MANUAL")
    assert (manual["trades"], manual["violations"], manual["exempt_by_clause"]) == (2, 1, {"b2": 1})
    assert "UNFIT" in to_html(summary) and "A-2" in to_html(summary)


def test_a_symbol_with_trades_and_no_quotes_is_a_hold_alert(desk) -> None:
    run = desk.controls.run(DATA_QUALITY, actor="paula", params={"date": DAY.isoformat()})
    assert run["summary"]["unfit"] == ["BETA:2025-11-04"]
    (alert,) = _alerts(desk, DATA_QUALITY)
    assert alert["title"].startswith("HOLD: market data UNFIT for the Rule 611 check — BETA 2025-11-04")
    assert alert["evidence"]["verdict"] == "UNFIT" and alert["evidence"]["trades_not_checked"] == 1
    beta = next(s for s in evaluate_day(desk, DAY).symbols if s.symbol == "BETA")
    assert not beta.checked and beta.not_checked_reason.startswith("HOLD")


def test_every_alert_regenerates_identically_from_the_stored_inputs(desk) -> None:
    desk.controls.run(TRADE_THROUGH, actor="paula", params={"date": DAY.isoformat()})
    (stored,) = _alerts(desk, TRADE_THROUGH)
    again = [
        trade_through_alert(r, res)
        for res in [evaluate_day(desk, DAY)]
        for r in res.results.to_dicts()
        if r["status"] == "violation"
    ]
    (draft,) = again
    assert digest(json.loads(json.dumps(draft.evidence))) == digest(stored["evidence"])
    assert draft.key() == evaluate_and_key(desk)
    rerun = desk.controls.run(TRADE_THROUGH, actor="paula", params={"date": DAY.isoformat()})
    assert (
        len(_alerts(desk, TRADE_THROUGH)) == 1
        and rerun["input_hash"]
        == desk.controls.run(TRADE_THROUGH, actor="paula", params={"date": DAY.isoformat()})["input_hash"]
    )


def evaluate_and_key(ws) -> str:  # type: ignore[no-untyped-def]
    res = evaluate_day(ws, DAY)
    return next(
        trade_through_alert(r, res) for r in res.results.to_dicts() if r["status"] == "violation"
    ).key()


def test_a_day_with_nothing_stored_is_no_input(desk) -> None:
    run = desk.controls.run(TRADE_THROUGH, actor="paula", params={"date": "2025-11-05"})
    assert run["outcome"] == "no_input"
    summary = summarise(evaluate_day(desk, date(2025, 11, 5)))
    assert summary["no_data"] and summary["desks"] == [] and "NO DATA" in to_html(summary)


def test_cli_import_run_and_report(ws, tmp_path, monkeypatch) -> None:
    from proctor.cli.main import app

    monkeypatch.setenv("PROCTOR_PASSWORD", "correct horse")
    runner = CliRunner()
    folder = tmp_path / "cli"
    base = ["--workspace", str(ws.path)]
    for kind, text in (("quotes", QUOTES), ("trades", TRADES), ("clock", CLOCK), ("refprices", REFPRICES)):
        path = write(folder, f"{kind}.csv", text)
        result = runner.invoke(app, ["trading", "import", kind, str(path), *base, "--as", "ada"])
        assert result.exit_code == 0, result.output
    bad = write(folder, "bad.csv", "ts,symbol\n")
    result = runner.invoke(app, ["trading", "import", "quotes", str(bad), *base, "--as", "ada"])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2  # one line, exit 2
    assert "bad.csv: missing columns ['venue'" in str(result.exception)
    result = runner.invoke(app, ["trading", "run", "--date", "2025-11-04", *base, "--as", "paula", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [r["outcome"] for r in out["runs"]] == ["passed", "findings"]
    check = out["check"]
    assert check["summary"]["runs"] == [r["id"] for r in out["runs"]]
    stored = pl.read_parquet(io.BytesIO(ws.blobs.get(check["results_blob"])))
    assert stored.sort("trade_id")["status"].to_list() == ["compliant", "violation", "compliant", "exempt"]
    html = tmp_path / "report.html"
    result = runner.invoke(
        app, ["trading", "report", "--date", "2025-11-04", *base, "--json", "--html", str(html)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["symbol_days"][0]["verdict"] == "FIT" and summary["violations"][0]["trade_id"] == "A-2"
    assert "Order protection" in html.read_text("utf-8")
