"""`proctor review`: policies, selection, the review queue and decisions, SLA, coverage, metrics.

Directory, supervision hierarchy and exemptions live in `review_setup_cmd` and are added here as
sub-groups, so the whole module is one `proctor review` command group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from proctor.cli import review_setup_cmd
from proctor.cli.common import (
    ActorOpt,
    AsOfOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    console,
    open_ws,
    parse_as_of,
    print_json,
    print_table,
)

app = typer.Typer(
    help="Supervisory review of communications (FINRA 3110(b)(4)): policies, queues, coverage.",
    no_args_is_help=True,
)
policy_app = typer.Typer(help="Review policies: versioned, and active only once a second person approves.")
app.add_typer(policy_app, name="policy")
app.add_typer(review_setup_cmd.directory_app, name="directory")
app.add_typer(review_setup_cmd.hierarchy_app, name="hierarchy")
app.add_typer(review_setup_cmd.exemption_app, name="exemption")


# --- policies --------------------------------------------------------------------------------------
POLICY_COLUMNS = ["id", "policy_id", "label", "status", "title", "proposed_by", "decided_by", "decided_at"]


@policy_app.command("import")
def policy_import(
    file: Path = typer.Argument(..., help="Policy file (YAML or JSON)."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Propose a new policy version from a file; it is active once someone else approves it."""
    from proctor.review.store import import_policy

    ws = open_ws(workspace)
    row = import_policy(ws, file, actor_for(ws, as_))
    if as_json:
        print_json({k: v for k, v in row.items() if k != "document"})
        return
    console.print(
        f"{row['id']}: policy {row['policy_id']} version {row['label']} proposed "
        f"(hash {row['version_hash'][:12]}); approve with: proctor review policy approve {row['id']}"
    )


