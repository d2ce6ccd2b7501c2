"""A small carrying firm's books, as literal tables a FINOP can foot by hand.

Every amount is chosen so each Exhibit A item and note can be checked with a pencil; the expected
figures in the tests are worked out in the test docstrings from these rows.
"""

from __future__ import annotations

import copy
from typing import Any

FALSE = False


def account(account_id: str, account_type: str = "cash", book: str = "customer", **kw: Any) -> dict[str, Any]:
    row = {
        "account_id": account_id,
        "book": book,
        "account_type": account_type,
        "credit_balance": "0.00",
        "debit_balance": "0.00",
        "short_market_value": "0.00",
        "withholding_payable": "0.00",
        "omnibus_deficit": "0.00",
        "unsecured": FALSE,
        "doubtful": FALSE,
        "principal_related": FALSE,
        "affiliate": FALSE,
        "related_to_credits": FALSE,
        "note_e6_excluded": FALSE,
        "noncustomer_share": "0",
        "customer_group": None,
    }
    row.update(kw)
    return row


def position(
    security: str, location: str, qty: int, mv: str, account_id: str | None = None, **kw: Any
) -> dict[str, Any]:
    row = {
        "security_id": security,
        "location": location,
        "account_id": account_id,
        "quantity": qty,
        "market_value": mv,
        "age_days": kw.pop("age", None),
        "confirmed": kw.pop("confirmed", None),
        "exempt": kw.pop("exempt", None),
    }
    row.update(kw)
    return row


def other(ref: str, kind: str, amount: str, book: str = "customer", age: int | None = None) -> dict[str, Any]:
    return {
        "item_ref": ref,
        "book": book,
        "kind": kind,
        "amount": amount,
        "age_days": age,
        "account_id": None,
        "description": kind.replace("_", " "),
    }


def gl(category: str, balance: str) -> dict[str, Any]:
    return {"gl_account": f"GL-{category}", "description": category, "category": category, "balance": balance}


