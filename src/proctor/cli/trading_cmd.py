"""`proctor trading`: market data and trades in, the Rule 611 check run, the daily desk report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from proctor.cli import trading_iso_cmd
from proctor.cli.command import Run, command
from proctor.cli.common import console, print_table
from proctor.core.errors import InputError

app = typer.Typer(help="Order protection surveillance (Reg NMS Rule 611).", no_args_is_help=True)
import_app = typer.Typer(
    help="Import market data, trade reports and exception evidence.", no_args_is_help=True
)
app.add_typer(import_app, name="import")

FormatOpt = typer.Option(
    None, "--format", help="csv, parquet or taq (default: from the file name and columns)."
)
DateOpt = typer.Option(
    None, "--date", help="Import only this trading day (YYYY-MM-DD); other rows are quarantined."
)


def _day(text: str | None, option: str = "--date") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}", field=option) from None


def _import(cmd: Run, kind: str, path: Path, fmt: str | None, day: str | None, lots: bool) -> Any:
    from proctor.trading.store import import_file

    ws = cmd.ws
    row = import_file(ws, kind, path, actor=cmd.actor, fmt=fmt, day=_day(day), lots=lots)
    if cmd.json:
        return row
    verb = "already imported (same file and options): nothing changed" if row["duplicate"] else "imported"
    console.print(
        f"{kind} {verb} — {row['id']}: {row['rows_read']} rows read, {row['rows_stored']} stored in "
        f"{len(row['partitions'])} partitions, {row['quarantined']} quarantined",
        highlight=False,
    )
    for note in row["notes"]:
        console.print(f"  note: {note}", highlight=False)
    for issue in row.get("issues", [])[:10]:
        console.print(
            f"  {issue['file']}, row {issue['row']}, field {issue['field']!r}: {issue['reason']}",
            highlight=False,
        )
    if row["quarantined"]:
        console.print(f"  every quarantined row: proctor trading quarantine {row['id']}")


@command(import_app, "quotes", json=True)
def import_quotes(
    cmd: Run,
    path: Path = typer.Argument(..., help="Canonical quotes CSV/Parquet, or the TAQ layout."),
    fmt: str | None = FormatOpt,
    day: str | None = DateOpt,
    lots: bool = typer.Option(False, "--lots", help="Sizes are in round lots of 100 shares (TAQ)."),
) -> Any:
    """Per-venue top-of-book quotes: ts,symbol,venue,bid_px,bid_size,ask_px,ask_size,condition."""
    return _import(cmd, "quotes", path, fmt, day, lots)


@command(import_app, "trades", json=True)
def import_trades(
    cmd: Run,
    path: Path = typer.Argument(..., help="The firm's trade reports (canonical CSV/Parquet) or TAQ prints."),
    fmt: str | None = FormatOpt,
    day: str | None = DateOpt,
) -> Any:
    """Trade reports: trade_id,symbol,execution_time,report_time,side,price,quantity,modifiers,..."""
    return _import(cmd, "trades", path, fmt, day, False)


@command(import_app, "evidence", json=True)
def import_evidence(
    cmd: Run,
    path: Path = typer.Argument(..., help="Exception evidence CSV/Parquet."),
    fmt: str | None = FormatOpt,
    day: str | None = DateOpt,
) -> Any:
    """Exception evidence: kind,order_id,venue,symbol,start_time,end_time,price,detail."""
    return _import(cmd, "evidence", path, fmt, day, False)


@command(import_app, "clock", json=True)
def import_clock(
    cmd: Run,
    path: Path = typer.Argument(..., help="Clock-synchronisation log CSV: system,ts,offset_ms."),
    fmt: str | None = FormatOpt,
    day: str | None = DateOpt,
) -> Any:
    """Clock-sync drift readings (FINRA 4590), checked against the 50 ms tolerance."""
    return _import(cmd, "clock", path, fmt, day, False)


@command(import_app, "refprices", json=True)
def import_refprices(
    cmd: Run,
    path: Path = typer.Argument(..., help="Reference prices CSV: symbol,month,avg_close."),
    fmt: str | None = FormatOpt,
) -> Any:
    """Monthly average closing prices, which assign round-lot tiers from 3 Nov 2025."""
    return _import(cmd, "refprices", path, fmt, None, False)


@command(app, "quarantine", json=True, actor=False)
def quarantine(cmd: Run, import_id: str = typer.Argument(..., help="Import id (TIM-…).")) -> Any:
    """Every quarantined row of an import, with file, row, field and reason."""
    from proctor.trading.store import quarantine as rows_of

    ws = cmd.ws
    rows = rows_of(ws, import_id)
    if cmd.json:
        return rows
    print_table(f"Quarantine of {import_id}", ["file", "row", "field", "value", "reason"], rows)


@command(app, "run", json=True)
def run(
    cmd: Run,
    day: str = typer.Option(..., "--date", help="Trading day to check (YYYY-MM-DD)."),
    engine: str = typer.Option("local", "--engine", help="local or spark."),
) -> Any:
    """Run the data-quality gates and the trade-through check for one day as control runs."""
    from proctor.trading.controls import DATA_QUALITY, TRADE_THROUGH
    from proctor.trading.daily import evaluate_day, record_check

    if engine not in ("local", "spark"):
        raise InputError(f"unknown engine {engine!r}: local or spark", field="--engine")
    checked = _day(day)
    ws = cmd.ws
    actor = cmd.actor
    runs = [
        ws.controls.run(
            name, actor=actor, params={"date": checked.isoformat() if checked else day, "engine": engine}
        )
        for name in (DATA_QUALITY, TRADE_THROUGH)
    ]
    assert checked is not None
    check = record_check(
        ws,
        evaluate_day(ws, checked, engine=engine),
        engine=engine,
        actor=actor,
        run_ids=[r["id"] for r in runs],
    )
    if cmd.json:
        return {"runs": runs, "check": check}
    print_table(
        f"Rule 611 check of {day} ({engine})",
        ["control", "outcome", "input_count", "alerts_raised"],
        [dict(r, alerts_raised=len(r.get("alert_ids") or [])) for r in runs],
    )
    for r in runs:
        console.print(f"{r['control']}: {r.get('summary')}", highlight=False)
    console.print(f"check of record {check['id']}: per-trade results {check['results_blob'] or 'none'}")


@command(app, "report", json=True, actor=False)
def report(
    cmd: Run,
    day: str = typer.Option(..., "--date", help="Trading day (YYYY-MM-DD)."),
    html_path: Path | None = typer.Option(None, "--html", help="Write the report as HTML here."),
) -> Any:
    """Daily summary per desk (trades, compliant, exempt by clause, violations) and data verdicts."""
    from proctor.trading.daily import evaluate_day
    from proctor.trading.report import summarise, to_html

    checked = _day(day)
    assert checked is not None
    ws = cmd.ws
    summary = summarise(evaluate_day(ws, checked))
    if html_path is not None:
        html_path.write_text(to_html(summary), "utf-8")
    if cmd.json:
        return summary
    console.print(
        f"[bold]Rule 611 report {day}[/] — rule version {summary['rule_version']}; {summary['why']}"
    )
    rows = [
        dict(
            d, exempt_by_clause=", ".join(f"{k}:{v}" for k, v in sorted(d["exempt_by_clause"].items())) or "—"
        )
        for d in summary["desks"]
    ]
    print_table(
        "By desk",
        [
            "desk",
            "trades",
            "compliant",
            "exempt",
            "exempt_by_clause",
            "exempt_claimed",
            "violations",
            "no_protected_quote",
            "outside_hours",
            "odd_lot_only_better",
        ],
        rows,
    )
    if summary["no_data"]:
        console.print(f"[bold red]NO DATA[/]: no quotes or trades are stored for {day}")
    for s in summary["symbol_days"]:
        lot = s["round_lot"]
        flag = " FLAGGED (tier from the day's first prices)" if lot["flagged"] else ""
        state = "checked" if s["checked"] else "NOT checked: " + s["not_checked_reason"]
        console.print(
            f"[bold]{s['symbol']}[/]: {s['verdict']} — round lot {lot['shares']} ({lot['basis']}){flag}; "
            f"{s['trades']} trades; {state}",
            highlight=False,
        )
        for g in s["gates"]["gates"]:
            console.print(f"  {g['status']:<4} {g['name']}: {g['reason']}", highlight=False)
    if html_path is not None:
        console.print(f"HTML report written to {html_path}")


trading_iso_cmd.register(app)
