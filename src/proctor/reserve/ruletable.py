"""Exhibit A as versioned, validated data.

The formula a firm computes with is data, not code (a platform rule table,
:mod:`proctor.platform.ruletables`): lines, the components mapped onto them, the
notes that apply to each book, and every parameter with the rule text it comes from. A version is
identified by its content digest, so a computation of record names exactly the formula it used and
a replay under another version is a comparison of two data sets, not of two code paths.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from proctor.platform.ruletables import citations_of, content_digest, packaged_document
from proctor.reserve.catalogue import COMPONENTS, TIEOUT_ONLY
from proctor.reserve.errors import ReserveError

BOOKS = ("customer", "pab")
SIDES = ("credit", "debit", "result")
VERIFICATION = ("confirmed", "unconfirmed")
BASELINE_FILE = "exhibit_a.v1.yaml"


@dataclass(frozen=True)
class Item:
    id: str
    side: str
    caption: str
    citation: str
    focus_line: str
    focus_box: str | None
    components: tuple[str, ...]
    mandatory: tuple[str, ...]


@dataclass(frozen=True)
class Param:
    name: str
    value: str
    citation: str
    verification: str
    effective_from: str | None


class RuleTable:
    """One version of the formula. Built only through `from_dict`, which validates everything."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.version: str = data["version"]
        self.effective_from = date.fromisoformat(str(data["effective_from"]))
        self.items: dict[str, Item] = {}
        for raw in data["items"]:
            focus = raw.get("focus") or {}
            self.items[str(raw["id"])] = Item(
                id=str(raw["id"]),
                side=raw["side"],
                caption=raw["caption"],
                citation=raw["citation"],
                focus_line=str(focus.get("line", "")),
                focus_box=None if focus.get("box") is None else str(focus["box"]),
                components=tuple(raw.get("components") or ()),
                mandatory=tuple(raw.get("mandatory") or ()),
            )
        self.params: dict[str, Param] = {
            name: Param(
                name=name,
                value=str(p["value"]),
                citation=p["citation"],
                verification=p.get("verification", "unconfirmed"),
                effective_from=p.get("effective_from"),
            )
            for name, p in data["params"].items()
        }
        self.notes: dict[str, dict[str, Any]] = {n["id"]: n for n in data["notes"]}
        self.books: dict[str, dict[str, Any]] = data["books"]
        self.tieouts: dict[str, dict[str, Any]] = data.get("tieouts", {})
        self.focus_totals: dict[str, dict[str, Any]] = data.get("focus_totals", {})

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleTable:
        problems = validate(data)
        if problems:
            raise ReserveError("rule table is invalid: " + "; ".join(problems))
        return cls(copy.deepcopy(data))

    @classmethod
    def baseline(cls) -> RuleTable:
        return cls.from_dict(packaged_document("proctor.reserve.rules", BASELINE_FILE))

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)

    @property
    def digest(self) -> str:
        """Content identity: two tables with the same data are the same formula."""
        return content_digest(self._data)

    def citations(self) -> list[str]:
        return citations_of([*self.items.values(), *self.params.values()])

    # -- reading ---------------------------------------------------------------------------------
    def decimal(self, name: str) -> Decimal:
        return Decimal(self.params[name].value)

    def integer(self, name: str) -> int:
        return int(self.params[name].value)

    def flag(self, name: str) -> bool:
        return self.params[name].value.strip().lower() == "true"

    def day(self, name: str) -> date:
        return date.fromisoformat(self.params[name].value)

    def applies(self, note: str, book: str) -> bool:
        return note in self.books[book]["notes"]

    def lines(self, side: str) -> list[Item]:
        return [i for i in self.items.values() if i.side == side]

    def mapped_components(self) -> set[str]:
        return {c for item in self.items.values() for c in item.components}

    def unconfirmed(self) -> list[str]:
        """Everything the FINOP must still confirm against the current rule text."""
        out = [
            f"param {p.name} ({p.citation})" for p in self.params.values() if p.verification != "confirmed"
        ]
        out += [f"note {n['id']}" for n in self.notes.values() if n.get("verification") != "confirmed"]
        return out


def _decimal_ok(value: Any) -> bool:
    try:
        Decimal(str(value))
    except InvalidOperation:
        return False
    return True


def validate(data: dict[str, Any]) -> list[str]:
    """Every problem with a rule table, so a proposal is rejected with the whole list at once."""
    problems: list[str] = []
    for key in ("version", "effective_from", "items", "notes", "books", "params"):
        if key not in data:
            problems.append(f"missing {key!r}")
    if problems:
        return problems
    try:
        date.fromisoformat(str(data["effective_from"]))
    except ValueError:
        problems.append(f"effective_from {data['effective_from']!r} is not a date")
    seen: set[str] = set()
    mapped: dict[str, str] = {}
    for raw in data["items"]:
        iid = str(raw.get("id"))
        if iid in seen:
            problems.append(f"item {iid} appears twice")
        seen.add(iid)
        if raw.get("side") not in SIDES:
            problems.append(f"item {iid}: side must be one of {SIDES}")
        if not raw.get("citation"):
            problems.append(f"item {iid}: no citation")
        for comp in raw.get("components") or []:
            if comp not in COMPONENTS or comp in TIEOUT_ONLY:
                problems.append(f"item {iid}: unknown component {comp!r}")
            elif comp in mapped:
                problems.append(f"component {comp} is mapped to both item {mapped[comp]} and item {iid}")
            else:
                mapped[comp] = iid
        for comp in raw.get("mandatory") or []:
            if comp not in (raw.get("components") or []):
                problems.append(f"item {iid}: mandatory component {comp} is not mapped to it")
    for required in ("1", "10", "16"):
        if required not in seen:
            problems.append(f"item {required} is missing")
    note_ids = {n.get("id") for n in data["notes"]}
    for n in data["notes"]:
        if not n.get("citation"):
            problems.append(f"note {n.get('id')}: no citation")
        if n.get("verification", "unconfirmed") not in VERIFICATION:
            problems.append(f"note {n.get('id')}: bad verification")
    for book in BOOKS:
        if book not in data["books"]:
            problems.append(f"book {book!r} is not configured")
            continue
        for note in data["books"][book].get("notes", []):
            if note not in note_ids:
                problems.append(f"book {book}: unknown note {note!r}")
    for name, p in data["params"].items():
        if not isinstance(p, dict) or "value" not in p or not p.get("citation"):
            problems.append(f"param {name}: needs a value and a citation")
        elif not (_decimal_ok(p["value"]) or str(p["value"]).lower() in ("true", "false")):
            try:
                date.fromisoformat(str(p["value"]))
            except ValueError:
                problems.append(f"param {name}: value {p['value']!r} is not a number, flag or date")
    for category, spec in (data.get("tieouts") or {}).items():
        if spec.get("book") not in (*BOOKS, "all"):
            problems.append(f"tie-out {category}: book must be customer, pab or all")
        for comp in spec.get("components", []):
            if comp not in COMPONENTS:
                problems.append(f"tie-out {category}: unknown component {comp!r}")
    return problems
