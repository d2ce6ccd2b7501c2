"""Change control for the formula: proposals, two distinct approvers, and replay.

The firm in the enforcement case changed what fed its formula without anyone checking the effect.
Here a change to the formula, a parameter or an input mapping is a proposal with a reason and a
diff; it becomes usable for a computation of record only after two different people, neither of
them the proposer, approve it (:mod:`proctor.platform.approvals`); and on approval the last 52
computations are replayed under the old and the new version so everyone sees what the change does
to real numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from proctor.reserve.components import Settings
from proctor.reserve.compute import compute_both
from proctor.reserve.errors import ReserveError
from proctor.reserve.loaders import Book
from proctor.reserve.ruletable import RuleTable

OPS = ("set_param", "map_component", "unmap_component", "set_mandatory")
REPLAY_COUNT = 52
REQUIRED_APPROVERS = 2


def apply_changes(base: RuleTable, changes: Sequence[dict[str, Any]], new_version: str) -> RuleTable:
    """The rule table a proposal would produce; invalid results are refused with every problem."""
    data = base.to_dict()
    data["version"] = new_version
    items = {str(i["id"]): i for i in data["items"]}
    for n, change in enumerate(changes, start=1):
        op = change.get("op")
        if op not in OPS:
            raise ReserveError(f"change {n}: op must be one of {', '.join(OPS)}")
        if op == "set_param":
            name = change["name"]
            if name not in data["params"]:
                raise ReserveError(f"change {n}: no parameter {name!r}")
            data["params"][name]["value"] = str(change["value"])
            if change.get("citation"):
                data["params"][name]["citation"] = change["citation"]
        elif op == "map_component":
            item = items.get(str(change["item"]))
            if item is None:
                raise ReserveError(f"change {n}: no item {change['item']!r}")
            for other in items.values():
                if change["component"] in (other.get("components") or []):
                    other["components"].remove(change["component"])
            item.setdefault("components", []).append(change["component"])
        elif op == "unmap_component":
            for other in items.values():
                comps = other.get("components") or []
                if change["component"] in comps:
                    comps.remove(change["component"])
        elif op == "set_mandatory":
            item = items[str(change["item"])]
            item["mandatory"] = list(change["components"])
    return RuleTable.from_dict(data)


def diff(old: RuleTable, new: RuleTable) -> list[dict[str, Any]]:
    """What changed, in words a FINOP and a CCO can approve."""
    out: list[dict[str, Any]] = []
    for name in sorted(set(old.params) | set(new.params)):
        a, b = old.params.get(name), new.params.get(name)
        if (a and a.value) != (b and b.value):
            out.append({"what": f"param {name}", "old": a and a.value, "new": b and b.value})
    for iid in new.items:
        a_items = old.items.get(iid)
        before = set(a_items.components) if a_items else set()
        after = set(new.items[iid].components)
        for comp in sorted(after - before):
            out.append({"what": f"item {iid} mapping", "old": None, "new": comp})
        for comp in sorted(before - after):
            out.append({"what": f"item {iid} mapping", "old": comp, "new": None})
        if a_items and set(a_items.mandatory) != set(new.items[iid].mandatory):
            out.append(
                {
                    "what": f"item {iid} mandatory",
                    "old": sorted(a_items.mandatory),
                    "new": sorted(new.items[iid].mandatory),
                }
            )
    return out


@dataclass(frozen=True)
class ReplayTarget:
    """One past as-of date to recompute; `load` rebuilds its book from the stored input files."""

    computation_id: str
    settings: Settings
    load: Callable[[], Book]


def replay(targets: Sequence[ReplayTarget], old: RuleTable, new: RuleTable) -> list[dict[str, Any]]:
    """Recompute each target (both books) under both versions and report what differs."""
    rows = []
    for t in list(targets)[-REPLAY_COUNT:]:
        book = t.load()
        before = compute_both(book, old, t.settings)
        after = compute_both(book, new, t.settings)
        for a, b in zip(before, after, strict=True):
            lines = {
                k: b.lines[k].cents - a.lines[k].cents
                for k in a.lines
                if k in b.lines and b.lines[k].cents != a.lines[k].cents
            }
            rows.append(
                {
                    "computation_id": t.computation_id,
                    "as_of": t.settings.as_of.isoformat(),
                    "book": a.settings.book,
                    "old_requirement": a.requirement,
                    "new_requirement": b.requirement,
                    "requirement_change": b.requirement - a.requirement,
                    "line_changes": lines,
                    "new_deficiency": b.deficiency,
                }
            )
    return rows
