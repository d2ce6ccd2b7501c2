"""The named source components the rule table may map onto Exhibit A lines.

A mapping change (which component feeds which line) is a formula change and goes through change
control; keeping the names in one catalogue lets the rule table be validated before it is used, so
a typo cannot silently drop a component from the computation.
"""

from __future__ import annotations

COMPONENTS: dict[str, str] = {
    "accounts.free_credit": "accounts: credit_balance (cash and margin credits, omnibus credits)",
    "accounts.short_market_value": "accounts: short_market_value (short-account credits, marked to market)",
    "accounts.withholding_payable": "accounts: withholding_payable (taxes withheld, not yet remitted)",
    "accounts.gross_debit": "accounts: debit_balance before any exclusion (GL tie-out only)",
    "accounts.debit_balance": "accounts: debit_balance net of unsecured, doubtful, E(4) and E(6) exclusions",
    "accounts.omnibus_deficit": "accounts: omnibus_deficit subtracted from omnibus debits (Note E(2))",
    "note_e1.concentration": "stock record x accounts: 15% concentration reduction (Note E(1))",
    "note_e5.single_customer": "accounts: single-customer 25% of tentative net capital reduction (Note E(5))",
    "other.outstanding_draft": "other_items kind outstanding_draft (Note A)",
    "other.bank_overdraft": "other_items kind bank_overdraft: checks drawn over bank balances (Note A)",
    "other.unprocessed_check": "other_items kind unprocessed_check: customer checks not yet credited",
    "other.dividend_payable": "other_items kind dividend_payable: customer distributions payable",
    "other.bank_loan": "other_items kind bank_loan: bank loans collateralized by customer securities",
    "other.letter_of_credit": "other_items kind letter_of_credit (Note B)",
    "other.principal_sale_credit": "other_items kind principal_sale_credit (Item 5)",
    "other.other_credit": "other_items kind other_credit",
    "other.pab_commission_payable": "other_items kind pab_commission_payable, over the PAB ageing limit",
    "other.other_debit": "other_items kind other_debit (e.g. clearing deposits)",
    "loans.customer_securities_loaned": "stock_loan_borrow: loans of customer securities, contract value",
    "loans.note_c_excess": "stock_loan_borrow: market value loaned over collateral (Note C)",
    "loans.customer_short_borrow": "stock_loan_borrow: borrows to effect customer short sales",
    "loans.customer_ftd_borrow": "stock_loan_borrow: borrows to deliver on customer fails to deliver",
    "loans.all_borrows": "stock_loan_borrow: every borrow, contract value (GL tie-out only)",
    "loans.all_loans": "stock_loan_borrow: every loan, contract value (GL tie-out only)",
    "fails.failed_to_receive": "fails: customer fails to receive, contract value",
    "fails.note_d_excess": "fails: market over contract value, fails to receive over 30 days (Note D)",
    "fails.failed_to_deliver_current": "fails: customer fails to deliver not older than the ageing limit",
    "stock.dividend_receivable_aged": "stock_record location dividend_receivable over the ageing limit",
    "stock.short_difference_aged": "stock_record location short_difference over the ageing limit",
    "stock.suspense_short_aged": "stock_record location suspense, short side, over the ageing limit",
    "stock.transfer_unconfirmed_aged": "stock_record location transfer, unconfirmed, over the ageing limit",
    "margin.occ": "clearing_margin agency occ: lesser of required and on deposit, qualifying (Note F)",
    "margin.security_futures": "clearing_margin agency security_futures (Note G)",
    "margin.treasury": "clearing_margin agency treasury (Note H)",
}

# Components that exist only to tie the general ledger; they never feed an Exhibit A line.
TIEOUT_ONLY = frozenset({"accounts.gross_debit", "loans.all_borrows", "loans.all_loans"})
