"""`proctor reserve`: inputs, the Exhibit A computation, lineage, review, sign-off, change control."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from proctor.cli.command import Run, command
from proctor.cli.common import console, print_table
from proctor.cli.reserve_history_cmd import month_ends_app
from proctor.core.errors import InputError
from proctor.platform.dates import parse_day
from proctor.reserve import governance, service
from proctor.reserve.money import fmt
from proctor.reserve.report import exhibit_html, exhibit_pdf

app = typer.Typer(help="Customer and PAB reserve computation (SEA 15c3-3 Exhibit A).", no_args_is_help=True)
inputs_app = typer.Typer(help="Canonical input files for a reserve computation.", no_args_is_help=True)
variance_app = typer.Typer(help="Variance review against the previous computation.", no_args_is_help=True)
app.add_typer(inputs_app, name="inputs")
app.add_typer(variance_app, name="variance")
app.add_typer(month_ends_app, name="month-ends")

PabOpt = typer.Option(False, "--pab", help="The PAB computation instead of the customer one.")


def _row(ws: Any, computation: str | None, as_of: str | None, pab: bool) -> dict[str, Any]:
    if computation:
        return service.get_computation(ws, computation)
    return service.latest_computation(
        ws, parse_day(as_of, "--as-of") if as_of else None, "pab" if pab else "customer"
    )


@command(inputs_app, "load", json=True)
def inputs_load(
    cmd: Run,
    directory: Path = typer.Argument(..., help="Folder with the canonical CSV/Parquet files and firm.json."),
    as_of: str = typer.Option(..., "--as-of", help="Computation date the files are as of."),
    supersedes: str | None = typer.Option(None, "--supersedes", help="Input set this corrects."),
    reason: str = typer.Option("", "--reason", help="Why the correction was needed."),
) -> Any:
    """Validate the files (control totals, types) and store them, with a manifest, as an input set."""
    ws = cmd.ws
    row = service.load_inputs(
        ws,
        directory,
        parse_day(as_of, "--as-of"),
        actor=cmd.actor,
        supersedes=supersedes,
        reason=reason,
    )
    if cmd.json:
        return row
    console.print(f"input set {row['id']} as of {row['as_of']}: {len(row['manifest'])} files stored")
    if row.get("possibly_stale_of"):
        console.print(
            f"[bold yellow]warning[/] every data file is identical to input set {row['possibly_stale_of']}"
            " of the previous date: possibly a stale feed (an alert was raised)"
        )


@command(app, "compute", json=True)
def compute(
    cmd: Run,
    as_of: str = typer.Option(..., "--as-of"),
    pab: bool = PabOpt,
    method: str = typer.Option("basic", "--method", help="basic or alternative (15c3-1(a)(1)(ii))."),
    cadence: str = typer.Option("weekly", "--cadence", help="weekly, daily or monthly."),
    formula: str | None = typer.Option(
        None, "--formula", help="Formula version digest (default: of record)."
    ),
    what_if: bool = typer.Option(False, "--what-if", help="Not of record: allows a proposed formula."),
    reason: str = typer.Option(
        "", "--reason", help="Why this rerun supersedes the date's computation of record."
    ),
    html: Path | None = typer.Option(None, "--html", help="Write the Exhibit A report as HTML here."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the Exhibit A report as PDF here."),
) -> Any:
    """Run the gates and, if they pass, the customer and PAB computations; HOLD otherwise."""
    ws = cmd.ws
    outcome = service.compute_of_record(
        ws,
        parse_day(as_of, "--as-of"),
        actor=cmd.actor,
        method=method,
        cadence=cadence,
        rules_digest=formula,
        kind="what_if" if what_if else "record",
        reason=reason,
    )
    row = outcome.rows["pab" if pab else "customer"]
    doc = service.report_doc(ws, row) if row["report_blob"] else None
    if html and doc:
        html.write_text(exhibit_html(doc), "utf-8")
    if pdf and doc:
        pdf.write_bytes(exhibit_pdf(doc))
    if cmd.json:
        if doc is not None:  # the 15c3-3(i) notice belongs with the figures it is about
            doc = dict(doc, computation_id=row["id"], notice=row["notice"])
        if outcome.gates.hold:
            cmd.then_raise = typer.Exit(3)  # a HOLD is not a result: scripts must not read it as one
        return doc or {"computation_id": row["id"], "status": "HOLD", "gates": outcome.gates.as_dict()}
    if outcome.gates.hold:
        console.print(f"[bold red]HOLD[/] {row['id']} as of {as_of}: the computation was not produced")
        for reason in outcome.gates.reasons():
            console.print(f"  - {reason}", highlight=False)
        raise typer.Exit(3)
    if doc is None:  # a computed row always has its report; guard for the type checker
        raise typer.Exit(1)
    print_table(
        f"Exhibit A ({row['book']}) as of {as_of} — {row['id']}",
        ["item", "side", "amount", "focus_line", "focus_box", "caption"],
        [dict(line, caption=line["caption"][:70]) for line in doc["lines"]],
    )
    console.print(
        f"requirement {doc['requirement']}  on deposit {doc['on_deposit']}  deficiency {doc['deficiency']}"
        f"  due {doc['deposit_deadline']}  variances {len(row['variance'])}"
    )


@command(app, "explain", json=True)
def explain(
    cmd: Run,
    item: str = typer.Argument(..., help="Exhibit A item: 1-16, credit_other, debit_other."),
    computation: str | None = typer.Option(None, "--computation"),
    as_of: str | None = typer.Option(None, "--as-of"),
    pab: bool = PabOpt,
    account: str | None = typer.Option(None, "--account", help="Only this account or contract."),
    top: int = typer.Option(20, "--top"),
) -> Any:
    """Show where a line's dollars come from: components, treatments, accounts and source rows."""
    ws = cmd.ws
    row = _row(ws, computation, as_of, pab)
    result = service.explain_item(ws, row["id"], item, actor=cmd.actor, ref=account, top=top)
    if cmd.json:
        return result
    console.print(f"Item {item} of {row['id']} ({row['book']}, {row['as_of']}): {fmt(result['total'])}")
    print_table(
        "By component",
        ["component", "amount", "rows", "rounding_cents"],
        [dict(c, amount=fmt(c["amount"])) for c in result["components"]],
    )
    print_table(
        "Largest contributions",
        ["component", "ref", "_file", "_row", "basis", "amount", "treatment"],
        [dict(t, basis=fmt(t["basis"]), amount=fmt(t["amount"])) for t in result["top"]],
    )


