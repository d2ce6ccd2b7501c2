"""The retention page: the schedule in force, every version, and a form to propose the next one.

A retention period decides when a record may be destroyed, so a change is proposed by one person
and approved by another (`proctor.comms.retention_changes`, the functions `proctor comms retention`
calls). The form starts from the schedule in force, one row per kind of record, and sends the
edited schedule to `propose_document`, which checks it exactly as it checks a file: the
regulatory floors, the citations, every kind once. The proposal then waits in the approvals inbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from proctor.comms import retention_changes
from proctor.comms.retention import COMMUNICATION_MINIMUM, DEFAULT_MINIMUM
from proctor.core.errors import InputError
from proctor.core.roles import POLICY_CHANGE, READ, require
from proctor.web.guard import Ctx

DEFAULT_KIND = "default"
BLANK_ROWS = 2  # room for kinds the schedule in force does not name yet


def _rows(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"kind": DEFAULT_KIND, **schedule["default"]}, *schedule["rules"]]


def _next_version(taken: set[str], today: date) -> str:
    n = 1
    while f"comms-retention-{today.year}.{n}" in taken:
        n += 1
    return f"comms-retention-{today.year}.{n}"


def retention(c: Ctx) -> dict[str, Any]:
    """Every version (the packaged baseline first), the one in force, and the form's starting rows."""
    require(c.user, READ)
    versions = retention_changes.list_versions(c.ws)
    in_force = next(v for v in versions if v["in_force"])
    today = c.ws.clock.now().date()
    blank = {"kind": "", "retain_years": "", "accessible_years": "", "citation": "", "note": ""}
    return {
        "versions": versions,
        "in_force": in_force,
        "rows": _rows(in_force["schedule"]),
        "form": {
            "version": _next_version({v["version"] for v in versions}, today),
            "effective_from": today.isoformat(),
            "source": in_force["schedule"].get("source", ""),
            "rows": [*_rows(in_force["schedule"]), *([blank] * BLANK_ROWS)],
        },
        "floors": {
            "communication": COMMUNICATION_MINIMUM,
            "default": DEFAULT_MINIMUM,
        },
        "can_propose": c.can(POLICY_CHANGE),
    }


def _years(text: str) -> int | str:
    """A whole number as a number; anything else as typed, for the schedule's check to name."""
    value = text.strip()
    return int(value) if value.isdigit() else value


def document(
    version: str,
    effective_from: str,
    source: str,
    kinds: Sequence[str],
    retain_years: Sequence[str],
    accessible_years: Sequence[str],
    citations: Sequence[str],
    notes: Sequence[str],
) -> dict[str, Any]:
    """The form's rows as a schedule document (one row per kind, the default row first)."""
    columns = (kinds, retain_years, accessible_years, citations, notes)
    if len({len(col) for col in columns}) != 1:
        raise InputError("every row needs a kind, periods, a citation and a note", field="rules")
    doc: dict[str, Any] = {
        "version": version.strip(),
        "effective_from": effective_from.strip(),
        "source": source.strip(),
        "rules": [],
    }
    for kind, retain, accessible, citation, note in zip(*columns, strict=True):
        cells = (retain, accessible, citation, note)
        if not kind.strip():
            if any(cell.strip() for cell in cells):
                raise InputError("a row with periods or a citation needs its kind", field="kind")
            continue
        rule = {
            "retain_years": _years(retain),
            "accessible_years": _years(accessible),
            "citation": citation.strip(),
            "note": note.strip(),
        }
        if kind.strip() == DEFAULT_KIND:
            doc["default"] = rule
        else:
            doc["rules"].append({"kind": kind.strip(), **rule})
    return doc


def propose(c: Ctx, doc: dict[str, Any], reason: str) -> dict[str, Any]:
    """Record the proposal; a different person approves it in the approvals inbox."""
    return retention_changes.propose_document(c.ws, c.user.name, doc, reason, origin=f"web:{c.user.name}")
