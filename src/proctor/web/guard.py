"""The gate every request passes: a valid session, an active user, and a CSRF token on any change.

The session check is middleware in front of routing, so a route added later, an unknown path or a
malformed body all meet it first; the CSRF check is an application-wide dependency (it needs the
parsed form). Only the login page and static assets answer without a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from proctor.core.errors import NotFound
from proctor.core.evidence import RendererRegistry
from proctor.core.roles import User, can
from proctor.platform import Workspace
from proctor.web.session import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, Session, SessionCodec, tokens_match
from proctor.web.settings import WebSettings

PUBLIC_PATHS = frozenset({"/login"})
STATIC_PREFIX = "/static/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """No valid session: the API answers 401, pages send the browser to the login form."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token (a forged cross-site post)."""


@dataclass(frozen=True)
class Ctx:
    """What a handler needs: the workspace, who is asking, and how to draw evidence."""

    ws: Workspace
    user: User
    session: Session
    renderers: RendererRegistry
    settings: WebSettings

    def can(self, permission: str) -> bool:
        return can(self.user, permission)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _load_user(ws: Workspace, name: str) -> User | None:
    try:
        user = ws.users.get(name)
    except NotFound:
        return None
    return user if user.active else None


async def _given_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def login_required_answer(path: str, query: str, method: str, htmx: bool) -> Response:
    """The API says 401; a page sends the browser to the login form and back afterwards."""
    if path == "/api" or path.startswith("/api/"):
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    if htmx:
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    target = path + (f"?{query}" if query else "")
    next_part = f"?next={quote(target, safe='')}" if method == "GET" else ""
    return RedirectResponse(f"/login{next_part}", status_code=303)


class SessionGate:
    """ASGI middleware in front of everything (routing, body parsing, 404s): no session, no answer.

    Only the login form and static assets pass without one. The signed-in user is reloaded on every
    request, so a deactivated user or a changed role takes effect at once.
    """

    def __init__(self, app: ASGIApp, ws: Workspace, codec: SessionCodec) -> None:
        self.app = app
        self.ws = ws
        self.codec = codec

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path in PUBLIC_PATHS or path.startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = await run_in_threadpool(self.codec.read, request.cookies.get(SESSION_COOKIE))
        user = await run_in_threadpool(_load_user, self.ws, session.user) if session else None
        if session is None or user is None:
            answer = login_required_answer(
                path, request.url.query, request.method, bool(request.headers.get("hx-request"))
            )
            await answer(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["session"] = session
        state["user"] = user
        await self.app(scope, receive, send)


async def guard(request: Request) -> None:
    """Application-wide dependency: a session (defence in depth) and the CSRF token on any change."""
    if request.url.path in PUBLIC_PATHS:
        return
    session: Session | None = getattr(request.state, "session", None)
    if session is None or getattr(request.state, "user", None) is None:
        raise LoginRequired()
    if request.method not in SAFE_METHODS and not tokens_match(session.csrf, await _given_csrf(request)):
        raise CsrfRejected()


def ctx(request: Request) -> Ctx:
    """Handler dependency; `guard` has already run for every route that is not public."""
    state = request.app.state
    return Ctx(
        ws=state.ws,
        user=request.state.user,
        session=request.state.session,
        renderers=state.renderers,
        settings=state.settings,
    )