@command(app, "history", json=True, actor=False)
def history(cmd: Run, pab: bool = PabOpt) -> Any:
    """Computations of record, newest first."""
    ws = cmd.ws
    rows = service.history(ws, "pab" if pab else "customer")
    if cmd.json:
        return rows
    print_table(
        "Reserve computations",
        ["id", "as_of", "book", "status", "requirement", "on_deposit", "deficiency", "rules_version"],
        [
            dict(
                r,
                requirement=fmt(r["requirement"]),
                on_deposit=fmt(r["on_deposit"]),
                deficiency=fmt(r["deficiency"]),
            )
            for r in rows
        ],
    )


@command(variance_app, "show", json=True, actor=False)
def variance_show(
    cmd: Run,
    computation: str | None = typer.Option(None, "--computation"),
    as_of: str | None = typer.Option(None, "--as-of"),
    pab: bool = PabOpt,
) -> Any:
    """Breaches against the previous computation and whether each is explained."""
    ws = cmd.ws
    row = _row(ws, computation, as_of, pab)
    rows = [dict(b, explanation=row["explanations"].get(b["key"], "")) for b in row["variance"]]
    if cmd.json:
        return {"computation": row["id"], "previous": row["previous_id"], "breaches": rows}
    print_table(
        f"Variances of {row['id']} against {row['previous_id']}",
        ["key", "kind", "message", "explanation"],
        rows,
    )


@command(variance_app, "explain")
def variance_explain(
    cmd: Run,
    computation: str = typer.Argument(...),
    key: str = typer.Argument(..., help="e.g. line:1 or component:accounts.short_market_value"),
    text: str = typer.Argument(..., help="Why the line moved."),
) -> None:
    """Record the FINOP's explanation of one breach (journaled)."""
    ws = cmd.ws
    service.explain_variance(ws, computation, key, text, actor=cmd.actor)
    console.print(f"explained {key} on {computation}")


@command(app, "signoff")
def signoff(
    cmd: Run,
    computation: str = typer.Argument(...),
    statement: str = typer.Option(..., "--statement", help="What was reviewed."),
) -> None:
    """FINOP sign-off; refused on a HOLD or while any variance is unexplained."""
    ws = cmd.ws
    service.sign_off(ws, computation, actor=cmd.actor, statement=statement)
    console.print(f"{computation} signed off")


@command(app, "propose", json=True)
def propose(
    cmd: Run,
    change: list[str] = typer.Option(
        ..., "--change", help='JSON, e.g. {"op":"set_param","name":..,"value":..}'
    ),
    reason: str = typer.Option(..., "--reason"),
    version: str = typer.Option(..., "--version", help="Name of the new formula version."),
    kind: str = typer.Option("formula", "--kind", help="formula, parameter or mapping."),
) -> Any:
    """Propose a change to the formula, a parameter or an input mapping."""
    try:
        changes = [json.loads(c) for c in change]
    except json.JSONDecodeError as exc:
        raise InputError(f"--change is not JSON: {exc}", field="--change") from None
    ws = cmd.ws
    row = governance.propose(
        ws, actor=cmd.actor, kind=kind, changes=changes, reason=reason, new_version=version
    )
    if cmd.json:
        return row
    console.print(f"proposal {row['id']} for {row['new_version']} ({row['new_digest'][:12]}):")
    for d in row["diff"]:
        console.print(f"  {d['what']}: {d['old']} -> {d['new']}", highlight=False)


