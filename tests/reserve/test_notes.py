"""Focused hand checks for Note E(1), E(5), the (e)(5) bank cap and ageing edges."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.reserve.components import Settings
from proctor.reserve.compute import compute
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.writer import book_from_tables
from tests.reserve.books import account, position

AS_OF = date(2026, 3, 6)
BANK = {
    "bank_account_id": "R1",
    "bank_id": "BK1",
    "bank_name": "Bank One",
    "book": "customer",
    "affiliated": False,
    "bank_equity_capital": "1000000.00",
    "cash": "0.00",
    "qualified_securities": "0.00",
}


@pytest.fixture(scope="module")
def rules() -> RuleTable:
    return RuleTable.baseline()


def _run(rules, accounts, positions=(), banks=(BANK,), tnc="1000000.00", method="basic"):
    book = book_from_tables(
        {"accounts": accounts, "stock_record": list(positions), "bank_accounts": list(banks)},
        {"name": "T", "tentative_net_capital": tnc},
    )
    return compute(book, rules, Settings("customer", AS_OF, method))


def test_e1_collateral_capped_at_140_percent_and_reduction_capped_at_debits(rules) -> None:
    """A1 owes 10,000 and holds 30,000 of AAA: only 14,000 (140%) counts as collateral. A2 owes
    50,000 and holds 40,000 each of BBB and CCC: 70,000 counts, 35,000 of each. Total collateral
    84,000; 15% is 12,600. AAA is 1,400 over; BBB and CCC are 22,400 over each: 46,200 in all,
    each within the debits of the accounts it collateralizes."""
    accounts = [
        account("A1", "margin", debit_balance="10000.00"),
        account("A2", "margin", debit_balance="50000.00"),
    ]
    positions = [
        position("AAA", "account", 1, "30000.00", "A1"),
        position("BBB", "account", 1, "40000.00", "A2"),
        position("CCC", "account", 1, "40000.00", "A2"),
    ]
    c = _run(rules, accounts, positions, tnc="10000000.00")
    assert c.component_amounts()["note_e1.concentration"] == -4_620_000
    assert c.lines["10"].cents == 6_000_000 - 4_620_000


def test_e1_reduction_never_exceeds_the_debits_it_collateralizes(rules) -> None:
    """One account owes 1,000 holding 1,400 of AAA (at the cap); another holds only exempt paper.
    AAA's excess over 15% of all collateral is larger than its 1,000 of debits: reduction 1,000."""
    accounts = [
        account("A1", "margin", debit_balance="1000.00"),
        account("A2", "margin", debit_balance="100.00"),
    ]
    positions = [
        position("AAA", "account", 1, "1400.00", "A1"),
        position("UST", "account", 1, "140.00", "A2", exempt=True),
    ]
    c = _run(rules, accounts, positions)
    assert c.component_amounts()["note_e1.concentration"] == -100_000


def test_e5_uses_the_50000_floor_and_related_accounts(rules) -> None:
    """TNC 100,000: 25% is 25,000, below the 50,000 floor, so the threshold is 50,000. Group G has
    30,000 + 30,000 = 60,000: reduction 10,000. H (60,000) is shown related to credits: none."""
    accounts = [
        account("A1", "margin", debit_balance="30000.00", customer_group="G"),
        account("A2", "margin", debit_balance="30000.00", customer_group="G"),
        account("A3", "margin", debit_balance="60000.00", customer_group="H", related_to_credits=True),
    ]
    c = _run(rules, accounts, tnc="100000.00")
    assert c.component_amounts()["note_e5.single_customer"] == -1_000_000


def test_e5_uses_25_percent_of_tnc_when_larger(rules) -> None:
    """TNC 1,000,000: threshold 250,000; one customer at 300,000.01: reduction 50,000.01."""
    c = _run(rules, [account("A1", "margin", debit_balance="300000.01")], tnc="1000000.00")
    assert c.component_amounts()["note_e5.single_customer"] == -5_000_001


def test_bank_cap_is_per_bank_and_excludes_affiliates(rules) -> None:
    """Two accounts at one bank (equity 1,000,000: cap 150,000) hold 100,000 + 80,000 of cash:
    150,000 counts. Affiliate cash never counts; its qualified securities do."""
    banks = [
        dict(BANK, cash="100000.00"),
        dict(BANK, bank_account_id="R1b", cash="80000.00"),
        dict(
            BANK,
            bank_account_id="R2",
            bank_id="BK2",
            bank_name="Affiliate",
            affiliated=True,
            cash="500000.00",
            qualified_securities="7000.00",
        ),
    ]
    c = _run(rules, [account("A1", credit_balance="500000.00")], banks=banks)
    assert c.on_deposit == 15_000_000 + 700_000
    assert c.deficiency == 50_000_000 - 15_700_000


def test_fails_to_deliver_age_30_is_in_31_is_out(rules) -> None:
    fails = [
        {
            "fail_id": "F30",
            "book": "customer",
            "direction": "deliver",
            "security_id": "A",
            "contract_value": "100.00",
            "market_value": "100.00",
            "age_days": 30,
        },
        {
            "fail_id": "F31",
            "book": "customer",
            "direction": "deliver",
            "security_id": "B",
            "contract_value": "200.00",
            "market_value": "200.00",
            "age_days": 31,
        },
    ]
    book = book_from_tables(
        {"fails": fails, "bank_accounts": [BANK]}, {"name": "T", "tentative_net_capital": "1"}
    )
    c = compute(book, rules, Settings("customer", AS_OF))
    assert c.lines["12"].cents == 10_000
