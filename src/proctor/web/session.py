"""Signed session cookies and their CSRF tokens.

The cookie carries only the user's name, a random session id and the session's CSRF token, signed
with the workspace's web secret (itsdangerous); nothing in it is secret, but nothing in it can be
forged. Every session is also a row in the database (by the SHA-256 of its id): logging out, a
password change or a deactivation revokes it there, so a copied cookie stops working in every
server process and after a restart, not only in the process that saw the logout.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "proctor_session"
LOGIN_COOKIE = "proctor_login"
FLASH_COOKIE = "proctor_flash"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    user: str
    sid: str
    csrf: str


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so the token cannot be guessed a character at a time."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class SessionRecords(Protocol):
    """Where sessions are recorded (the workspace database: `platform.credentials.SessionStore`)."""

    def issue(self, user: str, sid: str, lifetime: timedelta) -> None: ...
    def is_active(self, sid: str, user: str) -> bool: ...
    def revoke(self, sid: str) -> None: ...


class SessionCodec:
    """Issues, reads and revokes session cookies; also signs the login form's token and flash notes."""

    def __init__(self, secret: str, max_age_seconds: int, records: SessionRecords) -> None:
        self._sessions = URLSafeTimedSerializer(secret, salt="proctor.session")
        self._login = URLSafeTimedSerializer(secret, salt="proctor.login")
        self._flash = URLSafeTimedSerializer(secret, salt="proctor.flash")
        self.max_age = max_age_seconds
        self.records = records

    def issue(self, user: str) -> tuple[Session, str]:
        session = Session(user=user, sid=secrets.token_urlsafe(24), csrf=secrets.token_urlsafe(32))
        self.records.issue(user, session.sid, timedelta(seconds=self.max_age))
        value = self._sessions.dumps({"u": session.user, "sid": session.sid, "csrf": session.csrf})
        return session, value

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data: Any = self._sessions.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also covers SignatureExpired
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("u", "sid", "csrf")):
            return None
        if not self.records.is_active(data["sid"], data["u"]):
            return None
        return Session(user=data["u"], sid=data["sid"], csrf=data["csrf"])

    def revoke(self, session: Session) -> None:
        self.records.revoke(session.sid)

    # --- the login form: double-submit token, since there is no session yet ------------------
    def login_token(self) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, self._login.dumps(token)

    def login_token_ok(self, cookie: str | None, given: str | None) -> bool:
        if not cookie:
            return False
        try:
            expected = self._login.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return isinstance(expected, str) and tokens_match(expected, given)

    # --- one-shot notes shown on the page after a redirect -----------------------------------
    def flash_value(self, text: str, kind: str) -> str:
        return self._flash.dumps({"text": text, "kind": kind})

    def read_flash(self, cookie: str | None) -> dict[str, str] | None:
        if not cookie:
            return None
        try:
            data = self._flash.loads(cookie, max_age=300)
        except BadSignature:
            return None
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return {"text": data["text"], "kind": str(data.get("kind", "ok"))}
        return None
