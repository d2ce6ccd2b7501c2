"""Users: argon2-hashed passwords, roles, and the identities that make self-review detectable."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from proctor.core.errors import InputError, NotFound, PermissionDenied
from proctor.core.roles import USER_ADMIN, Role, User, require
from proctor.store.schema import users

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

# RFC 9106's second recommended profile in production. PROCTOR_PASSWORD_PROFILE=cheapest exists for
# test suites that create hundreds of throwaway users; never set it on a real workspace.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("PROCTOR_PASSWORD_PROFILE") == "cheapest"
    else PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
)
# Verified against when the user is unknown, has no password or is deactivated, so the answer
# takes as long as for a real account and timing does not tell which names exist. It is the hash
# of a password nobody has, made once with each profile's parameters: hashing it here would cost
# every command that loads this module one full argon2 hash. Other parameters make their own.
_DUMMY_HASHES = (
    "$argon2id$v=19$m=65536,t=3,p=4$WNmMyXgyfSlS0eVMazzgSw$1mgv77/qk/xfJ/cK5VddSN1p6+LOVbuzPRsK3uXpio8",
    "$argon2id$v=19$m=8,t=1,p=1$X6fVGy60egA$7d6uSA",
)
_DUMMY_HASH = next((h for h in _DUMMY_HASHES if not _hasher.check_needs_rehash(h)), "") or _hasher.hash(
    "proctor: no such user"
)
# An identity is an address or handle as captured communications and the firm directory spell it
# (the directory's own rule for ids and aliases): no spaces, commas or semicolons.
_IDENTITY = re.compile(r"^[^\s,;]{1,300}$")


def _to_user(row: Any) -> User:
    m = row._mapping
    return User(
        name=m["name"],
        role=Role(m["role"]),
        display_name=m["display_name"],
        identities=frozenset(m["identities"] or []),
        active=bool(m["active"]),
    )


class UserService:
    def __init__(self, ws: Workspace) -> None:
        from proctor.platform.credentials import LoginThrottle, SessionStore, TokenService

        self.ws = ws
        self.tokens = TokenService(ws)
        self.sessions = SessionStore(ws)
        self.throttle = LoginThrottle(ws)

    def count(self) -> int:
        with self.ws.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())

    def add(
        self,
        name: str,
        role: str,
        *,
        actor: str,
        password: str | None = None,
        display_name: str = "",
        identities: list[str] | None = None,
    ) -> User:
        """Add a user. The very first user of a workspace may be created by anyone (bootstrap)."""
        if self.count() > 0:
            require(self.get(actor), USER_ADMIN)
        try:
            role_value = Role(role)
        except ValueError:
            raise InputError(
                f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}", field="role"
            ) from None
        if not name or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise InputError(f"user name {name!r} must be letters, digits, '.', '-' or '_'", field="name")
        if password is not None and len(password) < 8:
            raise InputError("password must be at least 8 characters", field="password")
        wanted = sorted({_identity(i) for i in identities or []})
        with self.ws.transaction(actor) as tx:
            if tx.get(users, name) is not None:
                raise InputError(f"user {name!r} already exists", field="name")
            for identity in wanted:
                _refuse_taken(tx.conn, identity, name)
            tx.insert(
                users,
                {
                    "name": name,
                    "role": role_value.value,
                    "display_name": display_name or name,
                    "password_hash": _hasher.hash(password) if password else None,
                    "identities": wanted,
                    "active": True,
                    "created_at": self.ws.clock.now(),
                },
                "user.added",
            )
        return self.get(name)

    def get(self, name: str) -> User:
        with self.ws.read() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        if row is None:
            raise NotFound(f"no user named {name!r}; add one with `proctor user add`")
        return _to_user(row)

    def list(self) -> list[User]:
        with self.ws.read() as conn:
            return [_to_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]

    def authenticate(self, name: str, password: str) -> User:
        """Check a password; the same error for unknown users and wrong passwords."""
        with self.ws.read() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        usable = row is not None and bool(row.password_hash) and bool(row.active)
        try:
            _hasher.verify(row.password_hash if usable and row is not None else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            raise PermissionDenied("unknown user or wrong password") from None
        if not usable:
            raise PermissionDenied("unknown user or wrong password")
        return _to_user(row)

    def authenticate_dummy(self, password: str) -> None:
        """Spend the time of one password check without checking anything (refused sign-ins)."""
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return

    def set_password(self, name: str, password: str, *, actor: str) -> None:
        if actor != name:
            require(self.get(actor), USER_ADMIN)
        if len(password) < 8:
            raise InputError("password must be at least 8 characters", field="password")
        with self.ws.transaction(actor) as tx:
            tx.update(users, name, {"password_hash": _hasher.hash(password)}, "user.password_set")
            self.sessions.revoke_user(name, tx.conn)  # every signed-in browser must sign in again

    def set_active(self, name: str, active: bool, *, actor: str) -> None:
        require(self.get(actor), USER_ADMIN)
        with self.ws.transaction(actor) as tx:
            tx.update(users, name, {"active": active}, "user.activated" if active else "user.deactivated")
            if not active:
                self.sessions.revoke_user(name, tx.conn)

    def add_identity(self, name: str, identity: str, *, actor: str) -> User:
        """Record one more address or handle under which this user is surveilled (journaled).

        Identities are how self-review is refused (FINRA 3110(b)(6)), so one identity belongs to one
        user: giving it to a second would make him the subject of the first one's alerts.
        """
        require(self.get(actor), USER_ADMIN)
        value = _identity(identity)
        with self.ws.transaction(actor) as tx:
            current = _identities_of(tx, name)
            if value in current:
                raise InputError(f"{name} already has the identity {value}", field="identity")
            _refuse_taken(tx.conn, value, name)
            tx.update(users, name, {"identities": sorted({*current, value})}, "user.identity_added")
        return self.get(name)

    def remove_identity(self, name: str, identity: str, *, actor: str) -> User:
        """Stop treating an address or handle as this user's (journaled).

        Nobody removes one of his own: it would let him review items about himself.
        """
        require(self.get(actor), USER_ADMIN)
        value = identity.strip().lower()
        if actor == name:
            raise PermissionDenied(
                "nobody removes an identity of their own (it would let them review items about "
                "themselves); another admin does it"
            )
        with self.ws.transaction(actor) as tx:
            current = _identities_of(tx, name)
            if value not in current:
                raise NotFound(f"{name} has no identity {value!r}")
            tx.update(users, name, {"identities": sorted(current - {value})}, "user.identity_removed")
        return self.get(name)


def _identity(text: str) -> str:
    value = text.strip().lower()
    if not _IDENTITY.match(value):
        raise InputError(
            f"{text.strip()!r} is not an address or handle (no spaces, commas or ';')", field="identity"
        )
    return value


def _identities_of(tx: Any, name: str) -> set[str]:
    row = tx.get(users, name)
    if row is None:
        raise NotFound(f"no user named {name!r}; add one with `proctor user add`")
    return set(row["identities"] or [])


def _refuse_taken(conn: sa.Connection, identity: str, name: str) -> None:
    for other, held in conn.execute(sa.select(users.c.name, users.c.identities)):
        if other != name and identity in (held or []):
            raise InputError(f"{identity} is already an identity of {other}", field="identity")
