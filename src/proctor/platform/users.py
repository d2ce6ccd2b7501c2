"""Users: argon2-hashed passwords, roles, and the identities that make self-review detectable."""

from __future__ import annotations

import os
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
# takes as long as for a real account and timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("proctor: no such user")


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
        with self.ws.transaction(actor) as tx:
            if tx.get(users, name) is not None:
                raise InputError(f"user {name!r} already exists", field="name")
            tx.insert(
                users,
                {
                    "name": name,
                    "role": role_value.value,
                    "display_name": display_name or name,
                    "password_hash": _hasher.hash(password) if password else None,
                    "identities": sorted({i.lower() for i in identities or []}),
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
