"""ISO and routing commands under `proctor trading`: FIX and depth imports, report cards, modifiers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import console, print_table
from proctor.core.errors import InputError


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} must be YYYY-MM-DD, got {text!r}", field=option) from None


def _import_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "import" and group.typer_instance is not None:
            return group.typer_instance
    sub = typer.Typer(help="Import market data, trade reports and exception evidence.", no_args_is_help=True)
    app.add_typer(sub, name="import")
    return sub


def import_fix(
    cmd: Run,
    path: Path = typer.Argument(
        ..., help="FIX 4.2/4.4 tag=value log (SOH or | delimited, one message a line)."
    ),
) -> Any:
    """Read orders, ISO routes, fills and rejects; quarantine bad messages with line and reason."""
    from proctor.trading import iso_service

    ws = cmd.ws
    out = iso_service.import_fix(ws, path, actor=cmd.actor)
    if cmd.json:
        return out
    c = out["counts"]
    console.print(
        f"import {out['id']}: {c['orders']} orders ({c['isos']} ISOs), {c['executions']} execution reports, "
        f"{c['rejects']} reject messages, {c['quarantined']} quarantined"
        + (" (already imported)" if out.get("duplicate") else "")
    )
    for issue in out.get("issues", [])[:10]:
        console.print(f"  line {issue['row']}: {issue['reason']}", highlight=False)


def import_depth(
    cmd: Run,
    path: Path = typer.Argument(..., help="LOBSTER message file, or an ITCH 5.0 binary file."),
    fmt: str = typer.Option(..., "--format", help="lobster or itch."),
    day: str = typer.Option(..., "--date", help="Trading day of the file (YYYY-MM-DD)."),
    book: Path | None = typer.Option(None, "--book", help="LOBSTER orderbook file (row-aligned)."),
    symbol: str | None = typer.Option(None, "--symbol", help="Symbol of a LOBSTER file."),
    venue: str = typer.Option("Q", "--venue", help="TAQ participant letter of the venue."),
    round_lot: int = typer.Option(100, "--round-lot", help="Round lot in shares for the protected level."),
) -> Any:
    """Rebuild the venue's full-depth book and store every state's protected level."""
    from proctor.trading import iso_service

    ws = cmd.ws
    out = iso_service.import_depth(
        ws,
        path,
        actor=cmd.actor,
        fmt=fmt,
        day=_day(day, "--date"),
        symbol=symbol,
        book_path=book,
        venue=venue,
        round_lot=round_lot,
    )
    if cmd.json:
        return out
    check = out.get("check")
    line = f"import {out['id']}: {out['rows_stored']} book states"
    if check:
        line += f"; {check['rows_matched']} of {check['rows']} rows match the file's book columns"
    console.print(line)


def reportcard_import(
    cmd: Run,
    path: Path = typer.Argument(..., help="FINRA Reg NMS Trade Through Report Card detail data (CSV)."),
) -> Any:
    """Import the report card and reconcile it with Proctor's trade-through and ISO alerts."""
    from proctor.trading import iso_service

    ws = cmd.ws
    out = iso_service.import_reportcard(ws, path, _findings(ws), actor=cmd.actor)
    if cmd.json:
        return out
    r = out["reconciliation"]
    console.print(
        f"report card {out['id']}: {out['rows']} rows; matched {r['matched']}, "
        f"FINRA only {len(r['finra_only'])}, Proctor only {len(r['proctor_only'])}, "
        f"quarantined {out['quarantined']}"
    )


def _findings(ws: Any) -> list[dict[str, Any]]:
    """Proctor's own trade-level findings: trade-through, ISO and reject alerts with a trade subject."""
    import sqlalchemy as sa

    from proctor.store.schema import metadata

    alerts = metadata.tables.get("alerts")
    if alerts is None:
        return []
    out = []
    with ws.read() as conn:
        rows = conn.execute(sa.select(alerts).where(alerts.c.control.like("trading.%"))).all()
    for row in rows:
        m = dict(row._mapping)
        ev = m.get("evidence") or {}
        if isinstance(ev, dict) and ev.get("trade_id"):
            out.append(
                {
                    "trade_id": ev["trade_id"],
                    "symbol": ev.get("symbol"),
                    "ts": ev.get("ts"),
                    "price": ev.get("price"),
                    "quantity": ev.get("quantity"),
                    "control": m["control"],
                }
            )
    return out


def modifiers_cmd(cmd: Run, day: str = typer.Option(..., "--date", help="Trading day (YYYY-MM-DD).")) -> Any:
    """Daily modifier reconciliation: every trade whose exemption modifier lacks its evidence."""
    import polars as pl

    from proctor.trading import iso_service, modifiers
    from proctor.trading.params import DEFAULT_MODIFIER_CODES

    ws = cmd.ws
    d = iso_service.load_day(ws, _day(day, "--date"))
    if d.trades is None:
        raise InputError(
            f"no trade reports stored for {day}: nothing to reconcile (not zero findings)", field="--date"
        )
    routes = (
        d.routes
        if d.routes is not None
        else pl.DataFrame(schema={"is_iso": pl.Boolean, "parent_order_id": pl.Utf8, "cl_ord_id": pl.Utf8})
    )
    rows = modifiers.reconcile_modifiers(d.trades, routes, d.evidence, DEFAULT_MODIFIER_CODES)
    if cmd.json:
        return {"date": day, "trades": d.trades.height, "lacking_evidence": rows}
    cols = ["trade_id", "symbol", "modifier", "clause", "missing", "desk", "trader"]
    print_table(f"Modifiers without evidence on {day} ({len(rows)} of {d.trades.height} trades)", cols, rows)


