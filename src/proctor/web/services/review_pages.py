"""The supervising principal's review pages: coverage register, metrics, policy versions, exemptions.

Figures come from `proctor.review` (coverage_report / load_report, review_metrics, the policy store,
exemptions), the functions `proctor review` prints; the page only lays them out and charts them.
A version's diff compares its stored document with the version of the same policy in force.
"""

from __future__ import annotations

import json
from typing import Any

from proctor.core.roles import READ, require
from proctor.review import coverage, exemptions, metrics, store
from proctor.web.charts import Bar, bar_list
from proctor.web.guard import Ctx

AGE_BUCKETS = ("0-2", "3-5", "6-10", "11+")


def register(ctx: Ctx) -> dict[str, Any]:
    """The latest coverage report (every person, mailbox, group mailbox, service account)."""
    require(ctx.user, READ)
    report = coverage.load_report(ctx.ws)
    if report is None:
        report = coverage.coverage_report(ctx.ws, ctx.ws.clock.now())
        report["report_id"] = None
    order = {"gap": 0, "exempt": 1, "covered": 2}
    report["entries"] = sorted(report["entries"], key=lambda e: (order.get(e["status"], 3), e["target"]))
    return report


def review_metrics(ctx: Ctx) -> dict[str, Any]:
    """Timeliness by principal and reviewer, backlog ageing, lexicon hit and false-positive rates."""
    require(ctx.user, READ)
    data = metrics.review_metrics(ctx.ws)
    backlog = {b: 0 for b in AGE_BUCKETS}
    for row in data["by_reviewer"]:
        for bucket, n in row["open_by_age_business_days"].items():
            backlog[bucket] = backlog.get(bucket, 0) + int(n)
    data["charts"] = {
        "backlog": bar_list(
            [Bar(f"{k} business days", v, "age") for k, v in backlog.items()], "Open review items by age"
        ),
        "reviewers": bar_list(
            [Bar(r["assignee"] or "unassigned", r["open"], "module") for r in data["by_reviewer"]],
            "Open review items by reviewer",
        ),
    }
    return data


def policies(ctx: Ctx) -> dict[str, Any]:
    require(ctx.user, READ)
    with ctx.ws.read() as conn:
        versions = store.list_versions(conn)
        exempt = exemptions.list_exemptions(conn)
    return {"versions": versions, "exemptions": exempt}


def _flatten(value: Any, path: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, item in enumerate(value):
            name = item.get("id") or item.get("name") or item.get("term") or str(index)
            out.update(_flatten(item, f"{path}[{name}]"))
        return out
    return {path: json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)}


def version(ctx: Ctx, version_id: str) -> dict[str, Any]:
    """A version with what it changes against the version in force (or the one it superseded)."""
    require(ctx.user, READ)
    with ctx.ws.read() as conn:
        row = store.get_version(conn, version_id)
        others = [v for v in store.list_versions(conn, row["policy_id"]) if v["id"] != version_id]
        base_meta = next((v for v in others if v["status"] == "active"), None) or next(
            (v for v in others if v["superseded_by"] == version_id), None
        )
        base = store.get_version(conn, base_meta["id"]) if base_meta else None
    new = _flatten(row["document"])
    old = _flatten(base["document"]) if base else {}
    diff = [
        {"path": key, "old": old.get(key), "new": new.get(key)}
        for key in sorted(set(new) | set(old))
        if old.get(key) != new.get(key)
    ]
    return {"v": {k: v for k, v in row.items() if k != "document"}, "base": base_meta, "diff": diff}
