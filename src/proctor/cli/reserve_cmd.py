"""`proctor reserve`: inputs, the Exhibit A computation, lineage, review, sign-off, change control."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

from proctor.cli.common import (
    ActorOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    console,
    open_ws,
    print_json,
    print_table,
)
from proctor.core.errors import InputError
from proctor.reserve import governance, service
from proctor.reserve.money import fmt
from proctor.reserve.report import exhibit_html, exhibit_pdf

app = typer.Typer(help="Customer and PAB reserve computation (SEA 15c3-3 Exhibit A).", no_args_is_help=True)
inputs_app = typer.Typer(help="Canonical input files for a reserve computation.", no_args_is_help=True)
variance_app = typer.Typer(help="Variance review against the previous computation.", no_args_is_help=True)
app.add_typer(inputs_app, name="inputs")
app.add_typer(variance_app, name="variance")

PabOpt = typer.Option(False, "--pab", help="The PAB computation instead of the customer one.")


def _day(text: str, option: str = "--as-of") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}", field=option) from None


def _row(ws: Any, computation: str | None, as_of: str | None, pab: bool) -> dict[str, Any]:
    if computation:
        return service.get_computation(ws, computation)
    return service.latest_computation(ws, _day(as_of) if as_of else None, "pab" if pab else "customer")


@inputs_app.command("load")
def inputs_load(
    directory: Path = typer.Argument(..., help="Folder with the canonical CSV/Parquet files and firm.json."),
    as_of: str = typer.Option(..., "--as-of", help="Computation date the files are as of."),
    supersedes: str | None = typer.Option(None, "--supersedes", help="Input set this corrects."),
    reason: str = typer.Option("", "--reason", help="Why the correction was needed."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Validate the files (control totals, types) and store them, with a manifest, as an input set."""
    ws = open_ws(workspace)
    row = service.load_inputs(
        ws, directory, _day(as_of), actor=actor_for(ws, as_), supersedes=supersedes, reason=reason
    )
    if as_json:
        print_json(row)
        return
    console.print(f"input set {row['id']} as of {row['as_of']}: {len(row['manifest'])} files stored")


