"""Exemption modifiers reviewed: who answers for an alert, which claims lack their evidence, and
how Proctor's findings compare with FINRA's Reg NMS Trade Through Report Card.

Why: the bank-owned broker's procedures told supervisors nothing about how to review the validity
of exemption modifiers, and a manual desk traded outside the NBBO for months unseen. So:

- Attribution: every trade-through and ISO alert names its desk and trader and is routed to that
  trader's supervisors from the firm directory (`proctor.platform.directory`), falling back to the
  desk's own directory entry; an alert nobody supervises says so (`unrouted`), never vanishes.
- Daily reconciliation: each modifier's clause needs its own evidence — ISO-outbound (611(b)(6))
  the firm's ISO routes for the order, ISO-inbound (611(b)(5)) the inbound order marked ISO,
  self-help (b)(1), benchmark (b)(7), QCT, error correction and print protection (611(d)) an
  evidence record of that kind for the order. Every trade whose modifier lacks it is listed.
- Report card: the Detail Data CSV is read by column aliases (FINRA's export labels differ by
  vintage) and reconciled both ways against Proctor's own findings: matched, FINRA only (Proctor
  missed or exempted it: each needs a reason) and Proctor only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from proctor.core.clock import parse_iso
from proctor.trading.fix import to_micros

#: meaning -> evidence kind the clause needs (None: the evidence is a FIX route record).
CLAUSE_EVIDENCE: dict[str, tuple[str, str | None]] = {
    "iso_outbound": ("611(b)(6)", None),
    "iso_inbound": ("611(b)(5)", None),
    "self_help": ("611(b)(1)", "self_help"),
    "benchmark": ("611(b)(7)", "benchmark"),
    "qct": ("611(d) QCT exemption", "qct"),
    "error_correction": ("611(d) error correction", "error_correction"),
    "print_protection": ("611(d) print protection", "print_protection"),
}


def supervisors_for(directory: Any, trader: str | None, desk: str | None) -> tuple[list[str], str]:
    """(supervisors, how found) for a trader/desk, from a `platform.directory.Directory`."""
    if directory is None:
        return [], "no firm directory"
    for who, how in ((trader, "trader"), (desk, "desk")):
        if who:
            found = list(directory.supervisors_of(who) or [])
            if found:
                return found, how
    return [], "unrouted"


def load_directory(ws: Any) -> Any:
    """The firm directory if this installation has one; None otherwise (alerts say `unrouted`)."""
    try:
        from proctor.platform.directory import Directory
    except ImportError:  # pragma: no cover - the directory ships with the platform
        return None
    with ws.read() as conn:
        return Directory.load(conn)


def reconcile_modifiers(
    trades: pl.DataFrame,
    routes: pl.DataFrame,
    evidence: pl.DataFrame | None,
    modifier_codes: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Every trade whose exemption modifier lacks the evidence its clause needs."""
    iso_parents = (
        set(routes.filter(pl.col("is_iso"))["parent_order_id"].drop_nulls().to_list())
        if routes.height
        else set()
    )
    iso_orders = set(routes.filter(pl.col("is_iso"))["cl_ord_id"].to_list()) if routes.height else set()
    have: set[tuple[str, str]] = set()
    if evidence is not None and evidence.height:
        have = {(str(k), str(o)) for k, o in evidence.select("kind", "order_id").iter_rows()}
    out = []
    for t in trades.iter_rows(named=True):
        for code in t["modifiers"] or []:
            meaning = modifier_codes.get(code)
            if meaning not in CLAUSE_EVIDENCE:
                continue
            clause, kind = CLAUSE_EVIDENCE[meaning]
            oid = str(t["order_id"])
            if meaning == "iso_outbound":
                ok, need = oid in iso_parents, "ISO routes (35=D, 18 contains f) whose 583 is the order"
            elif meaning == "iso_inbound":
                ok, need = oid in iso_orders, "the inbound order marked ISO (18 contains f)"
            else:
                assert kind is not None
                ok, need = (kind, oid) in have, f"{kind} evidence for the order"
            if not ok:
                out.append(
                    {
                        "trade_id": t["trade_id"],
                        "symbol": t.get("symbol"),
                        "order_id": oid,
                        "desk": t.get("desk"),
                        "trader": t.get("trader"),
                        "modifier": code,
                        "meaning": meaning,
                        "clause": clause,
                        "missing": need,
                    }
                )
    return out


# --------------------------------------------------------------------------- report card

