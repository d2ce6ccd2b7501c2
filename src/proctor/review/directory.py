"""The firm directory: every person and account whose communications must be captured and reviewed.

The coverage register checks this list against the capture sources and the review policies, so it
has to hold more than people: personal mailboxes, group mailboxes, chat accounts and the accounts
of customer-service platforms are entries of their own, because in the online-broker case it was
exactly the shared accounts that nobody had connected. Entries come from a CSV file or a SCIM 2.0
export of the identity provider (:mod:`proctor.review.scim`); every change is a journaled row.

For selection, the directory also says who is an *associated person*: people and the accounts
they own. A policy population with ``everyone: true`` covers those; shared accounts (a group
mailbox, a customer-service login with no owner) are covered only where a policy names them, so
connecting one to review is always a deliberate, visible act.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.core.roles import POLICY_CHANGE, require
from proctor.review.tables import ENTRY_KINDS, directory

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

CSV_FIELDS = ("id", "kind", "display_name", "owner", "roles", "aliases", "platform", "active")
_IDENT = re.compile(r"^[^\s,;]{1,300}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class EntrySpec:
    """One directory entry as a file describes it; validated before anything is written."""

    id: str
    kind: str
    display_name: str = ""
    owner: str | None = None
    roles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    platform: str | None = None
    active: bool = True
    external_id: str | None = None
    where: dict[str, Any] = field(default_factory=dict, compare=False)

    def validate(self) -> None:
        def bad(name: str, message: str) -> InputError:
            return InputError(message, field=name, **self.where)

        if not _IDENT.match(self.id):
            raise bad("id", f"{self.id!r} is not an address or account id (no spaces, commas or ';')")
        if self.kind not in ENTRY_KINDS:
            raise bad("kind", f"{self.kind!r} is not one of {', '.join(ENTRY_KINDS)}")
        if self.owner is not None and not _IDENT.match(self.owner):
            raise bad("owner", f"{self.owner!r} is not an address or account id")
        if self.kind == "person" and self.owner:
            raise bad("owner", "a person is not owned by anyone; give the owner on their accounts")
        for alias in self.aliases:
            if not _IDENT.match(alias):
                raise bad("aliases", f"{alias!r} is not an address or account id")


def _clean(spec: EntrySpec) -> dict[str, Any]:
    return {
        "id": spec.id.strip().lower(),
        "kind": spec.kind,
        "display_name": (spec.display_name or spec.id).strip()[:300],
        "owner": spec.owner.strip().lower() if spec.owner else None,
        "aliases": sorted({a.strip().lower() for a in spec.aliases if a.strip()} - {spec.id.lower()}),
        "roles": sorted({r.strip() for r in spec.roles if r.strip()}),
        "platform": spec.platform.strip() if spec.platform and spec.platform.strip() else None,
        "active": spec.active,
        "external_id": spec.external_id,
    }


# --- files -----------------------------------------------------------------------------------------


def _flag(text: str, file: str, row: int) -> bool:
    value = text.strip().lower()
    if not value or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(f"not yes/no: {text!r}", file=file, row=row, field="active")


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


def read_directory_csv(data: bytes, file: str) -> list[EntrySpec]:
    """Parse a whole directory CSV; the first bad cell stops it, naming row and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=file) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [f for f in ("id", "kind") if f not in header]
    if missing:
        raise InputError(f"header lacks {', '.join(missing)}", file=file, row=1)
    unknown = [h for h in header if h not in CSV_FIELDS]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(unknown)}; expected {', '.join(CSV_FIELDS)}", file=file, row=1
        )
    specs: list[EntrySpec] = []
    for index, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError("more fields than the header", file=file, row=index)
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        spec = EntrySpec(
            id=cells.get("id", ""),
            kind=cells.get("kind", ""),
            display_name=cells.get("display_name", ""),
            owner=cells.get("owner") or None,
            roles=_split(cells.get("roles", "")),
            aliases=_split(cells.get("aliases", "")),
            platform=cells.get("platform") or None,
            active=_flag(cells.get("active", ""), file, index),
            where={"file": file, "row": index},
        )
        spec.validate()
        specs.append(spec)
    return specs


