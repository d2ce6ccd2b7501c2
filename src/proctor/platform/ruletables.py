"""Versioned rule tables: rules as data with a digest, a version, an effective date and citations.

"Rules are data with citations": a retention schedule (SEA 17a-4, FINRA 4511), a review policy
(FINRA 3110), the 15c3-3 formula, a round-lot table or a notice clock are each a document that is
versioned, approved by a second person (:mod:`proctor.platform.approvals`) and then in force from
an effective date. Three things about them must be the same everywhere, and are written here:

- **identity**: a version is named by the SHA-256 of its canonical content (:func:`content_digest`),
  so a record, an alert or a computation names exactly the rules it was made under;
- **reading**: a table arrives as a YAML or JSON file, or is packaged with Proctor as its
  regulatory baseline; a bad file is one :class:`InputError` naming the file (:func:`read_document`,
  :func:`packaged_document`);
- **which version is in force**: the approved version with the latest effective date on or before
  the moment asked about, ties going to the later approval, and the packaged baseline when the
  firm has approved none (:func:`in_force`).

A module's table type satisfies :class:`RuleTable` (version, effective_from, digest, citations,
to_dict); the module keeps its own version rows (their columns differ) and its own validation (a
retention floor, a formula's mandatory components). A change can be *replayed*: a
:data:`ReplayHook` recomputes past results under the old and the new version so the approvers see
what the change does before it takes effect (the reserve formula replays 52 computations).

Usage::

    from proctor.platform.ruletables import VersionRow, content_digest, in_force, read_document

    data = read_document(path.read_text("utf-8"), str(path))      # YAML/JSON -> plain data
    schedule = RetentionSchedule.from_dict(data, file=str(path))  # the module validates it
    schedule.digest == content_digest(schedule.to_dict())
    rows = [VersionRow(r.version, r.status, r.effective_from, r.decided_at, r) for r in stored]
    chosen = in_force(rows, at=date(2026, 1, 5))                  # a VersionRow, or None
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any, Protocol

from proctor.core.canonical import digest
from proctor.core.errors import InputError

APPROVED = "approved"


class RuleTable(Protocol):
    """What every versioned rule table offers, whichever module it belongs to."""

    @property
    def version(self) -> str: ...

    @property
    def effective_from(self) -> date: ...

    @property
    def digest(self) -> str: ...

    def citations(self) -> list[str]: ...

    def to_dict(self) -> dict[str, Any]: ...


#: (targets, old version, new version) -> one row per target and what changes under the new one.
ReplayHook = Callable[[Sequence[Any], Any, Any], list[dict[str, Any]]]


def content_digest(data: Any) -> str:
    """The content identity of a table's document: dates and decimals as text, keys sorted."""
    return digest(json.loads(json.dumps(data, sort_keys=True, default=str)))


def read_document(text: str, file: str) -> Any:
    """A rule table's document from YAML (or JSON, which YAML reads too); bad syntax names the file."""
    import yaml

    if file.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc}", file=file) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=file) from None


def packaged_document(package: str, name: str) -> Any:
    """A baseline shipped with Proctor (e.g. ``packaged_document("proctor.comms.rules", ...)``)."""
    return read_document(resources.files(package).joinpath(name).read_text("utf-8"), name)


@dataclass(frozen=True)
class VersionRow:
    """What :func:`in_force` needs of a stored version; `value` is whatever the caller keeps."""

    version: str
    status: str
    effective_from: date
    decided_at: datetime | None
    value: Any = None


def in_force(rows: Iterable[VersionRow], at: date) -> VersionRow | None:
    """The approved version with the latest effective date on or before `at` (later approval wins)."""
    eligible = [r for r in rows if r.status == APPROVED and r.effective_from <= at]
    if not eligible:
        return None

    def order(row: VersionRow) -> tuple[date, float]:
        return row.effective_from, row.decided_at.timestamp() if row.decided_at else float("-inf")

    return max(eligible, key=order)


def citations_of(rules: Iterable[Any], attribute: str = "citation") -> list[str]:
    """The distinct citations of a table's rules, in first-seen order."""
    out: list[str] = []
    for rule in rules:
        text = getattr(rule, attribute, "") if not isinstance(rule, dict) else rule.get(attribute, "")
        if text and text not in out:
            out.append(str(text))
    return out