def _venue_of(text: str) -> str:
    from proctor.trading.fix import DEFAULT_VENUE_CODES

    if text == "*":
        return text
    venue = DEFAULT_VENUE_CODES.get(text.upper())
    if venue is None:
        raise InputError(
            f"unknown venue {text!r}: a TAQ letter, a MIC, or * for every venue", field="--venue"
        )
    return venue


def tags_propose(
    cmd: Run,
    venue: str = typer.Option(..., "--venue", help="TAQ letter or MIC of the venue, or * for every venue."),
    tag: str = typer.Option(
        "clearing_firm", "--tag", help="Route field checked (clearing_firm = 439 / 452=4)."
    ),
    allow: list[str] = typer.Option([], "--allow", help="A value the venue accepts (repeatable)."),
    deny: list[str] = typer.Option([], "--deny", help="A value the venue refuses (repeatable)."),
    optional: bool = typer.Option(False, "--optional", help="A missing value is not a problem."),
    citation: str = typer.Option(..., "--citation", help="Where the rule comes from (venue spec, notice)."),
    reason: str = typer.Option("", "--reason", help="Why the firm adds it."),
) -> Any:
    """Propose a pre-route tag rule; a second person must approve it before it checks orders."""
    from proctor.trading import iso_service
    from proctor.trading.rejects import TagRule

    if not allow and not deny and optional:
        raise InputError("a rule needs --allow, --deny, or a required tag", field="--allow")
    ws = cmd.ws
    rule = TagRule(_venue_of(venue), tag, tuple(allow), tuple(deny), not optional, citation, reason)
    row = iso_service.add_tag_rule(ws, rule, actor=cmd.actor)
    if cmd.json:
        return row
    console.print(
        f"proposed {row['id']}: {rule.venue} {tag}; needs approval by someone other than {row['proposed_by']}"
    )


def tags_approve(cmd: Run, rule_id: str = typer.Argument(..., help="Tag rule id (TGR-...).")) -> Any:
    """Approve a proposed tag rule (not the proposer): it checks every order routed from now on."""
    from proctor.trading import iso_service

    ws = cmd.ws
    row = iso_service.approve_tag_rule(ws, rule_id, actor=cmd.actor)
    if cmd.json:
        return row
    console.print(f"{row['id']} active: proposed by {row['proposed_by']}, approved by {row['approved_by']}")


def tags_reject(cmd: Run, rule_id: str = typer.Argument(..., help="Tag rule id (TGR-...).")) -> Any:
    """Turn a proposed tag rule down (not the proposer): it never checks an order."""
    from proctor.trading import iso_service

    row = iso_service.reject_tag_rule(cmd.ws, rule_id, actor=cmd.actor)
    if cmd.json:
        return row
    console.print(f"{row['id']} rejected: proposed by {row['proposed_by']}, turned down by {cmd.actor}")


def tags_list(
    cmd: Run,
    status: str | None = typer.Option(None, "--status", help="proposed or active."),
) -> Any:
    """Pre-route tag rules with who proposed and approved them."""
    from proctor.trading import iso_service

    ws = cmd.ws
    rows = [
        {
            **r,
            "allowed": " ".join(r["rule"].get("allowed") or []),
            "denied": " ".join(r["rule"].get("denied") or []),
            "citation": r["rule"].get("citation", ""),
        }
        for r in iso_service.list_tag_rules(ws, status)
    ]
    if cmd.json:
        return rows
    cols = ["id", "venue", "tag", "allowed", "denied", "status", "proposed_by", "approved_by", "citation"]
    print_table("Pre-route tag rules", cols, rows)


def register(app: typer.Typer) -> None:
    """Add the ISO and routing commands to the `trading` command group."""
    imports = _import_group(app)
    command(imports, "fix", json=True)(import_fix)
    command(imports, "depth", json=True)(import_depth)
    card = typer.Typer(help="FINRA Reg NMS Trade Through Report Card.", no_args_is_help=True)
    command(card, "import", json=True)(reportcard_import)
    app.add_typer(card, name="reportcard")
    command(app, "modifiers", json=True, actor=False)(modifiers_cmd)
    tags = typer.Typer(help="Pre-route FIX tag rules (four eyes).", no_args_is_help=True)
    command(tags, "propose", json=True)(tags_propose)
    command(tags, "approve", json=True)(tags_approve)
    command(tags, "reject", json=True)(tags_reject)
    command(tags, "list", json=True, actor=False)(tags_list)
    app.add_typer(tags, name="tags")
