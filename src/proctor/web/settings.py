"""How the web app is set up for one deployment: cookie security, session lifetime, signing secret.

The session-signing secret lives in the workspace (keys/web-session.key, owner-only) so sessions
survive a restart of `proctor serve` and two workspaces never accept each other's cookies.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

SECRET_FILE = "web-session.key"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class WebSettings:
    """`secure_cookies` must stay on wherever the app is reached over a network (HTTPS only)."""

    secret_key: str
    secure_cookies: bool = True
    session_lifetime: timedelta = timedelta(hours=10)
    # Largest request body any route accepts; forms and JSON actions are a few kilobytes.
    max_body_bytes: int = 1024 * 1024
    # The archive search page counts matches up to this many, then says "more than" it.
    search_count_up_to: int = 1_000


def load_secret(keys_dir: Path) -> str:
    """PROCTOR_WEB_SECRET wins (several servers behind one balancer); else a per-workspace key file."""
    from_env = os.environ.get("PROCTOR_WEB_SECRET", "")
    if from_env:
        return from_env
    path = keys_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    keys_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


def cookies_secure_for(host: str) -> bool:
    """Secure cookies everywhere except a server bound to the loopback interface (plain http there)."""
    return host not in LOOPBACK_HOSTS
