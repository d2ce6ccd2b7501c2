"""The canonical input files a reserve computation reads, described once.

Each file is CSV or Parquet with a control total (a CSV trailer line or a companion
`<name>.control.json`). Columns are typed here so that loaders, gates, the documentation and the
synthetic benchmark book all agree; `docs/reserve.md` is generated from the same descriptions.

Column kinds: str, enum (fixed values), money (decimal text to the cent), int, bool, share (a
fraction 0..1 to four places, held as basis points). A column marked `conditional` may be absent
from a feed: the loader keeps it as missing (null), never as zero, and the gates decide whether
its absence stops the computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOOK_VALUES = ("customer", "pab")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = True
    conditional: bool = False
    values: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class FileSchema:
    name: str
    doc: str
    columns: tuple[Column, ...]
    totals: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _book() -> Column:
    return Column("book", "enum", values=BOOK_VALUES, doc="customer or pab")


SCHEMAS: dict[str, FileSchema] = {
    s.name: s
    for s in (
        FileSchema(
            "trial_balance",
            "General-ledger trial balance at the as-of date, natural-side balances.",
            (
                Column("gl_account", "str", doc="GL account number"),
                Column("description", "str", required=False),
                Column("category", "str", doc="tie-out category, e.g. customer_payables"),
                Column("balance", "money", doc="balance on the account's natural side"),
            ),
            totals=("balance",),
        ),
        FileSchema(
            "accounts",
            "Customer and PAB account balances, one row per account.",
            (
                Column("account_id", "str"),
                _book(),
                Column("account_type", "enum", values=("cash", "margin", "short", "omnibus", "other")),
                Column("customer_group", "str", required=False, doc="related accounts for Note E(5)"),
                Column("credit_balance", "money", doc="free and other credit balances"),
                Column("debit_balance", "money"),
                Column("short_market_value", "money", conditional=True, doc="credit in short account"),
                Column("withholding_payable", "money", conditional=True, doc="taxes withheld, unremitted"),
                Column("omnibus_deficit", "money", conditional=True, doc="Note E(2) deficit"),
                Column("unsecured", "bool"),
                Column("doubtful", "bool"),
                Column("principal_related", "bool", doc="principal, household member, related person"),
                Column("affiliate", "bool"),
                Column("related_to_credits", "bool", required=False, doc="E(4)/E(5) demonstrated"),
                Column("note_e6_excluded", "bool", required=False),
                Column(
                    "noncustomer_share", "share", required=False, doc="non-customer part of a mixed account"
                ),
            ),
            totals=("credit_balance", "debit_balance", "short_market_value", "withholding_payable"),
        ),
        FileSchema(
            "stock_record",
            "Stock record: every position and location, quantity signed (+ long, - short).",
            (
                Column("security_id", "str"),
                Column(
                    "location",
                    "enum",
                    values=(
                        "account",
                        "depository",
                        "vault",
                        "bank_loan",
                        "stock_loan",
                        "stock_borrow",
                        "fail_to_deliver",
                        "fail_to_receive",
                        "dividend_receivable",
                        "short_difference",
                        "suspense",
                        "transfer",
                        "other",
                    ),
                ),
                Column("account_id", "str", required=False, doc="for location account"),
                Column("quantity", "int"),
                Column("market_value", "money", doc="absolute market value of the quantity"),
                Column("age_days", "int", required=False),
                Column("confirmed", "bool", required=False, doc="transfer confirmed by agent"),
                Column("exempt", "bool", required=False, doc="exempted security (Note E(1))"),
            ),
            totals=("market_value",),
        ),
        FileSchema(
            "fails",
            "Fails to deliver and to receive with age.",
            (
                Column("fail_id", "str"),
                _book(),
                Column("direction", "enum", values=("deliver", "receive")),
                Column("security_id", "str"),
                Column("account_id", "str", required=False),
                Column("contract_value", "money"),
                Column("market_value", "money"),
                Column("age_days", "int"),
            ),
            totals=("contract_value",),
        ),
        FileSchema(
            "stock_loan_borrow",
            "Stock loan and borrow contracts with purpose.",
            (
                Column("contract_id", "str"),
                _book(),
                Column("direction", "enum", values=("loan", "borrow")),
                Column(
                    "purpose",
                    "enum",
                    values=("customer_short", "customer_ftd", "customer_securities", "firm", "other"),
                ),
                Column("security_id", "str"),
                Column("contract_value", "money"),
                Column("market_value", "money"),
            ),
            totals=("contract_value",),
        ),
        FileSchema(
            "clearing_margin",
            "Options, security-futures and Treasury clearing margin for customer positions.",
            (
                Column("margin_id", "str"),
                _book(),
                Column("agency", "enum", values=("occ", "security_futures", "treasury")),
                Column("required", "money"),
                Column("on_deposit", "money"),
                Column("qualifies", "bool", doc="conditions of Note F, G or H met"),
            ),
            totals=("required", "on_deposit"),
        ),
        FileSchema(
            "bank_accounts",
            "Special reserve bank accounts and what is on deposit.",
            (
                Column("bank_account_id", "str"),
                Column("bank_id", "str"),
                Column("bank_name", "str"),
                _book(),
                Column("affiliated", "bool"),
                Column("bank_equity_capital", "money", conditional=True, doc="latest Call Report"),
                Column("cash", "money"),
                Column("qualified_securities", "money"),
            ),
            totals=("cash", "qualified_securities"),
        ),
        FileSchema(
            "other_items",
            "Other reserve items: drafts, overdrafts, bank loans, principal-sale credits, other.",
            (
                Column("item_ref", "str"),
                _book(),
                Column(
                    "kind",
                    "enum",
                    values=(
                        "outstanding_draft",
                        "bank_overdraft",
                        "unprocessed_check",
                        "dividend_payable",
                        "bank_loan",
                        "letter_of_credit",
                        "principal_sale_credit",
                        "other_credit",
                        "pab_commission_payable",
                        "other_debit",
                    ),
                ),
                Column("account_id", "str", required=False),
                Column("amount", "money"),
                Column("age_days", "int", required=False),
                Column("description", "str", required=False),
            ),
            totals=("amount",),
        ),
    )
}

FIRM_FILE = "firm.json"
