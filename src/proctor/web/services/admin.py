"""User administration for the browser: the users, their roles, and their identities.

An identity is an address or handle under which a user appears as the subject of surveillance
(his mailbox, chat handle, employee id); it is how Proctor refuses that anyone reviews an item about
himself. The page shows, for each identity, whom the firm directory knows under it, so an admin
sees at once whether a user's identities point at the person he is. Changes go through `ws.users`,
the functions `proctor user` calls, which require the user-admin permission and journal each one.
"""

from __future__ import annotations

from typing import Any

from proctor.core.roles import PERMISSIONS, READ, USER_ADMIN, Role, User, require
from proctor.platform.directory import Directory
from proctor.web.guard import Ctx


def _identity_rows(user: User, firm: Directory) -> list[dict[str, Any]]:
    rows = []
    for identity in sorted(user.identities):
        entry = firm.entry(identity)
        person = firm.person(identity) if entry is not None else None
        rows.append(
            {
                "identity": identity,
                "entry": entry.display_name if entry else None,
                "kind": entry.kind if entry else None,
                "person": person.display_name if person is not None and person is not entry else None,
            }
        )
    return rows


def users(c: Ctx) -> dict[str, Any]:
    """Every user with his identities resolved against the firm directory, and each role's grants."""
    require(c.user, READ)
    with c.ws.read() as conn:
        firm = Directory.load(conn, include_inactive=True)
    people = c.ws.users.list()
    return {
        "users": [
            {
                "name": u.name,
                "display_name": u.display_name,
                "role": u.role.value,
                "active": u.active,
                "identities": _identity_rows(u, firm),
            }
            for u in people
        ],
        "roles": [r.value for r in Role],
        "grants": {r.value: sorted(PERMISSIONS[r]) for r in Role},
        "is_admin": c.can(USER_ADMIN),
    }


def add_user(c: Ctx, name: str, role: str, display_name: str, password: str, identities: str) -> User:
    """The add-user form: identities one per line (or separated by commas)."""
    names = [i.strip() for i in identities.replace(",", "\n").splitlines() if i.strip()]
    return c.ws.users.add(
        name.strip(),
        role,
        actor=c.user.name,
        password=password or None,
        display_name=display_name.strip(),
        identities=names,
    )


def add_identity(c: Ctx, name: str, identity: str) -> str:
    user = c.ws.users.add_identity(name, identity, actor=c.user.name)
    return f"{identity.strip().lower()} added to {user.name}"


def remove_identity(c: Ctx, name: str, identity: str) -> str:
    user = c.ws.users.remove_identity(name, identity, actor=c.user.name)
    return f"{identity.strip().lower()} removed from {user.name}"
