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
from proctor.cli.command import Run, command
from proctor.cli.common import (
    AsOfOpt,
    JsonOpt,
    WorkspaceOpt,
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


@command(policy_app, "import", json=True)
def policy_import(cmd: Run, file: Path = typer.Argument(..., help="Policy file (YAML or JSON).")) -> Any:
    """Propose a new policy version from a file; it is active once someone else approves it."""
    from proctor.review.store import import_policy

    ws = cmd.ws
    row = import_policy(ws, file, cmd.actor)
    if cmd.json:
        return {k: v for k, v in row.items() if k != "document"}
    console.print(
        f"{row['id']}: policy {row['policy_id']} version {row['label']} proposed "
        f"(hash {row['version_hash'][:12]}); approve with: proctor review policy approve {row['id']}"
    )


@command(policy_app, "approve")
def policy_approve(
    cmd: Run, version_id: str, comment: str = typer.Option("", "--comment", help="Kept with the approval.")
) -> None:
    """Approve a proposed version (not its proposer); it replaces the policy's active version."""
    from proctor.review.store import approve_policy

    ws = cmd.ws
    row = approve_policy(ws, version_id, cmd.actor, comment)
    console.print(f"{row['id']}: policy {row['policy_id']} version {row['label']} is active")


@command(policy_app, "reject")
def policy_reject(
    cmd: Run,
    version_id: str,
    reason: str = typer.Option(..., "--reason", help="Why the version is turned down."),
) -> None:
    """Turn down a proposed version; it never becomes active."""
    from proctor.review.store import reject_policy

    ws = cmd.ws
    row = reject_policy(ws, version_id, cmd.actor, reason)
    console.print(f"{row['id']}: rejected")


@command(policy_app, "list", json=True, actor=False)
def policy_list(
    cmd: Run, policy: str | None = typer.Option(None, "--policy", help="Only versions of this policy id.")
) -> Any:
    """Every policy version on record, newest first."""
    from proctor.review.store import list_versions

    ws = cmd.ws
    with ws.read() as conn:
        rows = list_versions(conn, policy)
    if cmd.json:
        return rows
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
@command(app, "select", json=True)
def select_(cmd: Run, as_of: str | None = AsOfOpt) -> Any:
    """Run the review.selection control: every active policy over every message not yet evaluated."""
    ws = cmd.ws
    with console.status("Selecting communications for review"):
        run = ws.controls.run("review.selection", actor=cmd.actor, as_of=parse_as_of(as_of))
    summary = {**run["summary"], "routing": run.get("after_raise") or {}}
    if cmd.json:
        return {"run": run["id"], "outcome": run["outcome"], "alert_ids": run["alert_ids"], **summary}
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


@command(app)
def route(cmd: Run) -> None:
    """Route review items still unassigned (e.g. after importing the supervision hierarchy)."""
    from proctor.review.routing import route_pending

    ws = cmd.ws
    result = route_pending(ws, cmd.actor)
    console.print(f"routed {result['routed']}, still unassigned {result['unassigned']}")


QUEUE_COLUMNS = ["id", "severity", "status", "due_at", "reasons", "title", "assignee"]


@command(app, json=True)
def queue(
    cmd: Run,
    everyone: bool = typer.Option(False, "--all", help="Every open review item (principals, auditors)."),
) -> Any:
    """Your open review items, soonest due first."""
    from proctor.review.decisions import queue as review_queue

    ws = cmd.ws
    user = cmd.actor
    rows = review_queue(ws, user, everyone=everyone)
    if cmd.json:
        return rows
    print_table(f"Review queue of {'everyone' if everyone else user} ({len(rows)})", QUEUE_COLUMNS, rows)


@command(app)
def show(cmd: Run, alert_id: str) -> None:
    """A review item: the message with its hits highlighted, and why it was selected."""
    ws = cmd.ws
    alert = ws.alerts.view(alert_id, ws.users.get(cmd.actor))
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


@command(app)
def decide(
    cmd: Run,
    alert_id: str,
    action: str = typer.Option(..., "--action", "-a", help="no_issue, escalate or request_info"),
    rationale: str = typer.Option(..., "--rationale", "-r", help="Why: kept as evidence of review."),
    false_positive: bool = typer.Option(
        False, "--false-positive", help="With no_issue: the lexicon hit was harmless text."
    ),
    title: str = typer.Option("", "--title", help="With escalate: the case title."),
) -> None:
    """Decide a review item: no issue (close), escalate (to a case) or request information."""
    from proctor.review.decisions import decide as record

    ws = cmd.ws
    result = record(
        ws,
        alert_id,
        action,
        rationale,
        actor=cmd.actor,
        false_positive=false_positive,
        case_title=title,
    )
    console.print(f"{alert_id}: {result.outcome}")


@command(app, json=True, actor=False)
def log(
    cmd: Run, limit: int = typer.Option(1000, "--limit", help="Most recently active items to include.")
) -> Any:
    """Evidence of review from the journal: who decided which item, when, and why."""
    from proctor.review.decisions import review_log

    ws = cmd.ws
    rows = review_log(ws, limit)
    if cmd.json:
        return rows
    print_table(
        f"Review evidence ({len(rows)} entries)",
        ["at", "reviewer", "alert_id", "action", "disposition", "rationale"],
        rows,
    )


@command(app, json=True, actor=False)
def sla(cmd: Run, as_of: str | None = AsOfOpt) -> Any:
    """Review items past their deadline (the review.sla control raises these daily)."""
    from proctor.review.sla import overdue

    ws = cmd.ws
    rows = overdue(ws, parse_as_of(as_of) or ws.clock.now())
    if cmd.json:
        return rows
    print_table(
        f"Overdue review items ({len(rows)})",
        ["alert_id", "assignee", "principal", "due_at", "business_days_overdue", "title"],
        rows,
    )


# --- coverage and metrics --------------------------------------------------------------------------
@command(app, json=True)
def coverage(cmd: Run, as_of: str | None = AsOfOpt) -> Any:
    """Run the coverage register (control review.coverage), keep the report, and show it."""
    from proctor.review.coverage import load_report

    ws = cmd.ws
    run = ws.controls.run("review.coverage", actor=cmd.actor, as_of=parse_as_of(as_of))
    report = load_report(ws, run["summary"].get("report_id")) or {}
    if cmd.json:
        return {**report, "run": run["id"], "alert_ids": run["alert_ids"]}
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


@command(app, json=True, actor=False)
def metrics(cmd: Run, as_of: str | None = AsOfOpt) -> Any:
    """Timeliness and backlog per principal, hit and false-positive rates per term, sampling."""
    from proctor.review.metrics import review_metrics

    ws = cmd.ws
    data = review_metrics(ws, parse_as_of(as_of))
    if cmd.json:
        return data
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