def read_directory_file(path: Path, fmt: str = "auto") -> tuple[list[EntrySpec], str]:
    """Entries from a CSV file or a SCIM 2.0 JSON export; returns them and the format read."""
    from proctor.review.scim import read_scim

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if fmt == "auto":
        fmt = "scim" if path.suffix.lower() == ".json" or data.lstrip()[:1] in (b"{", b"[") else "csv"
    if fmt == "csv":
        return read_directory_csv(data, str(path)), "csv"
    if fmt == "scim":
        return read_scim(data, str(path)), "scim"
    raise InputError(f"unknown directory format {fmt!r}; use csv, scim or auto", field="--format")


def _check_unique(specs: Iterable[EntrySpec]) -> None:
    seen: dict[str, EntrySpec] = {}
    for spec in specs:
        for ident in (spec.id.lower(), *(a.lower() for a in spec.aliases)):
            if ident in seen and seen[ident] is not spec:
                raise InputError(f"{ident!r} appears twice in the directory", field="id", **spec.where)
            seen[ident] = spec


# --- store -----------------------------------------------------------------------------------------


def import_entries(
    ws: Workspace,
    specs: list[EntrySpec],
    actor: str,
    origin: str,
    deactivate_missing: bool = False,
) -> dict[str, list[str]]:
    """Add new entries and update changed ones in one transaction; optionally retire the rest.

    ``deactivate_missing`` is for full exports (an identity provider's complete user list): an
    active entry the file no longer lists is marked inactive, never deleted, so its history stays.
    """
    require(ws.users.get(actor), POLICY_CHANGE)
    for spec in specs:
        spec.validate()
    _check_unique(specs)
    now = ws.clock.now()
    result: dict[str, list[str]] = {"added": [], "changed": [], "unchanged": [], "deactivated": []}
    with ws.transaction(actor) as tx:
        listed = set()
        for spec in specs:
            values = {**_clean(spec), "origin": origin}
            listed.add(values["id"])
            current = tx.get(directory, values["id"])
            if current is None:
                tx.insert(
                    directory, {**values, "first_seen": now, "updated_at": now}, "review.directory.added"
                )
                result["added"].append(values["id"])
            elif any(current[k] != v for k, v in values.items()):
                tx.update(directory, values["id"], {**values, "updated_at": now}, "review.directory.changed")
                result["changed"].append(values["id"])
            else:
                result["unchanged"].append(values["id"])
        if deactivate_missing:
            for (entry_id,) in tx.conn.execute(sa.select(directory.c.id).where(directory.c.active.is_(True))):
                if entry_id not in listed:
                    tx.update(
                        directory,
                        entry_id,
                        {"active": False, "updated_at": now},
                        "review.directory.deactivated",
                    )
                    result["deactivated"].append(entry_id)
    return result


def import_directory(
    ws: Workspace, path: Path, actor: str, fmt: str = "auto", deactivate_missing: bool = False
) -> dict[str, Any]:
    specs, read_as = read_directory_file(path, fmt)
    result: dict[str, Any] = import_entries(ws, specs, actor, read_as, deactivate_missing)
    result["format"] = read_as
    return result


def list_entries(conn: sa.Connection, include_inactive: bool = False) -> list[dict[str, Any]]:
    stmt = sa.select(directory).order_by(directory.c.kind, directory.c.id)
    if not include_inactive:
        stmt = stmt.where(directory.c.active.is_(True))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def identities(entry: Mapping[str, Any]) -> list[str]:
    """Every address or handle under which the entry appears in captured communications."""
    return [entry["id"], *entry["aliases"]]


def person_directory(entries: list[dict[str, Any]]) -> dict[str, list[str]] | None:
    """Address -> roles of associated persons (people and the accounts they own), for selection.

    None when the directory is empty: then a population with ``everyone: true`` covers every
    participant, because an empty directory must never quietly mean that nobody is reviewed.
    """
    if not entries:
        return None
    by_id = {e["id"]: e for e in entries}
    out: dict[str, list[str]] = {}
    for entry in entries:
        owner = by_id.get(entry["owner"]) if entry["owner"] else None
        if entry["kind"] != "person" and owner is None:
            continue
        roles = sorted({*entry["roles"], *(owner["roles"] if owner else [])})
        for ident in identities(entry):
            out[ident] = sorted({*out.get(ident, []), *roles})
    return out
