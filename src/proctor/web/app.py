"""The web app: one FastAPI application serving the pages and the JSON API over one workspace.

Pages and API share handlers' services; everything but /login and /static needs a session (the
`guard` dependency is application-wide), and every answer carries the security headers below.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proctor.core.evidence import RendererRegistry
from proctor.platform import Workspace
from proctor.web import errors, formats
from proctor.web.guard import SessionGate, guard
from proctor.web.render import STATIC, build_templates
from proctor.web.routes import (
    access,
    admin,
    alerts,
    approvals,
    archive,
    auth,
    cases,
    cases_pages,
    controls,
    dashboard,
    examiner,
    journal,
    journal_pages,
    reserve,
    review_pages,
)
from proctor.web.session import SessionCodec
from proctor.web.settings import WebSettings, load_secret

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the headers to every answer, static files and errors included; pages are not cached,
    because they may show customer NPI and shared workstations keep browser caches."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    workspace: Workspace | Path,
    settings: WebSettings | None = None,
    renderers: RendererRegistry | None = None,
) -> FastAPI:
    """Build the app over an open workspace (or a path to one, opened with every module's plugin).

    Evidence renderers default to every installed module's; passing them is for embedding and tests.
    """
    from proctor.bootstrap import build_renderers, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    settings = settings or WebSettings(secret_key=load_secret(ws.path / "keys"))
    app = FastAPI(
        title="Proctor",
        summary="Supervisory controls for US broker-dealers: alerts, cases, controls and the journal.",
        version="1",
        openapi_url=None,  # served at /api/openapi.json behind the session check instead
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(guard)],
    )
    app.state.ws = ws
    app.state.settings = settings
    app.state.codec = SessionCodec(
        settings.secret_key, int(settings.session_lifetime.total_seconds()), ws.users.sessions
    )
    app.state.renderers = renderers or build_renderers()
    app.state.templates = build_templates()
    errors.install(app)
    formats.install(app.state.templates.env)
    app.include_router(alerts.home)  # "/" lands each role on its own work, before the dashboard's "/"
    for module in (cases_pages, journal_pages, examiner):  # before /cases/{id}/{action} matches
        app.include_router(module.pages)
        app.include_router(module.api)
    for module in (auth, dashboard, alerts, cases, controls, journal, access):
        app.include_router(module.pages)
        app.include_router(module.api)
    for module in (reserve, archive, review_pages, approvals):
        app.include_router(module.pages)
        app.include_router(module.api)
    app.include_router(admin.pages)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_middleware(SessionGate, ws=ws, codec=app.state.codec)
    # Any request body over the limit is refused with 413 on every route, before a handler or the
    # form parser buffers it (a declared Content-Length at once, a chunked body as it arrives).
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)  # outermost: on every answer
    return app
