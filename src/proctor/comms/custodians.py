"""A custodian is a person: every identity the directory knows for him, and every source covering him.

A hold on a custodian's one address held the messages in which that address appeared, while his
own mailbox and his other addresses (aliases, the chat handle, the accounts he owns) stayed
disposable, and were then proposed for disposal. Here the addresses named on a custodian hold are
resolved, each time the hold is evaluated (placement, sweep, disposal), to the person behind them
in the firm directory: his identities, those of the accounts he owns, and every registered source
that lists any of them as covered. Whatever cannot be resolved with certainty (an address the
directory does not know, another entry with the same name, a source covering him by a name rather
than an address) is listed for a person to confirm, never silently dropped or silently added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from proctor.comms.tables import sources
from proctor.platform.directory import Directory


@dataclass(frozen=True)
class Custodian:
    named: str
    person: str | None
    identities: tuple[str, ...]
    sources: tuple[str, ...]
    to_confirm: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "named": self.named,
            "person": self.person,
            "identities": list(self.identities),
            "sources": list(self.sources),
            "to_confirm": list(self.to_confirm),
        }


def _norm(text: str) -> str:
    return text.strip().lower()


def resolve(conn: sa.Connection, named: Iterable[str]) -> list[Custodian]:
    """Each named address resolved to the person behind it (inactive entries too: a departed
    employee's records are exactly what a matter asks for)."""
    directory = Directory.load(conn, include_inactive=True)
    registered = [(r.name, [_norm(c) for c in r.covered or []]) for r in conn.execute(sa.select(sources))]
    out = []
    for address in sorted({_norm(a) for a in named if a.strip()}):
        person = directory.person(address)
        to_confirm: list[str] = []
        if person is None:
            idents = {address}
            to_confirm.append(
                f"{address} is not in the firm directory: other addresses of this person are unknown"
            )
        else:
            owned = [e for e in directory.entries if e.owner and _norm(e.owner) == _norm(person.id)]
            idents = {_norm(i) for e in (person, *owned) for i in e.identities}
            name = _norm(person.display_name)
            namesakes = [
                e.id
                for e in directory.entries
                if e.id != person.id and e.kind == "person" and name and _norm(e.display_name) == name
            ]
            to_confirm += [
                f"{e} has the same name ({person.display_name}) but is another entry" for e in namesakes
            ]
            for src, covered in registered:
                if name and name in covered and not idents & set(covered):
                    to_confirm.append(f"source {src} covers {person.display_name!r} by name, not by address")
        held_sources = sorted(src for src, covered in registered if idents & set(covered))
        out.append(
            Custodian(
                address,
                person.id if person else None,
                tuple(sorted(idents)),
                tuple(held_sources),
                tuple(to_confirm),
            )
        )
    return out


def expand(conn: sa.Connection, named: Iterable[str]) -> tuple[list[str], list[str]]:
    """(every identity, every source) the named custodians stand for, for matching records."""
    found = resolve(conn, named)
    return (
        sorted({i for c in found for i in c.identities}),
        sorted({s for c in found for s in c.sources}),
    )
