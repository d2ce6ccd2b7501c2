"""Workspace side of ISO and routing surveillance: imports, the day's inputs, tag rules, report cards.

FIX routes and rebuilt depth books go into the trading store as Parquet partitions (kinds
`routes` and `depth`), journaled per file with their quarantine, exactly like quotes and trades;
so a control reads what an import proved it stored, and a rerun sees the same hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from proctor.core.canonical import sha256_hex
from proctor.core.errors import InputError, NotFound
from proctor.core.roles import POLICY_CHANGE, require
from proctor.platform.approvals import FOUR_EYES, approve, reject
from proctor.trading import books, fix, modifiers, store
from proctor.trading.importers._intake import FUTURE_ALLOWANCE_NS, Issue, Parsed, trading_day
from proctor.trading.iso_tables import reportcards, tag_rules
from proctor.trading.rejects import TagRule


def import_fix(ws: Any, path: Path, *, actor: str) -> dict[str, Any]:
    """A FIX log: routes with their outcomes stored per day and symbol; bad messages quarantined."""
    raw = path.read_bytes()
    log = fix.parse_lines(raw.decode("latin-1").splitlines(), str(path))
    routes = fix.route_outcomes(log)
    issues = [
        Issue(str(path), q.line, str(q.tag or ""), q.text[:200], f"{q.reason}: {q.detail}")
        for q in log.quarantine
    ]
    missing_ts = routes.filter(pl.col("route_ts").is_null())
    for r in missing_ts.iter_rows(named=True):
        issues.append(Issue(str(path), int(r["line"]), "60", "", "no TransactTime(60) or SendingTime(52)"))
    now = ws.clock.now()
    latest = int(now.timestamp()) * 1_000_000_000 + FUTURE_ALLOWANCE_NS
    future = routes.filter(pl.col("route_ts") > latest)
    for r in future.iter_rows(named=True):
        issues.append(
            Issue(
                str(path),
                int(r["line"]),
                "60",
                str(r["route_ts"]),
                f"after the import time {now.isoformat(timespec='seconds')}: a future time is not today",
            )
        )
    good = routes.filter(pl.col("route_ts").is_not_null() & (pl.col("route_ts") <= latest))
    frame = good.with_columns(trading_day(good["route_ts"]).alias("day"))
    parsed = Parsed(
        "routes", frame, log.lines - log.skipped, issues, [f"{k}={v}" for k, v in log.counts().items()]
    )
    out = store.store_parsed(ws, parsed, raw, source=str(path), options={"format": "fix"}, actor=actor)
    return {**out, "counts": log.counts()}


def import_depth(
    ws: Any,
    path: Path,
    *,
    actor: str,
    fmt: str,
    day: date,
    symbol: str | None = None,
    book_path: Path | None = None,
    venue: str = "Q",
    round_lot: int = 100,
) -> dict[str, Any]:
    """Full-depth books (LOBSTER message + orderbook files, or ITCH 5.0 binary) as protected levels."""
    if fmt == "lobster":
        if book_path is None or symbol is None:
            raise InputError("LOBSTER needs --book ORDERBOOK_FILE and --symbol", field="--book")
        try:
            build = books.rebuild_lobster(
                path, book_path, day=day, symbol=symbol, venue=venue, round_lot=round_lot
            )
        except books.BookError as exc:
            raise InputError(str(exc), file=str(path)) from None
        raw = path.read_bytes() + book_path.read_bytes()
    elif fmt == "itch":
        try:
            build = books.read_itch_file(path, day=day, venue=venue, round_lot=round_lot)
        except books.BookError as exc:
            raise InputError(str(exc), file=str(path)) from None
        raw = path.read_bytes()
    else:
        raise InputError(f"unknown depth format {fmt!r}; lobster or itch", field="--format")
    notes = [f"{k}={v}" for k, v in build.counts.items()]
    if build.check is not None:
        notes += [f"{k}={v}" for k, v in build.check.as_dict().items() if k != "first_mismatches"]
    frame = build.depth.with_columns(pl.lit(day).alias("day"))
    parsed = Parsed("depth", frame, build.depth.height, [], notes)
    out = store.store_parsed(
        ws,
        parsed,
        raw,
        source=str(path),
        options={"format": fmt, "date": day.isoformat(), "venue": venue},
        actor=actor,
    )
    return {**out, "check": build.check.as_dict() if build.check else None, "counts": build.counts}


@dataclass
class DayInputs:
    day: date
    trades: pl.DataFrame | None
    routes: pl.DataFrame | None
    depth: pl.DataFrame | None
    evidence: pl.DataFrame | None
    parts: list[store.Partition]


def _with_symbol(ws: Any, kind: str, day: date) -> tuple[pl.DataFrame | None, list[store.Partition]]:
    parts = store.partitions(ws, kind, day)
    frames = []
    for symbol in sorted({p.symbol for p in parts}):
        mine = [p for p in parts if p.symbol == symbol]
        frame = store.read(ws, mine)
        if frame is not None:
            frames.append(frame.with_columns(pl.lit(symbol).alias("symbol")))
    return (pl.concat(frames, how="diagonal_relaxed") if frames else None), parts


def load_day(ws: Any, day: date) -> DayInputs:
    trades, tp = _with_symbol(ws, "trades", day)
    routes, rp = _with_symbol(ws, "routes", day)
    depth, dp = _with_symbol(ws, "depth", day)
    evidence = store.evidence_until(ws, day)
    return DayInputs(day, trades, routes, depth, evidence, tp + rp + dp)


def days_with(ws: Any, kinds: tuple[str, ...]) -> list[date]:
    return store.days(ws, kinds)


# --------------------------------------------------------------------------- tag rules


def add_tag_rule(ws: Any, rule: TagRule, *, actor: str) -> dict[str, Any]:
    """Propose a pre-route tag rule; it checks nothing until a second person approves it."""
    require(ws.users.get(actor), POLICY_CHANGE)
    values = {
        "id": ws.ids("TGR"),
        "venue": rule.venue,
        "tag": rule.tag,
        "rule": rule.as_dict(),
        "status": "proposed",
        "reason": rule.reason,
        "proposed_by": actor,
        "approved_by": None,
        "created_at": ws.clock.now(),
    }
    with ws.transaction(actor) as tx:
        row: dict[str, Any] = tx.insert(tag_rules, values, "trading.tag_rule.proposed")
    return row


def approve_tag_rule(ws: Any, rule_id: str, *, actor: str) -> dict[str, Any]:
    """Four eyes (platform approvals): the proposer cannot make their own rule active."""
    with ws.transaction(actor) as tx:
        row = tx.get(tag_rules, rule_id)
        if row is None:
            raise NotFound(f"no tag rule {rule_id}; see `proctor trading tags list`")
        what = f"tag rule {rule_id} ({row['venue']} {row['tag']})"
        approve(ws, actor, what=what, proposer=row["proposed_by"], status=row["status"], rule=FOUR_EYES)
        out: dict[str, Any] = tx.update(
            tag_rules, rule_id, {"status": "active", "approved_by": actor}, "trading.tag_rule.approved"
        )
    return out


def reject_tag_rule(ws: Any, rule_id: str, *, actor: str) -> dict[str, Any]:
    """Turn a proposed rule down (a different person from its proposer); it never checks an order."""
    with ws.transaction(actor) as tx:
        row = tx.get(tag_rules, rule_id)
        if row is None:
            raise NotFound(f"no tag rule {rule_id}; see `proctor trading tags list`")
        what = f"tag rule {rule_id} ({row['venue']} {row['tag']})"
        reject(ws, actor, what=what, proposer=row["proposed_by"], status=row["status"], rule=FOUR_EYES)
        out: dict[str, Any] = tx.update(
            tag_rules, rule_id, {"status": "rejected"}, "trading.tag_rule.rejected"
        )
    return out


def list_tag_rules(ws: Any, status: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(tag_rules).order_by(tag_rules.c.id)
    if status:
        query = query.where(tag_rules.c.status == status)
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def active_tag_rules(ws: Any) -> list[TagRule]:
    return [TagRule.from_dict(r["rule"]) for r in list_tag_rules(ws, "active")]


def pre_route_check(ws: Any, order: dict[str, Any]) -> list[str]:
    """The problems the active tag rules find in an order about to be routed (empty = send it).

    `order` uses the route columns of a FIX import (`venue`, `clearing_firm`, ...), so the OMS can
    ask before sending exactly what the reject monitor later reads from the log.
    """
    return [p for p in (rule.check(order) for rule in active_tag_rules(ws)) if p]


# --------------------------------------------------------------------------- report card


def import_reportcard(ws: Any, path: Path, findings: list[dict[str, Any]], *, actor: str) -> dict[str, Any]:
    raw = path.read_bytes()
    try:
        card = modifiers.read_report_card(raw, str(path))
    except modifiers.ReportCardError as exc:
        raise InputError(str(exc), file=str(path)) from None
    result = modifiers.reconcile_report_card(card, findings)
    stamps = [r["ts"] for r in card.rows if r.get("ts") is not None]
    summary = {
        "matched": len(result["matched"]),
        "finra_only": [
            r.get("trade_id") or f"{r['symbol']}@{r.get('execution_time')}" for r in result["finra_only"]
        ],
        "proctor_only": [f["trade_id"] for f in result["proctor_only"]],
        "quarantined": result["quarantined"],
    }
    with ws.transaction(actor) as tx:
        tx.put_blob(raw)
        row = tx.insert(
            reportcards,
            {
                "id": ws.ids("TRC"),
                "source": str(path)[-500:],
                "source_sha256": sha256_hex(raw),
                "rows": len(card.rows),
                "quarantined": len(card.quarantine),
                "first_day": modifiers.day_of(min(stamps)) if stamps else None,
                "last_day": modifiers.day_of(max(stamps)) if stamps else None,
                "reconciliation": summary,
                "imported_by": actor,
                "imported_at": ws.clock.now(),
            },
            "trading.reportcard.imported",
        )
    return {**row, "reconciliation": summary}
