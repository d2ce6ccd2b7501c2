"""Credentials other than passwords: API tokens, web sessions, and the sign-in throttle.

Everything here lives in the database, not in one process's memory: a session revoked by a logout
or a password change is refused by every server process and after a restart, and a lockout after
repeated wrong passwords holds whichever process the attacker's next request reaches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.core.alerts import Subject
from proctor.core.errors import InputError, NotFound, PermissionDenied
from proctor.core.roles import USER_ADMIN, User, require
from proctor.platform.security_tables import login_failures, user_tokens, web_sessions
from proctor.store.db import WRITE_OPTION

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

TOKEN_PREFIX = "pt_"
ACCOUNT_LIMIT = 5  # wrong passwords in a row before an account is locked
ACCOUNT_LOCK = timedelta(minutes=30)
ADDRESS_LIMIT = 20  # wrong passwords from one client address within the window
ADDRESS_WINDOW = timedelta(minutes=15)
ADDRESS_LOCK = timedelta(minutes=15)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def _write(ws: Workspace) -> Iterator[sa.Connection]:
    with ws.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


class TokenService:
    """Per-user API tokens for scripts and CI: `pt_<id>_<secret>`, only the secret's hash is kept."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def create(self, user: str, *, actor: str, label: str = "") -> str:
        target = self.ws.users.get(user)
        if actor != user:
            require(self.ws.users.get(actor), USER_ADMIN)
        if not target.active:
            raise PermissionDenied(f"user {user!r} is deactivated")
        token_id = "TOK-" + secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        with self.ws.transaction(actor) as tx:
            tx.insert(
                user_tokens,
                {
                    "id": token_id,
                    "user": user,
                    "label": label.strip()[:200] or "api",
                    "secret_sha256": _sha(secret),
                    "created_by": actor,
                    "created_at": self.ws.clock.now(),
                    "revoked_at": None,
                },
                "user.token_created",
            )
        return f"{TOKEN_PREFIX}{token_id}_{secret}"

    def authenticate(self, token: str) -> User:
        """The user a token belongs to; the same refusal for any bad, unknown or revoked token."""
        refused = PermissionDenied("the API token is not valid (unknown, revoked, or its user deactivated)")
        if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
            raise refused
        token_id, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
        with self.ws.read() as conn:
            row = conn.execute(sa.select(user_tokens).where(user_tokens.c.id == token_id)).one_or_none()
        expected = row.secret_sha256 if row is not None else _sha("no such token")
        if not hmac.compare_digest(expected, _sha(secret)) or row is None or row.revoked_at is not None:
            raise refused
        try:
            user = self.ws.users.get(row.user)
        except NotFound:
            raise refused from None
        if not user.active:
            raise refused
        return user

    def revoke(self, token_id: str, *, actor: str) -> None:
        with self.ws.read() as conn:
            row = conn.execute(sa.select(user_tokens).where(user_tokens.c.id == token_id)).one_or_none()
        if row is None:
            raise NotFound(f"no API token {token_id!r}")
        if actor != row.user:
            require(self.ws.users.get(actor), USER_ADMIN)
        with self.ws.transaction(actor) as tx:
            tx.update(user_tokens, token_id, {"revoked_at": self.ws.clock.now()}, "user.token_revoked")

    def list(self, user: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(*(c for c in user_tokens.c if c.name != "secret_sha256"))
        if user:
            query = query.where(user_tokens.c.user == user)
        with self.ws.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(user_tokens.c.created_at))]


