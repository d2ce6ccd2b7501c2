"""Variance thresholds, change-control rules and the Exhibit A report, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.platform.approvals import Approval, ApprovalError, tally
from proctor.reserve.changes import REQUIRED_APPROVERS, apply_changes, diff
from proctor.reserve.components import Settings
from proctor.reserve.compute import compute
from proctor.reserve.errors import ReserveError
from proctor.reserve.explain import explain
from proctor.reserve.gates import run_gates
from proctor.reserve.report import exhibit_html, exhibit_json, exhibit_pdf
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.variance import review, unexplained
from proctor.reserve.writer import book_from_tables
from tests.reserve.books import FIRM, carrying_firm

RULES = RuleTable.baseline()


def test_variance_needs_both_ten_percent_and_250000() -> None:
    """+300,000 on 1,000,000 (30%) breaches; +300,000 on 5,000,000 (6%) does not; +200,000 on
    500,000 (40%) does not: both limits must be exceeded."""
    prev = {"1": 1_000_000_00, "2": 5_000_000_00, "3": 500_000_00}
    cur = {"1": 1_300_000_00, "2": 5_300_000_00, "3": 700_000_00}
    assert [b.key for b in review(prev, cur, {}, {}, RULES)] == ["line:1"]


def test_fall_to_zero_and_components_appearing_or_vanishing() -> None:
    breaches = review(
        {"7": 70_000}, {"7": 0}, {"accounts.short_market_value": 800_000}, {"other.bank_loan": 5}, RULES
    )
    assert [(b.key, b.kind) for b in breaches] == [
        ("line:7", "fell_to_zero"),
        ("component:accounts.short_market_value", "vanished"),
        ("component:other.bank_loan", "appeared"),
    ]
    assert [b.key for b in unexplained(breaches, {"line:7": "Short difference resolved on 3 March."})] == [
        "component:accounts.short_market_value",
        "component:other.bank_loan",
    ]


def test_zeroed_short_market_value_is_flagged_by_variance_review_too() -> None:
    """Even if the gates were bypassed, the week the feed zeroes short market value is a breach."""
    book = book_from_tables(carrying_firm(), FIRM)
    before = compute(book, RULES, Settings("customer", date(2026, 3, 6)))
    tables = carrying_firm()
    tables["accounts"][2]["short_market_value"] = "0.00"
    after = compute(book_from_tables(tables, FIRM), RULES, Settings("customer", date(2026, 3, 13)))
    keys = {
        b.key
        for b in review(
            before.line_amounts(),
            after.line_amounts(),
            before.component_amounts(),
            after.component_amounts(),
            RULES,
        )
    }
    assert "component:accounts.short_market_value" in keys


def test_approval_needs_two_people_other_than_the_proposer() -> None:
    what, needed = "formula proposal RCP-1", REQUIRED_APPROVERS
    one = tally(what, "fiona", [Approval("carl", "principal")], needed)
    assert (one.complete, one.approvers) == (False, ["carl"])
    with pytest.raises(ApprovalError, match="already approved"):
        tally(what, "fiona", [Approval("carl", "principal"), Approval("carl", "principal")], needed)
    two = [Approval("carl", "principal"), Approval("paula", "principal")]
    assert tally(what, "fiona", two, needed).complete
    with pytest.raises(ApprovalError, match="proposer cannot approve"):
        tally(what, "fiona", [Approval("fiona", "finop")], needed)


def test_changes_are_validated_and_diffed() -> None:
    new = apply_changes(RULES, [{"op": "set_param", "name": "variance_abs", "value": "100000.00"}], "v2")
    assert diff(RULES, new) == [{"what": "param variance_abs", "old": "250000.00", "new": "100000.00"}]
    assert new.digest != RULES.digest
    with pytest.raises(ReserveError, match=r"mandatory component accounts\.short_market_value is not mapped"):
        apply_changes(RULES, [{"op": "unmap_component", "component": "accounts.short_market_value"}], "bad")
    with pytest.raises(ReserveError, match="unknown component"):
        apply_changes(RULES, [{"op": "map_component", "component": "accounts.nothing", "item": "1"}], "bad")


def test_explain_goes_down_to_accounts() -> None:
    comp = compute(book_from_tables(carrying_firm(), FIRM), RULES, Settings("customer", date(2026, 3, 6)))
    result = explain(comp.lineage, "10")
    assert result["total"] == 6_800_000
    treatments = {t["treatment"] for t in result["treatments"]}
    assert {
        "excluded: unsecured",
        "excluded: doubtful of collection",
        "excluded: Note E(4) principal-related or affiliate",
        "excluded: Note E(6)",
    } <= treatments
    c002 = explain(comp.lineage, "10", ref="C002")
    assert c002["total"] == 4_000_000 and c002["top"][0]["_row"] == 2


def test_report_carries_focus_mapping_in_json_html_and_pdf() -> None:
    book = book_from_tables(carrying_firm(), FIRM)
    comp = compute(book, RULES, Settings("customer", date(2026, 3, 6), "alternative"))
    doc = exhibit_json(comp, RULES, firm=FIRM["name"], gates=run_gates(book, RULES))
    line1 = next(line for line in doc["lines"] if line["item"] == "1")
    assert (line1["focus_line"], line1["focus_box"], line1["amount"]) == ("1", "4340", "111750.00")
    reduction = next(t for t in doc["totals"] if t["name"] == "debit_reduction")
    assert (reduction["focus_box"], reduction["amount"]) == ("4471", "2691.00")
    assert doc["status"] == "COMPUTED" and doc["unconfirmed_rule_readings"]
    html = exhibit_html(doc)
    assert "Hudson Clearing LLC" in html and "4340" in html
    assert exhibit_pdf(doc).startswith(b"%PDF")


def test_basic_method_reports_item_10_net_of_note_e3_on_focus_line_12() -> None:
    comp = compute(book_from_tables(carrying_firm(), FIRM), RULES, Settings("customer", date(2026, 3, 6)))
    doc = exhibit_json(comp, RULES, firm="x")
    item10 = next(line for line in doc["lines"] if line["item"] == "10")
    assert (item10["amount"], item10["focus_amount"], item10["focus_box"]) == ("68000.00", "67320.00", "4440")
