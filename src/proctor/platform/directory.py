"""The firm directory: people, their identities and who supervises them, for every module.

Review selects and routes by it, trading names a desk's supervisors from it, access matches HR
people to system accounts with it. One directory, so a person who leaves, changes desk or gets a
new principal changes once. Entries come from a CSV file or a SCIM 2.0 export of the identity
provider (:mod:`proctor.platform.scim`); the supervision hierarchy from a CSV
(``person,principal,delegates``). Every change is a journaled row.

The directory holds more than people: personal mailboxes, group mailboxes, chat accounts and the
accounts of customer-service platforms are entries of their own, because in the online-broker case
it was exactly the shared accounts that nobody had connected. People and the accounts they own are
*associated persons*; shared accounts (a group mailbox, a customer-service login with no owner)
have no owner.

Reading it (one snapshot per read connection)::

    from proctor.platform.directory import Directory

    with ws.read() as conn:
        firm = Directory.load(conn)
    dana = firm.person("dana.ruiz@harborstreet.com")   # by e-mail,
    firm.person("E1042")                               # employee id (SCIM id / external_id),
    firm.person("dana.ruiz")                           # or any handle/alias of hers or her accounts
    dana.id, dana.display_name, dana.roles, dana.active
    firm.principal_of("dana.ruiz@harborstreet.com")    # "paula": the designated principal
    firm.supervisors_of("dana.ruiz@harborstreet.com")  # ["paula", "ravi", "rita"]: principal, delegates
    firm.covered_by("paula")                           # people whose principal is paula

Writing it: :func:`import_directory` / :func:`import_entries` (entries) and
:func:`import_hierarchy` (supervision), each in one transaction and journaled, and only for users
allowed to change policy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.core.roles import ALERT_ASSIGN, ALERT_WORK, POLICY_CHANGE, User, can, require
from proctor.platform.intake import Column, read_bytes, read_csv
from proctor.platform.tables import ENTRY_KINDS, delegates, directory, supervision

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

DIRECTORY_FIELDS = ("id", "kind", "display_name", "owner", "roles", "aliases", "platform", "active")
DIRECTORY_COLUMNS = tuple(Column(name, required=name in ("id", "kind")) for name in DIRECTORY_FIELDS)
HIERARCHY_COLUMNS = (Column("person", required=True), Column("principal", required=True), Column("delegates"))
_IDENT = re.compile(r"^[^\s,;]{1,300}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass
class Hierarchy:
    """Who supervises whom. ``also`` maps an alias or an owned account to the directory entries to
    look up after it (its entry, then the entry's owner), so "m..presto@" finds Kevin Presto's
    principal and a chat account its owner's."""

    principal_of: dict[str, str] = field(default_factory=dict)
    delegates_of: dict[str, list[str]] = field(default_factory=dict)
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def principal_for(self, person: str) -> str | None:
        for key in (person, *self.also.get(person, ())):
            if key in self.principal_of:
                return self.principal_of[key]
        return None


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
    table = read_csv(data, file, DIRECTORY_COLUMNS)
    specs: list[EntrySpec] = []
    for row in table:
        spec = EntrySpec(
            id=row.get("id"),
            kind=row.get("kind"),
            display_name=row.get("display_name"),
            owner=row["owner"],
            roles=_split(row.get("roles")),
            aliases=_split(row.get("aliases")),
            platform=row["platform"],
            active=_flag(row.get("active"), file, row.number),
            where=row.where,
        )
        spec.validate()
        specs.append(spec)
    return specs


def read_directory_file(path: Path, fmt: str = "auto") -> tuple[list[EntrySpec], str]:
    """Entries from a CSV file or a SCIM 2.0 JSON export; returns them and the format read."""
    from proctor.platform.scim import read_scim

    data = read_bytes(path)
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


# --- supervision hierarchy -------------------------------------------------------------------------


def read_hierarchy_csv(data: bytes, file: str, users: dict[str, User]) -> Hierarchy:
    """Parse and check the whole file: principals must be principals, delegates must review."""
    table = read_csv(
        data,
        file,
        HIERARCHY_COLUMNS,
        missing_message=lambda _: "header needs person, principal and optionally delegates",
    )
    out = Hierarchy()
    for line in table:
        row = line.number
        principal = line.get("principal")
        user = users.get(principal)
        if user is None:
            raise InputError(f"no user named {principal!r}", file=file, row=row, field="principal")
        if not can(user, ALERT_ASSIGN):
            raise InputError(
                f"{principal} ({user.role}) cannot supervise: a principal assigns and approves reviews",
                file=file,
                row=row,
                field="principal",
            )
        person = line.get("person").lower()
        if person:
            if " " in person or "," in person:
                raise InputError(
                    f"{person!r} is not an address or account id", file=file, row=row, field="person"
                )
            if out.principal_of.get(person, principal) != principal:
                raise InputError(
                    f"{person} already has principal {out.principal_of[person]}",
                    file=file,
                    row=row,
                    field="person",
                )
            out.principal_of[person] = principal
        team = out.delegates_of.setdefault(principal, [])
        for name in (d.strip() for d in line.get("delegates").split(";") if d.strip()):
            delegate = users.get(name)
            if delegate is None:
                raise InputError(f"no user named {name!r}", file=file, row=row, field="delegates")
            if not can(delegate, ALERT_WORK):
                raise InputError(
                    f"{name} ({delegate.role}) does not review items", file=file, row=row, field="delegates"
                )
            if name not in team:
                team.append(name)
    return out


def import_hierarchy(ws: Workspace, path: Path, actor: str) -> dict[str, Any]:
    """Replace the supervision hierarchy with the file's, journaling every change."""
    require(ws.users.get(actor), POLICY_CHANGE)
    data = read_bytes(path)
    wanted = read_hierarchy_csv(data, str(path), {u.name: u for u in ws.users.list()})
    now = ws.clock.now()
    counts = Counter[str]()
    reason = f"not in the supervision file {path.name}"
    with ws.transaction(actor) as tx:
        current = {r.person: r.principal for r in tx.conn.execute(sa.select(supervision))}
        for person, principal in sorted(wanted.principal_of.items()):
            values = {"principal": principal, "updated_by": actor, "updated_at": now}
            if person not in current:
                tx.insert(supervision, {"person": person, **values}, "review.supervision.added")
                counts["added"] += 1
            elif current[person] != principal:
                tx.update(supervision, person, values, "review.supervision.changed")
                counts["changed"] += 1
        for person in sorted(set(current) - set(wanted.principal_of)):
            tx.delete(supervision, person, "review.supervision.removed", reason)
            counts["removed"] += 1
        team_rows = {r.id for r in tx.conn.execute(sa.select(delegates.c.id))}
        wanted_rows = {f"{p}>{d}": (p, d) for p, team in wanted.delegates_of.items() for d in team}
        for key in sorted(set(wanted_rows) - team_rows):
            principal, delegate = wanted_rows[key]
            tx.insert(
                delegates,
                {
                    "id": key,
                    "principal": principal,
                    "delegate": delegate,
                    "updated_by": actor,
                    "updated_at": now,
                },
                "review.delegate.added",
            )
            counts["delegates_added"] += 1
        for key in sorted(team_rows - set(wanted_rows)):
            tx.delete(delegates, key, "review.delegate.removed", reason)
            counts["delegates_removed"] += 1
    return {
        "people": len(wanted.principal_of),
        "principals": sorted(set(wanted.principal_of.values()) | set(wanted.delegates_of)),
        **{
            k: counts.get(k, 0)
            for k in ("added", "changed", "removed", "delegates_added", "delegates_removed")
        },
    }


def load_hierarchy(conn: sa.Connection) -> Hierarchy:
    out = Hierarchy()
    for row in conn.execute(sa.select(supervision)):
        out.principal_of[row.person] = row.principal
    for row in conn.execute(sa.select(delegates).order_by(delegates.c.principal, delegates.c.delegate)):
        out.delegates_of.setdefault(row.principal, []).append(row.delegate)
    for entry in list_entries(conn):
        keys = tuple(k for k in (entry["id"], entry["owner"]) if k)
        for ident in identities(entry):
            out.also[ident] = tuple(k for k in keys if k != ident)
    return out


def hierarchy_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    h = load_hierarchy(conn)
    return [
        {"person": person, "principal": principal, "delegates": ", ".join(h.delegates_of.get(principal, []))}
        for person, principal in sorted(h.principal_of.items())
    ]


# --- lookups ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A directory entry as the other modules read it (a person or an account)."""

    id: str
    kind: str
    display_name: str
    owner: str | None
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    platform: str | None
    active: bool
    external_id: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Person:
        return cls(
            id=row["id"],
            kind=row["kind"],
            display_name=row["display_name"],
            owner=row["owner"],
            aliases=tuple(row["aliases"]),
            roles=tuple(row["roles"]),
            platform=row["platform"],
            active=bool(row["active"]),
            external_id=row["external_id"],
        )

    @property
    def identities(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True)
class Directory:
    """A snapshot of the directory and the hierarchy: lookups by any identity, in memory."""

    entries: tuple[Person, ...]
    hierarchy: Hierarchy

    @classmethod
    def load(cls, conn: sa.Connection, include_inactive: bool = False) -> Directory:
        rows = list_entries(conn, include_inactive=include_inactive)
        return cls(tuple(Person.from_row(r) for r in rows), load_hierarchy(conn))

    @cached_property
    def _index(self) -> dict[str, Person]:
        index: dict[str, Person] = {}
        for entry in self.entries:
            for key in (*entry.identities, entry.external_id):
                if key:
                    index.setdefault(key.strip().lower(), entry)
        return index

    def entry(self, identity: str) -> Person | None:
        """The entry (person or account) known under an address, handle, alias or employee id."""
        return self._index.get(identity.strip().lower())

    def person(self, identity: str) -> Person | None:
        """The *person* behind an identity: an owned account resolves to its owner."""
        found = self.entry(identity)
        if found is not None and found.kind != "person" and found.owner:
            return self.entry(found.owner) or found
        return found

    def principal_of(self, identity: str) -> str | None:
        """The designated principal (a user name) of the person behind an identity."""
        key = identity.strip().lower()
        principal = self.hierarchy.principal_for(key)
        if principal is None and (found := self.person(key)) is not None:
            principal = self.hierarchy.principal_for(found.id)
        return principal

    def supervisors_of(self, identity: str) -> list[str]:
        """The principal first, then the principal's delegates; empty when nobody is designated."""
        principal = self.principal_of(identity)
        if principal is None:
            return []
        return [principal, *(d for d in self.hierarchy.delegates_of.get(principal, []) if d != principal)]

    def covered_by(self, principal: str) -> list[str]:
        """The people (directory ids or addresses) whose designated principal is `principal`."""
        return sorted(p for p, who in self.hierarchy.principal_of.items() if who == principal)