class SessionStore:
    """Web sessions by the SHA-256 of their id; the cookie alone is never enough."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def issue(self, user: str, sid: str, lifetime: timedelta) -> None:
        now = self.ws.clock.now()
        with _write(self.ws) as conn:
            conn.execute(
                web_sessions.insert().values(
                    sid_sha256=_sha(sid), user=user, issued_at=now, expires_at=now + lifetime, revoked_at=None
                )
            )

    def is_active(self, sid: str, user: str) -> bool:
        with self.ws.read() as conn:
            row = conn.execute(
                sa.select(web_sessions).where(web_sessions.c.sid_sha256 == _sha(sid))
            ).one_or_none()
        return (
            row is not None
            and row.user == user
            and row.revoked_at is None
            and row.expires_at > self.ws.clock.now()
        )

    def revoke(self, sid: str) -> None:
        with _write(self.ws) as conn:
            conn.execute(
                web_sessions.update()
                .where(web_sessions.c.sid_sha256 == _sha(sid), web_sessions.c.revoked_at.is_(None))
                .values(revoked_at=self.ws.clock.now())
            )

    def revoke_user(self, user: str, conn: sa.Connection | None = None) -> None:
        """Every session of a user: after a password change, a deactivation, or on request."""
        stmt = (
            web_sessions.update()
            .where(web_sessions.c.user == user, web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=self.ws.clock.now())
        )
        if conn is not None:
            conn.execute(stmt)
            return
        with _write(self.ws) as own:
            own.execute(stmt)


class LoginThrottle:
    """Counts wrong passwords per account and per client address, and locks either when it is abused.

    An account locks after ACCOUNT_LIMIT wrong passwords in a row for ACCOUNT_LOCK; an address after
    ADDRESS_LIMIT within ADDRESS_WINDOW for ADDRESS_LOCK. An admin lifts a lock with
    `proctor user unlock`. A locked account is refused even with the right password, with the same
    answer whether or not the account exists, so the lock reveals nothing about which names are real.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @staticmethod
    def scopes(user: str, address: str) -> list[str]:
        return [f"user:{user.lower()}"] + ([f"address:{address}"] if address else [])

    def locked(self, user: str, address: str) -> bool:
        now = self.ws.clock.now()
        with self.ws.read() as conn:
            rows = conn.execute(
                sa.select(login_failures).where(login_failures.c.scope.in_(self.scopes(user, address)))
            ).all()
        return any(r.locked_until is not None and r.locked_until > now for r in rows)

    def failed(self, user: str, address: str) -> bool:
        """Count a wrong password; True when this failure locked the account or the address."""
        now = self.ws.clock.now()
        newly_locked = False
        with _write(self.ws) as conn:
            for scope in self.scopes(user, address):
                is_user = scope.startswith("user:")
                limit, lock = (ACCOUNT_LIMIT, ACCOUNT_LOCK) if is_user else (ADDRESS_LIMIT, ADDRESS_LOCK)
                row = conn.execute(sa.select(login_failures).where(login_failures.c.scope == scope)).first()
                expired = row is not None and not is_user and row.first_at < now - ADDRESS_WINDOW
                if row is None or expired:
                    count, first = 1, now
                else:
                    count, first = row.failures + 1, row.first_at
                locked_until = now + lock if count >= limit else None
                newly_locked = newly_locked or (locked_until is not None and count == limit)
                values = {"failures": count, "first_at": first, "locked_until": locked_until}
                if row is None:
                    conn.execute(login_failures.insert().values(scope=scope, **values))
                else:
                    conn.execute(
                        login_failures.update().where(login_failures.c.scope == scope).values(**values)
                    )
        return newly_locked

    def succeeded(self, user: str) -> None:
        """A right password resets the account's count (not the address's: one good login among many)."""
        with _write(self.ws) as conn:
            conn.execute(login_failures.delete().where(login_failures.c.scope == f"user:{user.lower()}"))

    def unlock(self, user: str, *, actor: str, address: str = "") -> None:
        """An admin lifts the lock on an account (and optionally a client address); journaled."""
        require(self.ws.users.get(actor), USER_ADMIN)
        if not user and not address:
            raise InputError("name a user or an address to unlock")
        scopes = ([f"user:{user.lower()}"] if user else []) + ([f"address:{address}"] if address else [])
        with self.ws.transaction(actor) as tx:
            tx.conn.execute(login_failures.delete().where(login_failures.c.scope.in_(scopes)))
            tx.event("user.unlocked", Subject("user", user or address), {"scopes": scopes})

    def failures(self) -> list[dict[str, Any]]:
        with self.ws.read() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(login_failures))]
