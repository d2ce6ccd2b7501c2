"""The reserve part of `proctor demo`: a small carrying firm's books over six weeks.

Week 4 is the week a new data source replaces the old account feed and silently drops the short
market value and withholding columns — the enforcement case. The gates HOLD that week; the FINOP
reloads a corrected feed; variance review and sign-off follow. Week 2's feed is later corrected
(an understated credit balance), and a hindsight re-run finds the deficiency it caused. A formula
change (mapping customer dividends payable into Item 1) goes through two approvals and a replay.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from proctor.core.workspace import Workspace
from proctor.platform.calendar import FEDERAL_RESERVE, BusinessCalendar
from proctor.reserve import governance, service
from proctor.reserve.components import Settings
from proctor.reserve.compute import compute_both
from proctor.reserve.money import to_cents
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.writer import book_from_tables, write_book

WEEKS = 6


def _m(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _acct(
    i: int, book: str, kind: str, credit: int = 0, debit: int = 0, smv: int = 0, wh: int = 0, **flags: Any
) -> dict[str, Any]:
    return {
        "account_id": f"{'P' if book == 'pab' else 'C'}{i:04d}",
        "book": book,
        "account_type": kind,
        "credit_balance": _m(credit),
        "debit_balance": _m(debit),
        "short_market_value": _m(smv),
        "withholding_payable": _m(wh),
        "omnibus_deficit": "0.00",
        "unsecured": flags.get("unsecured", False),
        "doubtful": False,
        "principal_related": flags.get("principal_related", False),
        "affiliate": False,
        "related_to_credits": False,
        "customer_group": flags.get("group"),
    }


def demo_tables(
    week: int, *, drop_columns: bool = False, understate: int = 0
) -> dict[str, list[dict[str, Any]]]:
    """One week's books; amounts drift a little week to week as a real book does."""
    g = 100 + week * 2  # percent growth index
    accounts = [
        _acct(i, "customer", "cash", credit=(250_000_00 + i * 7_919_00) * g // 100, wh=(i % 3) * 1_250_00)
        for i in range(1, 21)
    ]
    accounts[0]["credit_balance"] = _m(to_cents(accounts[0]["credit_balance"]) - understate)
    accounts += [
        _acct(i, "customer", "margin", debit=(120_000_00 + i * 3_301_00) * g // 100, group=f"G{i % 4}")
        for i in range(21, 36)
    ]
    shorts = [(i, (80_000_00 + i * 1_111_00) * g // 100) for i in range(36, 44)]
    accounts += [_acct(i, "customer", "short", smv=mv) for i, mv in shorts]
    accounts += [
        _acct(50, "customer", "margin", debit=45_000_00, unsecured=True),
        _acct(51, "customer", "margin", debit=30_000_00, principal_related=True),
        _acct(1, "pab", "cash", credit=900_000_00 * g // 100),
        _acct(2, "pab", "margin", debit=250_000_00),
    ]
    stock: list[dict[str, Any]] = []
    for i, mv in shorts:
        sec = f"SH{i % 4}"
        stock.append(
            {
                "security_id": sec,
                "location": "account",
                "account_id": f"C{i:04d}",
                "quantity": -100,
                "market_value": _m(mv),
            }
        )
        stock.append(
            {"security_id": sec, "location": "stock_borrow", "quantity": 100, "market_value": _m(mv)}
        )
    for i in range(21, 36):
        sec = f"LG{i % 9}"
        mv = (150_000_00 + i * 2_000_00) * g // 100
        stock.append(
            {
                "security_id": sec,
                "location": "account",
                "account_id": f"C{i:04d}",
                "quantity": 500,
                "market_value": _m(mv),
            }
        )
        stock.append({"security_id": sec, "location": "depository", "quantity": -500, "market_value": _m(mv)})
    stock += [
        {
            "security_id": "SDX",
            "location": "short_difference",
            "quantity": -10,
            "market_value": "4200.00",
            "age_days": 20 + week * 7,
        },
        {"security_id": "SDX", "location": "vault", "quantity": 10, "market_value": "4200.00"},
    ]
    borrows = [
        {
            "contract_id": f"B{i}",
            "book": "customer",
            "direction": "borrow",
            "purpose": "customer_short",
            "security_id": f"SH{i % 4}",
            "contract_value": _m(mv),
            "market_value": _m(mv),
        }
        for i, mv in shorts
    ]
    if drop_columns:
        for row in accounts:
            del row["short_market_value"], row["withholding_payable"]
    credit_sum = sum(to_cents(a["credit_balance"]) for a in accounts if a["book"] == "customer")
    smv_sum = sum(mv for _, mv in shorts)
    wh_sum = sum((i % 3) * 1_250_00 for i in range(1, 21))
    debit_sum = sum(to_cents(a["debit_balance"]) for a in accounts if a["book"] == "customer")

    def gl(cat: str, cents: int) -> dict[str, Any]:
        return {"gl_account": f"2{len(cat):03d}", "description": cat, "category": cat, "balance": _m(cents)}

    return {
        "accounts": accounts,
        "stock_record": stock,
        "stock_loan_borrow": borrows,
        "fails": [
            {
                "fail_id": "F1",
                "book": "customer",
                "direction": "deliver",
                "security_id": "LG1",
                "contract_value": "62000.00",
                "market_value": "61000.00",
                "age_days": 4,
            }
        ],
        "clearing_margin": [
            {
                "margin_id": "OCC1",
                "book": "customer",
                "agency": "occ",
                "required": "310000.00",
                "on_deposit": "325000.00",
                "qualifies": True,
            }
        ],
        "other_items": [
            *(
                [{"item_ref": "LOAN-7", "book": "customer", "kind": "bank_loan", "amount": "400000.00"}]
                if week == 5
                else []
            ),
            {"item_ref": "DRAFT-1", "book": "customer", "kind": "outstanding_draft", "amount": "18500.00"},
            {
                "item_ref": "DIV-1",
                "book": "customer",
                "kind": "dividend_payable",
                "amount": _m(41_000_00 + week * 500_00),
            },
        ],
        "bank_accounts": [
            {
                "bank_account_id": "RSV-1",
                "bank_id": "FNB",
                "bank_name": "First National Bank",
                "book": "customer",
                "affiliated": False,
                "bank_equity_capital": "60000000.00",
                "cash": "6000000.00",
                "qualified_securities": "0.00",
            },
            {
                "bank_account_id": "PAB-1",
                "bank_id": "FNB",
                "bank_name": "First National Bank",
                "book": "pab",
                "affiliated": False,
                "bank_equity_capital": "60000000.00",
                "cash": "800000.00",
                "qualified_securities": "0.00",
            },
        ],
        "trial_balance": [
            gl("customer_payables", credit_sum + smv_sum),
            gl("customer_withholding_payable", wh_sum),
            gl("customer_receivables", debit_sum),
            gl("pab_payables", 900_000_00 * g // 100),
            gl("pab_receivables", 250_000_00),
            gl("securities_borrowed", smv_sum),
            gl("securities_loaned", 0),
            gl("drafts_payable", 18_500_00),
            gl("bank_overdrafts", 0),
            gl("unprocessed_checks", 0),
        ],
    }


FIRM = {"name": "Harbor Street Securities LLC", "tentative_net_capital": "4500000.00"}


def fund(tables: dict[str, list[dict[str, Any]]], as_of: date, cushion: int) -> None:
    """Put on deposit what the week's computation requires plus a cushion (negative: a shortfall)."""
    customer, pab = compute_both(
        book_from_tables(tables, FIRM), RuleTable.baseline(), Settings("customer", as_of)
    )
    for row in tables["bank_accounts"]:
        needed = customer.requirement if row["book"] == "customer" else pab.requirement
        row["cash"] = _m(max(needed + cushion, 0))


def demo_dates(today: date, calendar: BusinessCalendar) -> list[date]:
    """The last WEEKS Fridays (or the last business day of those weeks) before today."""
    friday = today - timedelta(days=(today.weekday() - 4) % 7 or 7)
    return [calendar.last_business_day_of_week(friday - timedelta(weeks=WEEKS - 1 - n)) for n in range(WEEKS)]


def _deposits(ws: Workspace, as_of: date) -> list[str]:
    inputs = service.current_input_set(ws, as_of)
    book = service.book_of(ws, inputs) if inputs else None
    if book is None:
        return []
    return [_m(int(c)) for c in book.frame("bank_accounts")["cash"].to_list()]


def _who(ws: Workspace, name: str, fallback: str) -> str:
    try:
        ws.users.get(name)
    except Exception:
        return fallback
    return name


def seed_demo(ws: Workspace, actor: str) -> dict[str, Any]:
    finop, cco, principal = _who(ws, "fiona", actor), _who(ws, "carl", actor), _who(ws, "paula", actor)
    root = Path(ws.path) / "reserve-inputs"
    dates = demo_dates(ws.clock.now().date(), FEDERAL_RESERVE)
    summary: dict[str, Any] = {"weeks": [d.isoformat() for d in dates]}
    for n, as_of in enumerate(dates, start=1):
        folder = root / as_of.isoformat()
        understate = 260_000_00 if n == 2 else 0
        funded = demo_tables(n, understate=understate)
        fund(funded, as_of, -120_000_00 if n == WEEKS else 50_000_00)
        tables = demo_tables(n, understate=understate, drop_columns=n == 4)
        tables["bank_accounts"] = funded["bank_accounts"]
        write_book(folder, tables, FIRM, fmt_="parquet" if n == 5 else "csv")
        inputs = service.load_inputs(ws, folder, as_of, actor=finop)
        outcome = service.compute_of_record(ws, as_of, actor=finop)
        if outcome.gates.hold:
            summary["hold"] = {"as_of": as_of.isoformat(), "reasons": outcome.gates.reasons()[:4]}
            fixed = root / f"{as_of.isoformat()}-corrected"
            corrected = demo_tables(n)
            fund(corrected, as_of, 50_000_00)
            write_book(fixed, corrected, FIRM)
            service.load_inputs(
                ws,
                fixed,
                as_of,
                actor=finop,
                supersedes=inputs["id"],
                reason="New account feed dropped short market value and withholding; reloaded "
                "from the prior source after vendor review.",
            )
            outcome = service.compute_of_record(ws, as_of, actor=finop)
        for row in outcome.rows.values():
            if n >= 5 or row["status"] != "COMPUTED":
                continue  # the last weeks stay open for review in the demo
            for key in service.open_variances(row):
                service.explain_variance(
                    ws,
                    row["id"],
                    key,
                    "Week-over-week growth in customer balances and "
                    "the reloaded feed; tied to the GL and stock record.",
                    actor=finop,
                )
            service.sign_off(
                ws, row["id"], actor=finop, statement="Reviewed against GL tie-outs and lineage."
            )
    proposal = governance.propose(
        ws,
        actor=finop,
        kind="mapping",
        changes=[{"op": "map_component", "component": "other.dividend_payable", "item": "1"}],
        reason="Unclaimed customer dividends payable are credits owed to customers and belong in Item 1.",
        new_version="exhibit-a-2025.1-firm.2",
    )
    governance.approve(ws, proposal["id"], actor=cco)
    approved = governance.approve(ws, proposal["id"], actor=principal if principal != cco else actor)
    summary["proposal"] = {
        "id": proposal["id"],
        "status": approved["status"],
        "replayed": len(approved["replay"] or []),
    }
    week2 = dates[1]
    old = service.current_input_set(ws, week2)
    fixed = root / f"{week2.isoformat()}-corrected"
    corrected = demo_tables(2)
    for row, was in zip(corrected["bank_accounts"], _deposits(ws, week2), strict=True):
        row["cash"] = was  # a correction changes the books, not what was on deposit that day
    write_book(fixed, corrected, FIRM)
    service.load_inputs(
        ws,
        fixed,
        week2,
        actor=finop,
        supersedes=old["id"] if old else None,
        reason="Customer C0001 credit balance was understated by the feed; corrected.",
    )
    findings = governance.rerun_hindsight(ws, dates[0], dates[-1], actor=finop)
    summary["hindsight"] = [f for f in findings if f.get("hindsight_deficiency")]
    return summary