@policy_app.command("approve")
def policy_approve(
    version_id: str,
    comment: str = typer.Option("", "--comment", help="Kept with the approval."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Approve a proposed version (not its proposer); it replaces the policy's active version."""
    from proctor.review.store import approve_policy

    ws = open_ws(workspace)
    row = approve_policy(ws, version_id, actor_for(ws, as_), comment)
    console.print(f"{row['id']}: policy {row['policy_id']} version {row['label']} is active")


@policy_app.command("reject")
def policy_reject(
    version_id: str,
    reason: str = typer.Option(..., "--reason", help="Why the version is turned down."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Turn down a proposed version; it never becomes active."""
    from proctor.review.store import reject_policy

    ws = open_ws(workspace)
    row = reject_policy(ws, version_id, actor_for(ws, as_), reason)
    console.print(f"{row['id']}: rejected")


@policy_app.command("list")
def policy_list(
    policy: str | None = typer.Option(None, "--policy", help="Only versions of this policy id."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Every policy version on record, newest first."""
    from proctor.review.store import list_versions

    ws = open_ws(workspace)
    with ws.read() as conn:
        rows = list_versions(conn, policy)
    if as_json:
        print_json(rows)
    else:
        print_table(f"Review policy versions ({len(rows)})", POLICY_COLUMNS, rows)


@policy_app.command("show")
def policy_show(version_id: str, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """One version with its full content as enforced."""
    from proctor.review.store import get_version

    ws = open_ws(workspace)
    with ws.read() as conn:
        row = get_version(conn, version_id)
    if as_json:
        print_json(row)
        return
    for key in [*POLICY_COLUMNS, "version_hash", "file_name", "file_sha256", "sla_business_days", "comment"]:
        console.print(f"[bold]{key.replace('_', ' ')}[/]: {row[key] if row[key] is not None else '—'}")
    print_json(row["document"])


# --- selection and the queue -----------------------------------------------------------------------
@app.command("select")
def select_(
    as_of: str | None = AsOfOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Run the review.selection control: every active policy over every message not yet evaluated."""
    ws = open_ws(workspace)
    with console.status("Selecting communications for review"):
        run = ws.controls.run("review.selection", actor=actor_for(ws, as_), as_of=parse_as_of(as_of))
    summary = run["summary"]
    if as_json:
        print_json({"run": run["id"], "outcome": run["outcome"], "alert_ids": run["alert_ids"], **summary})
        return
    print_table(
        f"Selection {run['id']} as of {summary.get('as_of', '')[:19]} ({run['outcome']})",
        [
            "policy_id",
            "evaluated",
            "in_scope",
            "selected",
            "alerts_raised",
            "already_selected",
            "sent_after_as_of",
        ],
        summary.get("policies", []),
    )
    routing = summary.get("routing") or {}
    console.print(
        f"{summary.get('alerts_raised', 0)} new review items; routed {routing.get('routed', 0)}, "
        f"unassigned {routing.get('unassigned', 0)}. Directory: {summary.get('directory')}"
    )
    if summary.get("problem"):
        console.print(f"[bold red]{summary['problem']}[/]")


@app.command()
def route(workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """Route review items still unassigned (e.g. after importing the supervision hierarchy)."""
    from proctor.review.routing import route_pending

    ws = open_ws(workspace)
    result = route_pending(ws, actor_for(ws, as_))
    console.print(f"routed {result['routed']}, still unassigned {result['unassigned']}")


QUEUE_COLUMNS = ["id", "severity", "status", "due_at", "reasons", "title", "assignee"]


@app.command()
def queue(
    everyone: bool = typer.Option(False, "--all", help="Every open review item (principals, auditors)."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Your open review items, soonest due first."""
    from proctor.review.decisions import queue as review_queue

    ws = open_ws(workspace)
    user = actor_for(ws, as_)
    rows = review_queue(ws, user, everyone=everyone)
    if as_json:
        print_json(rows)
    else:
        print_table(f"Review queue of {'everyone' if everyone else user} ({len(rows)})", QUEUE_COLUMNS, rows)


@app.command()
def show(alert_id: str, workspace: Path | None = WorkspaceOpt, as_: str | None = ActorOpt) -> None:
    """A review item: the message with its hits highlighted, and why it was selected."""
    ws = open_ws(workspace)
    alert = ws.alerts.view(alert_id, ws.users.get(actor_for(ws, as_)))
    evidence: dict[str, Any] = alert["evidence"]
    console.print(
        f"[bold]{alert['id']}[/] {alert['title']} — {alert['status']}, due {alert['due_at']:%Y-%m-%d}"
    )
    for key, value in evidence.get("headers", {}).items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False)
    body = Text(evidence.get("text", ""))
    for hit in evidence.get("hits", []):
        body.stylize("bold black on yellow", hit["start"], hit["end"])
    console.print(body)
    print_table("Why it was selected", ["kind", "detail"], evidence.get("reasons", []))


@app.command()
def decide(
    alert_id: str,
    action: str = typer.Option(..., "--action", "-a", help="no_issue, escalate or request_info"),
    rationale: str = typer.Option(..., "--rationale", "-r", help="Why: kept as evidence of review."),
    false_positive: bool = typer.Option(
        False, "--false-positive", help="With no_issue: the lexicon hit was harmless text."
    ),
    title: str = typer.Option("", "--title", help="With escalate: the case title."),
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
) -> None:
    """Decide a review item: no issue (close), escalate (to a case) or request information."""
    from proctor.review.decisions import decide as record

    ws = open_ws(workspace)
    result = record(
        ws,
        alert_id,
        action,
        rationale,
        actor=actor_for(ws, as_),
        false_positive=false_positive,
        case_title=title,
    )
    console.print(f"{alert_id}: {result.outcome}")


@app.command()
def log(
    limit: int = typer.Option(1000, "--limit", help="Most recently active items to include."),
    workspace: Path | None = WorkspaceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Evidence of review from the journal: who decided which item, when, and why."""
    from proctor.review.decisions import review_log

    ws = open_ws(workspace)
    rows = review_log(ws, limit)
    if as_json:
        print_json(rows)
    else:
        print_table(
            f"Review evidence ({len(rows)} entries)",
            ["at", "reviewer", "alert_id", "action", "disposition", "rationale"],
            rows,
        )


@app.command()
def sla(as_of: str | None = AsOfOpt, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Review items past their deadline (the review.sla control raises these daily)."""
    from proctor.review.sla import overdue

    ws = open_ws(workspace)
    rows = overdue(ws, parse_as_of(as_of) or ws.clock.now())
    if as_json:
        print_json(rows)
    else:
        print_table(
            f"Overdue review items ({len(rows)})",
            ["alert_id", "assignee", "principal", "due_at", "business_days_overdue", "title"],
            rows,
        )


# --- coverage and metrics --------------------------------------------------------------------------
@app.command()
def coverage(
    as_of: str | None = AsOfOpt,
    workspace: Path | None = WorkspaceOpt,
    as_: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Run the coverage register (control review.coverage), keep the report, and show it."""
    from proctor.review.coverage import load_report

    ws = open_ws(workspace)
    run = ws.controls.run("review.coverage", actor=actor_for(ws, as_), as_of=parse_as_of(as_of))
    report = load_report(ws, run["summary"].get("report_id")) or {}
    if as_json:
        print_json({**report, "run": run["id"], "alert_ids": run["alert_ids"]})
        return
    rows = [
        {
            **r,
            "captured_by": ", ".join(r["captured_by"]) or "—",
            "policies": ", ".join(p["policy"] for p in r["policies"]) or "—",
            "gaps": ", ".join(r["gaps"]) or "—",
        }
        for r in report.get("entries", [])
    ]
    print_table(
        f"Coverage register {report.get('report_id', '')} as of {report.get('as_of', '')[:19]}",
        ["status", "kind", "target", "captured_by", "policies", "gaps"],
        rows,
        {"status": "bold"},
    )
    for warning in report.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    totals = report.get("totals", {})
    console.print(
        f"{totals.get('covered', 0)} covered, {totals.get('exempt', 0)} exempt, "
        f"[bold]{totals.get('gap', 0)} gaps[/] (alerts: {', '.join(run['alert_ids']) or 'none'})"
    )


@app.command()
def metrics(
    as_of: str | None = AsOfOpt, workspace: Path | None = WorkspaceOpt, as_json: bool = JsonOpt
) -> None:
    """Timeliness and backlog per principal, hit and false-positive rates per term, sampling."""
    from proctor.review.metrics import review_metrics

    ws = open_ws(workspace)
    data = review_metrics(ws, parse_as_of(as_of))
    if as_json:
        print_json(data)
        return
    print_table(
        "Timeliness and backlog per principal",
        [
            "principal",
            "items",
            "decided",
            "on_time_rate",
            "open",
            "overdue",
            "median_business_days_to_decision",
        ],
        data["by_principal"],
    )
    print_table(
        "Lexicon terms",
        [
            "policy",
            "rule_id",
            "term",
            "messages_hit",
            "hit_rate",
            "decided",
            "false_positive_rate",
            "escalated",
        ],
        sorted(data["terms"], key=lambda t: -t["messages_hit"])[:40],
    )
    print_table(
        "Random sampling",
        [
            "policy",
            "messages_in_scope",
            "sampled",
            "sampled_rate",
            "configured_default_rate",
            "sampled_reviewed",
        ],
        data["sampling"],
    )