@command(app, "approve", json=True)
def approve(cmd: Run, proposal: str = typer.Argument(...)) -> Any:
    """Approve a proposal; the second distinct approver makes it of record and replays 52 computations."""
    ws = cmd.ws
    row = governance.approve(ws, proposal, actor=cmd.actor)
    if cmd.json:
        return row
    console.print(f"proposal {proposal}: {row['status']} ({len(row['approvals'])} approval(s))")
    if row["replay"]:
        print_table(
            "Replay under old and new formula",
            ["as_of", "book", "old_requirement", "new_requirement", "requirement_change"],
            [
                dict(
                    r,
                    old_requirement=fmt(r["old_requirement"]),
                    new_requirement=fmt(r["new_requirement"]),
                    requirement_change=fmt(r["requirement_change"]),
                )
                for r in row["replay"]
            ],
        )


@command(app, "reject")
def reject(
    cmd: Run, proposal: str = typer.Argument(...), reason: str = typer.Option(..., "--reason")
) -> None:
    """Reject a proposal with a reason."""
    ws = cmd.ws
    governance.reject(ws, proposal, actor=cmd.actor, reason=reason)
    console.print(f"proposal {proposal} rejected")


@command(app, "proposals", json=True, actor=False)
def proposals(cmd: Run) -> Any:
    """Formula change proposals and their approvals."""
    ws = cmd.ws
    rows = governance.list_proposals(ws)
    if cmd.json:
        return rows
    print_table(
        "Formula proposals",
        ["id", "kind", "new_version", "status", "proposed_by", "approvals"],
        [dict(r, approvals=", ".join(a["user"] for a in r["approvals"])) for r in rows],
    )


@command(app, "rerun", json=True)
def rerun(cmd: Run, start: str = typer.Option(..., "--from"), end: str = typer.Option(..., "--to")) -> Any:
    """Hindsight re-run of corrected past dates; deficiencies go to notice and FOCUS review."""
    ws = cmd.ws
    found = governance.rerun_hindsight(
        ws, parse_day(start, "--from"), parse_day(end, "--to"), actor=cmd.actor
    )
    if cmd.json:
        return found
    print_table(
        "Hindsight re-run",
        [
            "as_of",
            "book",
            "status",
            "original_requirement",
            "corrected_requirement",
            "hindsight_deficiency",
            "focus_amendment_review",
        ],
        [
            dict(
                f,
                original_requirement=fmt(f.get("original_requirement")),
                corrected_requirement=fmt(f.get("corrected_requirement")),
                hindsight_deficiency=fmt(f.get("hindsight_deficiency")),
            )
            for f in found
        ],
    )


@command(app, "report", actor=False)
def report(
    cmd: Run,
    computation: str = typer.Argument(...),
    out: Path = typer.Option(
        ..., "--out", help="File to write; the format follows the suffix (.html, .pdf, .json)."
    ),
) -> None:
    """Write a computation's Exhibit A report with the FOCUS Part II line mapping."""
    ws = cmd.ws
    doc = service.report_doc(ws, service.get_computation(ws, computation))
    if out.suffix == ".html":
        out.write_text(exhibit_html(doc), "utf-8")
    elif out.suffix == ".pdf":
        out.write_bytes(exhibit_pdf(doc))
    elif out.suffix == ".json":
        out.write_text(json.dumps(doc, indent=2), "utf-8")
    else:
        raise InputError("--out must end in .html, .pdf or .json", field="--out")
    console.print(f"wrote {out}")


@command(app, "rules", json=True, actor=False)
def rules(cmd: Run) -> Any:
    """The formula of record: items, citations, parameters, and readings still to confirm."""
    ws = cmd.ws
    table = service.rules_of_record(ws)
    if cmd.json:
        return table.to_dict() | {"digest": table.digest, "unconfirmed": table.unconfirmed()}
    console.print(f"formula {table.version} ({table.digest[:12]}), effective {table.effective_from}")
    print_table(
        "Items",
        ["id", "side", "citation", "focus_line", "focus_box", "components"],
        [
            {
                "id": i.id,
                "side": i.side,
                "citation": i.citation,
                "focus_line": i.focus_line,
                "focus_box": i.focus_box,
                "components": ", ".join(i.components),
            }
            for i in table.items.values()
        ],
    )
    print_table(
        "Parameters",
        ["name", "value", "citation", "verification"],
        [p.__dict__ for p in table.params.values()],
    )
