"""Hand-checked Exhibit A computations for the small carrying firm in `books.py`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from proctor.reserve.components import Settings
from proctor.reserve.compute import compute, compute_both
from proctor.reserve.gates import run_gates
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.writer import book_from_tables
from tests.reserve.books import FIRM, carrying_firm

AS_OF = date(2026, 3, 6)  # a Friday


@pytest.fixture(scope="module")
def rules() -> RuleTable:
    return RuleTable.baseline()


@pytest.fixture(scope="module")
def weekly_basic(rules: RuleTable):
    book = book_from_tables(carrying_firm(), FIRM)
    return compute_both(book, rules, Settings("customer", AS_OF))


def test_the_fixture_passes_every_gate(rules: RuleTable) -> None:
    report = run_gates(book_from_tables(carrying_firm(), FIRM), rules)
    assert report.reasons() == []


def test_credit_items_foot_by_hand(weekly_basic) -> None:
    """Item 1: free credits 100,000 + 2,000 + 750 (C010 at 75%) + short market value 8,000 +
    withholding 150 + Note A draft 500 and overdraft 250 + unprocessed check 100 = 111,750.00.
    Item 2: bank loan 15,000 + Note B letter of credit 1,000. Item 3: loan 9,000 + Note C 500.
    Item 4: fails to receive 4,000 + 1,000 + Note D 600 (F1 over 30 days). Item 5: 600.
    Items 6-9: dividend 300 (45 days), short difference 700 (40 days; SD2 at 10 days is not aged),
    suspense short 450 (31 days), unconfirmed transfer 1,200 (41 days; TRF2 is confirmed)."""
    customer, _ = weekly_basic
    got = customer.line_amounts()
    assert got["1"] == 11_175_000
    assert got["2"] == 1_600_000
    assert got["3"] == 950_000
    assert got["4"] == 560_000
    assert got["5"] == 60_000
    assert (got["6"], got["7"], got["8"], got["9"]) == (30_000, 70_000, 45_000, 120_000)
    assert got["credit_other"] == 5_000
    assert customer.total_credits == 14_615_000


def test_debit_items_and_note_e(weekly_basic) -> None:
    """Item 10: C002 40,000 + C008 1,000 (affiliate, related to credits) + C009 omnibus 20,000 less
    E(2) deficit 2,500 + C011 half of 1,000.01 rounded down to 500.00 + C013 15,000 = 73,500; less
    E(1) ABC 10,000 over 15% of 60,000 collateral = 1,000 (XYZ is exempt); less E(5) group G1
    55,000 over max(25% of 100,000, 50,000) = 5,000. Excluded: C005 unsecured, C006 doubtful, C007
    principal-related (E(4)), C012 (E(6)). Item 10 = 68,000.00. Items 11-15: 9,200, 2,000 (F4 is
    31 days old), 5,000 (M4 fails Note F), 1,500 (lesser of required/deposit), 4,000."""
    customer, _ = weekly_basic
    got = customer.line_amounts()
    assert got["10"] == 6_800_000
    assert customer.lines["10"].rounding == Decimal("-0.5")
    assert (got["11"], got["12"], got["13"], got["14"], got["15"]) == (
        920_000,
        200_000,
        500_000,
        150_000,
        400_000,
    )
    assert customer.aggregate_debits == 8_970_000
    comps = customer.component_amounts()
    assert comps["note_e1.concentration"] == -100_000
    assert comps["note_e5.single_customer"] == -500_000
    assert comps["accounts.omnibus_deficit"] == -250_000


def test_basic_method_requirement_and_deposit(weekly_basic) -> None:
    """E(3): 1% of 68,000 = 680. Total debits 89,020; Item 16 = 146,150 - 89,020 = 57,130.
    On deposit: Bank One cash 20,000 capped at 15% of 100,000 equity = 15,000, plus qualified
    securities 30,000; Affiliate Bank cash excluded. 45,000 on deposit: deficiency 12,130, due
    Tuesday 10 March 2026 at 10:00 New York (one hour after a 9:00 opening)."""
    customer, _ = weekly_basic
    assert customer.debit_reduction == 68_000
    assert customer.total_debits == 8_902_000
    assert customer.item16 == customer.requirement == 5_713_000
    assert customer.on_deposit == 4_500_000
    assert customer.deficiency == 1_213_000
    assert customer.deadline is not None and customer.deadline.isoformat() == "2026-03-10T10:00:00-04:00"
    affiliate = next(b for b in customer.banks if b.affiliated)
    assert affiliate.eligible == 0 and affiliate.excluded_cash == 1_000_000
    capped = next(b for b in customer.banks if b.bank_id == "BK1")
    assert capped.cash_cap == 1_500_000 and capped.excluded_cash == 500_000


def test_alternative_method_weekly_three_percent(rules: RuleTable) -> None:
    """3% of aggregate debits 89,700 = 2,691. Short differences age in business days under the
    alternative method: SD2 is 10 calendar days (8 business days, over 7) old, so Item 7 adds 100
    and credits are 146,250. 146,250 - 87,009 = 59,241."""
    book = book_from_tables(carrying_firm(), FIRM)
    c = compute(book, rules, Settings("customer", AS_OF, "alternative", "weekly"))
    assert c.debit_reduction == 269_100
    assert c.lines["7"].cents == 80_000
    assert c.requirement == 5_924_100


def test_alternative_method_daily_two_percent(rules: RuleTable) -> None:
    """2% of 89,700 = 1,794; credits 146,250 (as above) - 87,906 = 58,344."""
    book = book_from_tables(carrying_firm(), FIRM)
    c = compute(book, rules, Settings("customer", AS_OF, "alternative", "daily"))
    assert c.debit_reduction == 179_400
    assert c.requirement == 5_834_400


def test_monthly_deposits_105_percent_rounded_up(rules: RuleTable) -> None:
    """105% of 57,130.00 = 59,986.50 exactly; 105% of 57,130.01 = 59,986.5105 rounds up to .52
    (0.95 of a cent of rounding, shown separately)."""
    book = book_from_tables(carrying_firm(), FIRM)
    c = compute(book, rules, Settings("customer", AS_OF, "basic", "monthly"))
    assert c.item16 == 5_713_000
    assert c.requirement == 5_998_650
    tables = carrying_firm()
    tables["accounts"][0]["credit_balance"] = "100000.01"
    c2 = compute(book_from_tables(tables, FIRM), rules, Settings("customer", AS_OF, "basic", "monthly"))
    assert c2.requirement == 5_998_652
    assert c2.requirement_rounding == Decimal("0.95")


def test_pab_computation(weekly_basic) -> None:
    """PAB credits: P001 30,000 + commission payable aged 45 days 200 (the 10-day one is left out
    under the PAB note). Debits: P002 12,000 (no 1% reduction, no E(1)) + clearing deposit 400.
    Requirement 17,800; Bank One PAB cash 5,000 under its cap: deficiency 12,800."""
    _, pab = weekly_basic
    assert pab.total_credits == 3_020_000
    assert pab.aggregate_debits == 1_240_000
    assert pab.debit_reduction == 0
    assert pab.requirement == 1_780_000
    assert pab.deficiency == 1_280_000


def test_customer_excess_debits_reduce_pab_but_never_the_reverse(rules: RuleTable) -> None:
    """Raise customer debits so the customer side has 10,000 of excess debits: PAB falls to 7,800.
    Then give PAB excess debits instead: the customer requirement is unchanged."""
    tables = carrying_firm()
    tables["accounts"][0]["credit_balance"] = "28880.00"  # customer credits now 75,030: excess debits 13,990
    tables["trial_balance"][0]["balance"] = "39880.00"
    customer, pab = compute_both(book_from_tables(tables, FIRM), rules, Settings("customer", AS_OF))
    assert customer.requirement == 0
    assert customer.excess_debits == 1_399_000
    assert pab.customer_excess_debits_applied == 1_399_000
    assert pab.requirement == 381_000

    tables = carrying_firm()
    tables["accounts"][14]["debit_balance"] = "90000.00"  # PAB debits far above PAB credits
    customer2, pab2 = compute_both(book_from_tables(tables, FIRM), rules, Settings("customer", AS_OF))
    assert pab2.requirement == 0 and pab2.excess_debits > 0
    assert customer2.requirement == 5_713_000


def test_every_dollar_traces_to_a_source_row(weekly_basic) -> None:
    customer, _ = weekly_basic
    row_level = customer.lineage.filter(customer.lineage["_row"].is_not_null())
    assert row_level["_row_hash"].null_count() == 0
    assert set(row_level["_file"].unique()) <= {
        "accounts.csv",
        "other_items.csv",
        "stock_loan_borrow.csv",
        "fails.csv",
        "stock_record.csv",
        "clearing_margin.csv",
    }
    assert int(customer.lineage["amount"].sum()) == customer.total_credits + customer.aggregate_debits


def test_unmapped_component_is_reported_not_dropped(weekly_basic) -> None:
    customer, _ = weekly_basic
    assert customer.unmapped == {"other.dividend_payable": 7_000}