@app.command("compute")
def compute(
    as_of: str = typer.Option(..., "--as-of"),
    pab: bool = PabOpt,
    method: str = typer.Option("basic", "--method", help="basic or alternative (15c3-1(a)(1)(ii))."),
    cadence: str = typer.Option("weekly", "--cadence", help="weekly, daily or monthly."),
    formula: str | None = typer.Option(
        None, "--formula", help="Formula version digest (default: of record)."
    ),
    what_if: bool = typer.Option(False, "--what-if", help="Not of record: allows a proposed formula."),
    html: Path | None = typer.Option(None, "--html", help="Write the Exhibit A report as HTML here."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the Exhibit A report as PDF here."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Run the gates and, if they pass, the customer and PAB computations; HOLD otherwise."""
    ws = open_ws(workspace)
    outcome = service.compute_of_record(
        ws,
        _day(as_of),
        actor=actor_for(ws, as_),
        method=method,
        cadence=cadence,
        rules_digest=formula,
        kind="what_if" if what_if else "record",
    )
    row = outcome.rows["pab" if pab else "customer"]
    doc = service.report_doc(ws, row) if row["report_blob"] else None
    if html and doc:
        html.write_text(exhibit_html(doc), "utf-8")
    if pdf and doc:
        pdf.write_bytes(exhibit_pdf(doc))
    if as_json:
        print_json(doc or {"computation_id": row["id"], "status": "HOLD", "gates": outcome.gates.as_dict()})
        if outcome.gates.hold:
            raise typer.Exit(3)  # a HOLD is not a result: scripts must not read it as one
        return
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


@app.command("explain")
def explain(
    item: str = typer.Argument(..., help="Exhibit A item: 1-16, credit_other, debit_other."),
    computation: str | None = typer.Option(None, "--computation"),
    as_of: str | None = typer.Option(None, "--as-of"),
    pab: bool = PabOpt,
    account: str | None = typer.Option(None, "--account", help="Only this account or contract."),
    top: int = typer.Option(20, "--top"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Show where a line's dollars come from: components, treatments, accounts and source rows."""
    ws = open_ws(workspace)
    row = _row(ws, computation, as_of, pab)
    result = service.explain_item(ws, row["id"], item, actor=actor_for(ws, as_), ref=account, top=top)
    if as_json:
        print_json(result)
        return
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


@app.command("history")
def history(pab: bool = PabOpt, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Computations of record, newest first."""
    ws = open_ws(workspace)
    rows = service.history(ws, "pab" if pab else "customer")
    if as_json:
        print_json(rows)
        return
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


@variance_app.command("show")
def variance_show(
    computation: str | None = typer.Option(None, "--computation"),
    as_of: str | None = typer.Option(None, "--as-of"),
    pab: bool = PabOpt,
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Breaches against the previous computation and whether each is explained."""
    ws = open_ws(workspace)
    row = _row(ws, computation, as_of, pab)
    rows = [dict(b, explanation=row["explanations"].get(b["key"], "")) for b in row["variance"]]
    if as_json:
        print_json({"computation": row["id"], "previous": row["previous_id"], "breaches": rows})
        return
    print_table(
        f"Variances of {row['id']} against {row['previous_id']}",
        ["key", "kind", "message", "explanation"],
        rows,
    )


@variance_app.command("explain")
def variance_explain(
    computation: str = typer.Argument(...),
    key: str = typer.Argument(..., help="e.g. line:1 or component:accounts.short_market_value"),
    text: str = typer.Argument(..., help="Why the line moved."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Record the FINOP's explanation of one breach (journaled)."""
    ws = open_ws(workspace)
    service.explain_variance(ws, computation, key, text, actor=actor_for(ws, as_))
    console.print(f"explained {key} on {computation}")


@app.command("signoff")
def signoff(
    computation: str = typer.Argument(...),
    statement: str = typer.Option(..., "--statement", help="What was reviewed."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """FINOP sign-off; refused on a HOLD or while any variance is unexplained."""
    ws = open_ws(workspace)
    service.sign_off(ws, computation, actor=actor_for(ws, as_), statement=statement)
    console.print(f"{computation} signed off")


@app.command("propose")
def propose(
    change: list[str] = typer.Option(
        ..., "--change", help='JSON, e.g. {"op":"set_param","name":..,"value":..}'
    ),
    reason: str = typer.Option(..., "--reason"),
    version: str = typer.Option(..., "--version", help="Name of the new formula version."),
    kind: str = typer.Option("formula", "--kind", help="formula, parameter or mapping."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Propose a change to the formula, a parameter or an input mapping."""
    try:
        changes = [json.loads(c) for c in change]
    except json.JSONDecodeError as exc:
        raise InputError(f"--change is not JSON: {exc}", field="--change") from None
    ws = open_ws(workspace)
    row = governance.propose(
        ws, actor=actor_for(ws, as_), kind=kind, changes=changes, reason=reason, new_version=version
    )
    if as_json:
        print_json(row)
        return
    console.print(f"proposal {row['id']} for {row['new_version']} ({row['new_digest'][:12]}):")
    for d in row["diff"]:
        console.print(f"  {d['what']}: {d['old']} -> {d['new']}", highlight=False)


@app.command("approve")
def approve(
    proposal: str = typer.Argument(...),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Approve a proposal; the second distinct approver makes it of record and replays 52 computations."""
    ws = open_ws(workspace)
    row = governance.approve(ws, proposal, actor=actor_for(ws, as_))
    if as_json:
        print_json(row)
        return
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


@app.command("reject")
def reject(
    proposal: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Reject a proposal with a reason."""
    ws = open_ws(workspace)
    governance.reject(ws, proposal, actor=actor_for(ws, as_), reason=reason)
    console.print(f"proposal {proposal} rejected")


@app.command("proposals")
def proposals(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Formula change proposals and their approvals."""
    ws = open_ws(workspace)
    rows = governance.list_proposals(ws)
    if as_json:
        print_json(rows)
        return
    print_table(
        "Formula proposals",
        ["id", "kind", "new_version", "status", "proposed_by", "approvals"],
        [dict(r, approvals=", ".join(a["user"] for a in r["approvals"])) for r in rows],
    )


@app.command("rerun")
def rerun(
    start: str = typer.Option(..., "--from"),
    end: str = typer.Option(..., "--to"),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Hindsight re-run of corrected past dates; deficiencies go to notice and FOCUS review."""
    ws = open_ws(workspace)
    found = governance.rerun_hindsight(ws, _day(start, "--from"), _day(end, "--to"), actor=actor_for(ws, as_))
    if as_json:
        print_json(found)
        return
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


@app.command("report")
def report(
    computation: str = typer.Argument(...),
    out: Path = typer.Option(
        ..., "--out", help="File to write; the format follows the suffix (.html, .pdf, .json)."
    ),
    workspace: Path | None = WorkspaceOpt,
) -> None:
    """Write a computation's Exhibit A report with the FOCUS Part II line mapping."""
    ws = open_ws(workspace)
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


@app.command("rules")
def rules(workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """The formula of record: items, citations, parameters, and readings still to confirm."""
    ws = open_ws(workspace)
    table = service.rules_of_record(ws)
    if as_json:
        print_json(table.to_dict() | {"digest": table.digest, "unconfirmed": table.unconfirmed()})
        return
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