ALIASES: dict[str, tuple[str, ...]] = {
    "trade_id": ("trade reference number", "trade id", "control number", "trf control number", "trade_id"),
    "trade_date": ("trade date", "execution date", "date", "trade_date"),
    "symbol": ("symbol", "issue symbol", "security symbol"),
    "execution_time": ("execution time", "trade time", "time", "execution_time"),
    "price": ("price", "trade price", "execution price"),
    "quantity": ("quantity", "volume", "shares", "trade size"),
    "side": ("side", "buy/sell"),
    "protected_quote": ("protected quote", "away quote", "traded through price", "protected price"),
    "venue": ("venue", "away market", "protected market", "market center"),
}


class ReportCardError(ValueError):
    pass


@dataclass
class ReportCard:
    source: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


def read_report_card(data: bytes, source: str) -> ReportCard:
    """Read the Detail Data CSV; bad rows are quarantined with file, row and field."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in reader.fieldnames or []}
    columns: dict[str, str] = {}
    for name, aliases in ALIASES.items():
        for a in aliases:
            if a in headers:
                columns[name] = headers[a]
                break
    missing = [c for c in ("symbol", "price", "quantity") if c not in columns]
    if "trade_id" not in columns and "execution_time" not in columns:
        missing.append("trade reference number or execution time")
    if missing:
        raise ReportCardError(f"{source}: row 1: missing column(s) {', '.join(missing)}")
    card = ReportCard(source)
    for number, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {k: (raw.get(v) or "").strip() for k, v in columns.items()}
        try:
            row["price"] = to_micros(row["price"])
        except ValueError as exc:
            card.quarantine.append(
                {"file": source, "row": number, "field": columns["price"], "reason": str(exc)}
            )
            continue
        qty = row["quantity"].replace(",", "")
        if not qty.isdigit():
            card.quarantine.append(
                {
                    "file": source,
                    "row": number,
                    "field": columns["quantity"],
                    "reason": f"not a share count: {row['quantity']!r}",
                }
            )
            continue
        row["quantity"] = int(qty)
        row["ts"] = None
        if row.get("execution_time"):
            stamp = row["execution_time"]
            if row.get("trade_date") and "T" not in stamp and " " not in stamp:
                stamp = f"{row['trade_date']}T{stamp}"
            try:
                row["ts"] = int(parse_iso(stamp).timestamp()) * 1_000_000_000
            except ValueError as exc:
                card.quarantine.append(
                    {"file": source, "row": number, "field": columns["execution_time"], "reason": str(exc)}
                )
                continue
        card.rows.append(row)
    return card


def read_report_card_file(path: Path) -> ReportCard:
    return read_report_card(path.read_bytes(), str(path))


def _second_key(symbol: Any, ts: Any, price: Any, qty: Any) -> tuple[Any, ...]:
    return (str(symbol), None if ts is None else int(ts) // 1_000_000_000, int(price), int(qty))


def reconcile_report_card(card: ReportCard, findings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """FINRA's trade-through list against Proctor's findings: matched, FINRA only, Proctor only.

    Matching is by trade reference when both carry one, else by symbol, execution second, price
    and quantity (FINRA reports times to the second).
    """
    ours = list(findings)
    by_id = {str(f["trade_id"]): f for f in ours if f.get("trade_id")}
    by_key = {
        _second_key(f.get("symbol"), f.get("ts"), f.get("price"), f.get("quantity")): f
        for f in ours
        if f.get("ts") is not None and f.get("price") is not None and f.get("quantity") is not None
    }
    matched, finra_only, used = [], [], set()
    for row in card.rows:
        hit = by_id.get(str(row.get("trade_id"))) if row.get("trade_id") else None
        if hit is None and row.get("ts") is not None:
            hit = by_key.get(_second_key(row["symbol"], row["ts"], row["price"], row["quantity"]))
        if hit is None:
            finra_only.append(row)
        else:
            used.add(str(hit["trade_id"]))
            matched.append({"trade_id": hit["trade_id"], "finra": row, "proctor_control": hit.get("control")})
    proctor_only = [f for f in ours if str(f.get("trade_id")) not in used]
    return {
        "finra_rows": len(card.rows),
        "proctor_findings": len(ours),
        "matched": matched,
        "finra_only": finra_only,
        "proctor_only": proctor_only,
        "quarantined": card.quarantine,
    }


def day_of(ts_ns: int) -> date:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts_ns / 1e9, tz=UTC).date()
