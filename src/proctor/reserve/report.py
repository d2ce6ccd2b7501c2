"""The Exhibit A report: JSON (the record), HTML (for review) and PDF (for the file).

Every line carries its Exhibit A item, citation and the FOCUS Part II line (and box, where the
form assigns one) it is reported on, so the FOCUS filing can be tied back to the computation line
by line — the eight inaccurate FOCUS reports in the enforcement case are what this guards against.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, select_autoescape

from proctor.reserve.compute import Computation
from proctor.reserve.focus import presentation as focus_presentation
from proctor.reserve.gates import GateReport
from proctor.reserve.money import fmt, from_cents
from proctor.reserve.ruletable import RuleTable


def _money(cents: int) -> str:
    return str(from_cents(cents))


def exhibit_json(
    comp: Computation,
    rules: RuleTable,
    *,
    firm: str,
    gates: GateReport | None = None,
    computation_id: str | None = None,
) -> dict[str, Any]:
    s = comp.settings
    pab = s.book == "pab"
    ft = rules.focus_totals

    def focus(key: str) -> dict[str, Any]:
        spec = ft.get(key, {})
        return {"focus_line": str(spec.get("line", "")), "focus_box": None if pab else spec.get("box")}

    lines = []
    for line in comp.lines.values():
        amount = line.cents
        if line.id == "10" and s.method == "basic" and not pab:
            amount = line.cents - comp.debit_reduction  # FOCUS line 12 is net of Note E, incl. E(3)
        lines.append(
            {
                "item": line.id,
                "side": line.side,
                "caption": line.caption,
                "citation": line.citation,
                "amount": _money(line.cents),
                "focus_amount": _money(amount),
                "focus_line": line.focus_line,
                "focus_box": None if pab else line.focus_box,
                "rounding_cents": str(line.rounding),
            }
        )
    reduction_on_line_19 = comp.debit_reduction if s.method == "alternative" else 0
    totals = [
        {"name": "total_credits", "amount": _money(comp.total_credits), **focus("total_credits")},
        {"name": "aggregate_debits", "amount": _money(comp.aggregate_debits), **focus("aggregate_debits")},
        {
            "name": "debit_reduction",
            "amount": _money(reduction_on_line_19),
            **focus("debit_reduction"),
            "basis": comp.debit_reduction_basis,
            "rate": str(comp.debit_reduction_rate),
            "rounding_cents": str(comp.debit_reduction_rounding),
            "applied": _money(comp.debit_reduction),
        },
        {"name": "total_debits", "amount": _money(comp.total_debits), **focus("total_debits")},
        {"name": "excess_debits", "amount": _money(comp.excess_debits), **focus("excess_debits")},
        {
            "name": "excess_credits",
            "amount": _money(comp.excess_credits),
            "focus_line": "22",
            "focus_box": None if pab else "4490",
        },
    ]
    if s.cadence == "monthly":
        totals.append(
            {
                "name": "monthly_105",
                "amount": _money(comp.requirement),
                **focus("monthly_105"),
                "rounding_cents": str(comp.requirement_rounding),
            }
        )
    totals += [
        {"name": "on_deposit", "amount": _money(comp.on_deposit), **focus("on_deposit")},
        {
            "name": "deposit_or_withdrawal",
            "amount": _money(comp.requirement - comp.on_deposit),
            **focus("deposit_or_withdrawal"),
        },
    ]
    doc = {
        "report": "SEA Rule 15c3-3 Exhibit A",
        "computation_id": computation_id,
        "firm": firm,
        "book": s.book,
        "as_of": s.as_of.isoformat(),
        "method": s.method,
        "cadence": s.cadence,
        "rules_version": comp.rules_version,
        "rules_digest": comp.rules_digest,
        "status": "HOLD" if gates is not None and gates.hold else "COMPUTED",
        "lines": lines,
        "totals": totals,
        "pab_customer_excess_debits_applied": _money(comp.customer_excess_debits_applied),
        "requirement": _money(comp.requirement),
        "on_deposit": _money(comp.on_deposit),
        "deficiency": _money(comp.deficiency),
        "excess_on_deposit": _money(comp.excess_on_deposit),
        "deposit_deadline": comp.deadline.isoformat() if comp.deadline else None,
        "banks": [
            {
                "bank_id": b.bank_id,
                "bank_name": b.bank_name,
                "affiliated": b.affiliated,
                "cash": _money(b.cash),
                "qualified_securities": _money(b.qualified_securities),
                "cash_cap": None if b.cash_cap is None else _money(b.cash_cap),
                "eligible": _money(b.eligible),
                "excluded_cash": _money(b.excluded_cash),
                "reason": b.reason,
            }
            for b in comp.banks
        ],
        "unmapped_components": {k: _money(v) for k, v in comp.unmapped.items()},
        "inputs": comp.inputs,
        "gates": gates.as_dict() if gates is not None else None,
        "unconfirmed_rule_readings": rules.unconfirmed(),
        "focus_note": "PAB lines follow the FOCUS Part II PAB computation in the same order; box numbers "
        "are given for the customer computation only."
        if pab
        else "",
    }
    doc["focus"] = focus_presentation(doc, ft)  # whole dollars as filed, beside the cents
    return doc


def exhibit_html(doc: dict[str, Any]) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = resources.files("proctor.reserve.rules").joinpath("exhibit_a.html.j2").read_text("utf-8")
    return env.from_string(template).render(d=doc)


def _latin(text: str) -> str:
    return text.encode("latin-1", errors="replace").decode("latin-1")


def exhibit_pdf(doc: dict[str, Any]) -> bytes:
    pdf = FPDF(orientation="L", format="letter")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(
        0,
        8,
        _latin(f"{doc['firm']} - Rule 15c3-3 Exhibit A ({doc['book'].upper()})"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(
        0,
        6,
        _latin(
            f"As of {doc['as_of']}  {doc['method']} method  {doc['cadence']}  formula "
            f"{doc['rules_version']} ({doc['rules_digest'][:12]})  status {doc['status']}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    widths = (14, 170, 30, 30, 16)
    pdf.set_font("Helvetica", "B", 8)
    for w, h in zip(widths, ("Item", "Description", "Credits", "Debits", "FOCUS"), strict=True):
        pdf.cell(w, 6, h, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for line in doc["lines"]:
        caption = line["caption"] if len(line["caption"]) < 115 else line["caption"][:112] + "..."
        cells = (
            line["item"],
            caption,
            line["amount"] if line["side"] == "credit" else "",
            line["amount"] if line["side"] == "debit" else "",
            f"{line['focus_line']} {line['focus_box'] or ''}",
        )
        for w, text in zip(widths, cells, strict=True):
            pdf.cell(w, 5, _latin(str(text)), align="R" if w == 30 else "L")
        pdf.ln()
    pdf.ln(2)
    for t in doc["totals"]:
        pdf.cell(60, 5, _latin(t["name"]))
        pdf.cell(30, 5, t["amount"], align="R")
        pdf.cell(
            40, 5, _latin(f"  line {t['focus_line']} {t['focus_box'] or ''}"), new_x="LMARGIN", new_y="NEXT"
        )
    _focus_pdf(pdf, doc.get("focus") or [])
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(
        0,
        7,
        _latin(
            f"Requirement {doc['requirement']}   on deposit {doc['on_deposit']}   deficiency "
            f"{doc['deficiency']}   due {doc['deposit_deadline']}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _focus_pdf(pdf: FPDF, focus: list[dict[str, Any]]) -> None:
    """The FOCUS lines as filed (whole dollars) beside the exact cents and the rounding between them."""
    if not focus:
        return
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 8)
    pdf.cell(0, 6, "FOCUS Part II, as filed (whole dollars; rounding never understates the reserve)")
    pdf.ln()
    widths = (14, 16, 60, 36, 36, 30)
    for w, h in zip(widths, ("Line", "Box", "What", "Filed (whole $)", "Exact", "Rounding"), strict=True):
        pdf.cell(w, 5, h, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for f in focus:
        if f["name"] == "date_of_deposit":
            when = f["date"] or (f"due by {f['deadline']}" if f["deadline"] else "")
            status = f"{when} {f['status']}"
            cells: tuple[str, ...] = (f["focus_line"], f["focus_box"] or "", f["name"], status)
            spans: tuple[int, ...] = (14, 16, 60, 102)
        else:
            cells = (
                f["focus_line"],
                f["focus_box"] or "",
                f["name"],
                f"{f['whole_dollars']:,}",
                f["exact"],
                f"{f['rounded']} {Decimal(f['rounding_cents']) / 100:.2f}",
            )
            spans = widths
        for w, text in zip(spans, cells, strict=True):
            pdf.cell(w, 5, _latin(str(text)), align="R" if w in (36, 30) else "L")
        pdf.ln()


def text_summary(doc: dict[str, Any]) -> str:
    head = f"{doc['firm']} {doc['book']} reserve as of {doc['as_of']}"
    out = [f"{head} ({doc['method']}, {doc['cadence']}): {doc['status']}"]
    for line in doc["lines"]:
        out.append(f"  {line['item']:>12}  {line['side']:<6} {fmt(int(Decimal(line['amount']) * 100)):>20}")
    out.append(
        f"  requirement {doc['requirement']}  on deposit {doc['on_deposit']}  deficiency {doc['deficiency']}"
    )
    return "\n".join(out)
