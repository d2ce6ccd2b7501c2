"""The FINOP's reserve pages: computations, Exhibit A, lineage, variances, sign-off, formula changes.

Every call goes to `proctor.reserve.service` or `proctor.reserve.governance`, the functions the
`proctor reserve` commands call, with the signed-in user as the actor; refusals (a HOLD cannot be
signed off, an unexplained variance blocks sign-off, only a FINOP signs) are theirs. Drilling a line
to its accounts goes through `service.explain_item`, which journals the view of account lineage.
"""

from __future__ import annotations

from typing import Any

from proctor.core.roles import READ, require
from proctor.reserve import governance, service
from proctor.web.guard import Ctx

BOOKS = ("customer", "pab")


def overview(ctx: Ctx) -> dict[str, Any]:
    """Computation history of both books, newest first, with HOLDs and their gate reasons."""
    require(ctx.user, READ)
    rows = service.history(ctx.ws, None, limit=120)
    for row in rows:
        row["hold_reasons"] = [g["reason"] for g in (row["gates"] or {}).get("gates", []) if not g["passed"]]
        row["open_variances"] = service.open_variances(row) if row["status"] != "HOLD" else []
    latest = {book: next((r for r in rows if r["book"] == book), None) for book in BOOKS}
    return {
        "computations": rows,
        "latest": latest,
        "to_sign": [r for r in rows if r["status"] == "COMPUTED"],
        "deficiencies": [r for r in rows if (r["deficiency"] or 0) > 0],
        "proposals": governance.list_proposals(ctx.ws),
    }


def computation(ctx: Ctx, computation_id: str) -> dict[str, Any]:
    """One computation: Exhibit A (when computed), gates, input set, variances, notice, sign-off state."""
    require(ctx.user, READ)
    row = service.get_computation(ctx.ws, computation_id)
    doc = service.report_doc(ctx.ws, row) if row["report_blob"] else None
    open_keys = set(service.open_variances(row)) if row["status"] != "HOLD" else set()
    variances = [
        {**b, "explanation": row["explanations"].get(b["key"], ""), "open": b["key"] in open_keys}
        for b in row["variance"]
    ]
    return {
        "row": row,
        "exhibit": doc,
        "lines": _lines(row, doc),
        "gates": (row["gates"] or {}).get("gates", []),
        "gate_status": (row["gates"] or {}).get("status"),
        "inputs": service.input_set(ctx.ws, row["input_set_id"]),
        "variances": variances,
        "open_variances": sorted(open_keys),
        "can_sign": row["status"] == "COMPUTED" and row["kind"] == "record" and not open_keys,
    }


def _lines(row: dict[str, Any], doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Exhibit A lines with their captions (from the report) and exact cents (from the record)."""
    captions = {line["item"]: line for line in (doc or {}).get("lines", [])}
    out = []
    for item, cents in row["lines"].items():
        meta = captions.get(item, {})
        out.append(
            {
                "item": item,
                "cents": cents,
                "side": meta.get("side", ""),
                "caption": meta.get("caption", ""),
                "citation": meta.get("citation", ""),
                "focus_line": meta.get("focus_line", ""),
            }
        )
    return out


def explain(ctx: Ctx, computation_id: str, item: str, account: str = "", top: int = 25) -> dict[str, Any]:
    """A line down to accounts and source rows; `explain_item` journals this view."""
    result = service.explain_item(
        ctx.ws, computation_id, item, actor=ctx.user.name, ref=account or None, top=top
    )
    return {"row": service.get_computation(ctx.ws, computation_id), "result": result, "account": account}


def explain_variance(ctx: Ctx, computation_id: str, key: str, text: str) -> dict[str, Any]:
    return service.explain_variance(ctx.ws, computation_id, key, text, actor=ctx.user.name)


def sign_off(ctx: Ctx, computation_id: str, statement: str) -> dict[str, Any]:
    return service.sign_off(ctx.ws, computation_id, actor=ctx.user.name, statement=statement)


def proposal(ctx: Ctx, proposal_id: str) -> dict[str, Any]:
    require(ctx.user, READ)
    return governance.get_proposal(ctx.ws, proposal_id)