CARRYING_FIRM: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        account("C001", credit_balance="100000.00"),
        account("C002", "margin", debit_balance="40000.00", customer_group="G1"),
        account("C003", "short", short_market_value="8000.00"),
        account("C004", credit_balance="2000.00", withholding_payable="150.00"),
        account("C005", "margin", debit_balance="5000.00", unsecured=True),
        account("C006", "margin", debit_balance="3000.00", doubtful=True),
        account("C007", "margin", debit_balance="7000.00", principal_related=True),
        account("C008", "margin", debit_balance="1000.00", affiliate=True, related_to_credits=True),
        account("C009", "omnibus", debit_balance="20000.00", omnibus_deficit="2500.00"),
        account("C010", credit_balance="1000.00", noncustomer_share="0.25"),
        account("C011", "margin", debit_balance="1000.01", noncustomer_share="0.5"),
        account("C012", "margin", debit_balance="900.00", note_e6_excluded=True),
        account("C013", "margin", debit_balance="15000.00", customer_group="G1"),
        account("P001", book="pab", credit_balance="30000.00"),
        account("P002", "margin", book="pab", debit_balance="12000.00"),
    ],
    "stock_record": [
        position("XYZ", "account", 1000, "50000.00", "C002", exempt=True),
        position("XYZ", "depository", -1000, "50000.00"),
        position("ABC", "account", 200, "10000.00", "C013"),
        position("ABC", "depository", -200, "10000.00"),
        position("SHRT", "account", -100, "8000.00", "C003"),
        position("SHRT", "stock_borrow", 100, "8000.00"),
        position("DIV", "dividend_receivable", 10, "300.00", age=45),
        position("DIV", "other", -10, "300.00"),
        position("SD1", "short_difference", -5, "700.00", age=40),
        position("SD1", "vault", 5, "700.00"),
        position("SD2", "short_difference", -2, "100.00", age=10),
        position("SD2", "vault", 2, "100.00"),
        position("SUS", "suspense", -3, "450.00", age=31),
        position("SUS", "other", 3, "450.00"),
        position("TRF", "transfer", 4, "1200.00", age=41, confirmed=False),
        position("TRF", "other", -4, "1200.00"),
        position("TRF2", "transfer", 1, "100.00", age=50, confirmed=True),
        position("TRF2", "other", -1, "100.00"),
    ],
    "fails": [
        {
            "fail_id": "F1",
            "book": "customer",
            "direction": "receive",
            "security_id": "AAA",
            "contract_value": "4000.00",
            "market_value": "4600.00",
            "age_days": 35,
        },
        {
            "fail_id": "F2",
            "book": "customer",
            "direction": "receive",
            "security_id": "BBB",
            "contract_value": "1000.00",
            "market_value": "1300.00",
            "age_days": 10,
        },
        {
            "fail_id": "F3",
            "book": "customer",
            "direction": "deliver",
            "security_id": "CCC",
            "contract_value": "2000.00",
            "market_value": "2000.00",
            "age_days": 5,
        },
        {
            "fail_id": "F4",
            "book": "customer",
            "direction": "deliver",
            "security_id": "DDD",
            "contract_value": "3000.00",
            "market_value": "3000.00",
            "age_days": 31,
        },
    ],
    "stock_loan_borrow": [
        {
            "contract_id": "L1",
            "book": "customer",
            "direction": "loan",
            "purpose": "customer_securities",
            "security_id": "XYZ",
            "contract_value": "9000.00",
            "market_value": "9500.00",
        },
        {
            "contract_id": "B1",
            "book": "customer",
            "direction": "borrow",
            "purpose": "customer_short",
            "security_id": "SHRT",
            "contract_value": "8000.00",
            "market_value": "8000.00",
        },
        {
            "contract_id": "B2",
            "book": "customer",
            "direction": "borrow",
            "purpose": "customer_ftd",
            "security_id": "CCC",
            "contract_value": "1200.00",
            "market_value": "1200.00",
        },
        {
            "contract_id": "B3",
            "book": "customer",
            "direction": "borrow",
            "purpose": "firm",
            "security_id": "EEE",
            "contract_value": "5000.00",
            "market_value": "5000.00",
        },
    ],
    "clearing_margin": [
        {
            "margin_id": "M1",
            "book": "customer",
            "agency": "occ",
            "required": "5000.00",
            "on_deposit": "6000.00",
            "qualifies": True,
        },
        {
            "margin_id": "M2",
            "book": "customer",
            "agency": "security_futures",
            "required": "2000.00",
            "on_deposit": "1500.00",
            "qualifies": True,
        },
        {
            "margin_id": "M3",
            "book": "customer",
            "agency": "treasury",
            "required": "4000.00",
            "on_deposit": "4000.00",
            "qualifies": True,
        },
        {
            "margin_id": "M4",
            "book": "customer",
            "agency": "occ",
            "required": "1000.00",
            "on_deposit": "1000.00",
            "qualifies": False,
        },
    ],
    "bank_accounts": [
        {
            "bank_account_id": "R1",
            "bank_id": "BK1",
            "bank_name": "Bank One",
            "book": "customer",
            "affiliated": False,
            "bank_equity_capital": "100000.00",
            "cash": "20000.00",
            "qualified_securities": "30000.00",
        },
        {
            "bank_account_id": "R2",
            "bank_id": "BK2",
            "bank_name": "Affiliate Bank",
            "book": "customer",
            "affiliated": True,
            "bank_equity_capital": "900000.00",
            "cash": "10000.00",
            "qualified_securities": "0.00",
        },
        {
            "bank_account_id": "R3",
            "bank_id": "BK1",
            "bank_name": "Bank One",
            "book": "pab",
            "affiliated": False,
            "bank_equity_capital": "100000.00",
            "cash": "5000.00",
            "qualified_securities": "0.00",
        },
    ],
    "other_items": [
        other("D1", "outstanding_draft", "500.00"),
        other("O1", "bank_overdraft", "250.00"),
        other("U1", "unprocessed_check", "100.00"),
        other("BL1", "bank_loan", "15000.00"),
        other("LC1", "letter_of_credit", "1000.00"),
        other("PS1", "principal_sale_credit", "600.00"),
        other("OC1", "other_credit", "50.00"),
        other("DV1", "dividend_payable", "70.00"),
        other("CD1", "other_debit", "400.00", book="pab"),
        other("PC1", "pab_commission_payable", "300.00", book="pab", age=10),
        other("PC2", "pab_commission_payable", "200.00", book="pab", age=45),
    ],
    "trial_balance": [
        gl("customer_payables", "111000.00"),
        gl("customer_withholding_payable", "150.00"),
        gl("customer_receivables", "92900.01"),
        gl("pab_payables", "30000.00"),
        gl("pab_receivables", "12000.00"),
        gl("securities_borrowed", "14200.00"),
        gl("securities_loaned", "9000.00"),
        gl("drafts_payable", "500.00"),
        gl("bank_overdrafts", "250.00"),
        gl("unprocessed_checks", "100.00"),
    ],
}

FIRM = {"name": "Hudson Clearing LLC", "tentative_net_capital": "100000.00"}


def carrying_firm() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(CARRYING_FIRM)
