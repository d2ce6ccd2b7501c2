"""The enforcement case as tests: a feed that drops short market value or withholding HOLDs."""

from __future__ import annotations

import pytest

from proctor.reserve.gates import run_gates
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.writer import book_from_tables
from tests.reserve.books import FIRM, carrying_firm


@pytest.fixture(scope="module")
def rules() -> RuleTable:
    return RuleTable.baseline()


def _failed(tables, rules) -> dict[str, str]:
    report = run_gates(book_from_tables(tables, FIRM), rules)
    return {r.gate: r.reason for r in report.results if not r.passed}


def test_short_market_value_column_missing_holds(rules: RuleTable) -> None:
    tables = carrying_firm()
    for row in tables["accounts"]:
        del row["short_market_value"]
    failed = _failed(tables, rules)
    assert "mandatory.accounts.short_market_value" in failed
    assert "feed has no short market value" in failed["short_market_value.customer"]
    assert "source column missing" in failed["gl_tieout.customer_payables"]
    assert "exceed short credits" in failed["pairing.customer"]


def test_short_market_value_zeroed_holds(rules: RuleTable) -> None:
    """The feed still has the column but every value is 0: the stock record and GL disagree."""
    tables = carrying_firm()
    for row in tables["accounts"]:
        row["short_market_value"] = "0.00"
    failed = _failed(tables, rules)
    assert "does not tie to stock record shorts 8,000.00" in failed["short_market_value.customer"]
    assert "difference 8,000.00" in failed["gl_tieout.customer_payables"]
    assert "pairing.customer" in failed


def test_short_market_value_blank_is_missing_not_zero(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["accounts"][2]["short_market_value"] = ""
    failed = _failed(tables, rules)
    assert "missing on 1 accounts with shorts" in failed["short_market_value.customer"]


def test_withholding_dropped_holds(rules: RuleTable) -> None:
    tables = carrying_firm()
    for row in tables["accounts"]:
        del row["withholding_payable"]
    failed = _failed(tables, rules)
    assert "mandatory.accounts.withholding_payable" in failed
    assert "gl_tieout.customer_withholding_payable" in failed


def test_gl_must_state_every_tieout_category(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["trial_balance"] = [r for r in tables["trial_balance"] if r["category"] != "bank_overdrafts"]
    failed = _failed(tables, rules)
    assert "a zero must be stated" in failed["gl_tieout.bank_overdrafts"]


def test_unprocessed_checks_missing_from_the_feed_holds(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["other_items"] = [r for r in tables["other_items"] if r["kind"] != "unprocessed_check"]
    assert "gl_tieout.unprocessed_checks" in _failed(tables, rules)


def test_stock_record_out_of_balance_holds(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["stock_record"][1]["quantity"] = -999
    assert "1 securities out of balance" in _failed(tables, rules)["stock_record_balance"]


def test_control_total_disagreement_holds(rules: RuleTable) -> None:
    from proctor.reserve.loaders import ControlTotals

    book = book_from_tables(carrying_firm(), FIRM)
    loaded = book.files["accounts"]
    loaded.control = ControlTotals(
        "trailer", loaded.control.rows, {**loaded.control.totals, "short_market_value": 1}
    )
    report = run_gates(book, rules)
    assert report.hold
    assert any("short_market_value: control 0.01, file 8,000.00" in r for r in report.reasons())


def test_missing_age_tnc_and_bank_equity_hold(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["stock_record"][6]["age_days"] = None
    tables["bank_accounts"][0]["bank_equity_capital"] = None
    report = run_gates(book_from_tables(tables, {"name": "Hudson Clearing LLC"}), rules)
    failed = {r.gate for r in report.results if not r.passed}
    assert {"ageing_present", "tentative_net_capital", "bank_equity_capital"} <= failed
