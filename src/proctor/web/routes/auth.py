"""Signing in and out. The only page that answers without a session is the login form itself.

Logins and logouts are journaled (who, when, from where), because an examiner reconstructing who
could have seen customer NPI starts from who was signed in. Wrong passwords are counted per account
and per client address in the database (platform.credentials.LoginThrottle); a lock is lifted by
time or by an admin (`proctor user unlock`), and a lockout is journaled.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from proctor.core.alerts import Subject
from proctor.core.errors import PermissionDenied
from proctor.core.roles import PERMISSIONS, Role, User
from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.session import LOGIN_COOKIE, SESSION_COOKIE, SessionCodec

pages = APIRouter(include_in_schema=False)
LOCKED = (
    "Too many failed sign-ins for this account or from this address. Try again later, or ask an "
    "administrator to unlock it."
)
api = APIRouter(prefix="/api", tags=["session"])


# Where a role starts once signed in, when no page was asked for. The auditor's work is the
# examiner's view (records, alerts, reviews and runs of a period, each exportable); other roles land
# through "/" (their queue, their module's page or the dashboard).
SIGN_IN_LANDING = {Role.AUDITOR: "/examiner"}


def after_sign_in(user: User, target: str) -> str:
    """The page asked for, else the role's own start page."""
    return SIGN_IN_LANDING.get(user.role, target) if target == "/" else target


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would turn the login page into a phishing aid."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(request: Request, next_: str, error: str = "", status: int = 200) -> Response:
    codec: SessionCodec = request.app.state.codec
    token, cookie = codec.login_token()
    response = render(
        request, "login.html", {"next": safe_next(next_), "login_token": token, "error": error}, status
    )
    response.set_cookie(
        LOGIN_COOKIE,
        cookie,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


@pages.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    codec: SessionCodec = request.app.state.codec
    if codec.read(request.cookies.get(SESSION_COOKIE)) is not None:
        return redirect(request, safe_next(next))
    return _login_page(request, next)


@pages.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    login_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    codec: SessionCodec = request.app.state.codec
    if not codec.login_token_ok(request.cookies.get(LOGIN_COOKIE), login_token):
        return _login_page(request, next, "The sign-in form expired; please sign in again.", 403)
    ws = request.app.state.ws
    name = username.strip()[:100]
    client = request.client.host if request.client else ""
    throttle = ws.users.throttle
    if throttle.locked(name, client):
        ws.users.authenticate_dummy(password)  # same work, so a lock does not answer faster
        return _login_page(request, next, LOCKED, 429)
    try:
        user = ws.users.authenticate(name, password)
    except PermissionDenied:
        if throttle.failed(name, client):
            with ws.transaction("web.login") as tx:
                tx.event("user.locked_out", Subject("user", name), {"via": "web", "client": client})
        return _login_page(request, next, "Unknown user or wrong password.", 401)
    throttle.succeeded(user.name)
    _, cookie = codec.issue(user.name)
    with ws.transaction(user.name) as tx:
        tx.event("user.login", Subject("user", user.name), {"via": "web", "client": client})
    response = redirect(request, after_sign_in(user, safe_next(next)))
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=codec.max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@pages.post("/logout")
def logout(request: Request, c: Annotated[Ctx, Depends(ctx)]) -> Response:
    codec: SessionCodec = request.app.state.codec
    codec.revoke(c.session)
    with c.ws.transaction(c.user.name) as tx:
        tx.event("user.logout", Subject("user", c.user.name), {"via": "web"})
    response = redirect(request, "/login", "Signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@api.get("/session", summary="Who is signed in, their permissions, and the CSRF token for changes")
def session_info(c: Annotated[Ctx, Depends(ctx)]) -> dict[str, Any]:
    return {
        "user": c.user.name,
        "display_name": c.user.display_name,
        "role": c.user.role.value,
        "permissions": sorted(PERMISSIONS[c.user.role]),
        "csrf_token": c.session.csrf,
    }
