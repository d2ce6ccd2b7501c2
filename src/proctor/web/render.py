"""Page rendering: the Jinja2 environment, its filters, one-shot notes and post-redirect-get.

Every page gets the signed-in user, the CSRF token (for forms and the meta tag htmx reads) and the
note left by the previous action, so templates never reach into the request themselves.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from proctor.core.roles import can
from proctor.web.session import FLASH_COOKIE, SessionCodec

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def fmt_dt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def fmt_age(value: datetime | None, now: datetime | None = None) -> str:
    """'3d 4h' reads faster than two timestamps when triaging a queue."""
    if value is None:
        return "—"
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {rest // 60}m"
    return f"{sign}{rest // 60}m"


def fmt_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return fmt_dt(value)
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)  # no grouping: evidence integers are often account or order numbers
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def label(value: Any) -> str:
    return "—" if value is None else str(value).replace("_", " ")


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters.update(dt=fmt_dt, age=fmt_age, cell=fmt_cell, label=label)
    env.globals.update(can=can, urlencode=urlencode)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """A page with the shell's context; the previous action's note is shown once, then dropped."""
    state = request.app.state
    codec: SessionCodec = state.codec
    flash = codec.read_flash(request.cookies.get(FLASH_COOKIE))
    session = getattr(request.state, "session", None)
    page = {
        "user": getattr(request.state, "user", None),
        "csrf_token": session.csrf if session else "",
        "flash": flash,
        "firm": state.ws.config.firm_name,
        "now": state.ws.clock.now(),
        "path": request.url.path,
        **context,
    }
    templates: Jinja2Templates = state.templates
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(request: Request, url: str, note: str = "", kind: str = "ok") -> RedirectResponse:
    """Post-redirect-get, so a reload never repeats an approval; the note rides in a signed cookie."""
    response = RedirectResponse(url, status_code=303)
    if note:
        codec: SessionCodec = request.app.state.codec
        response.set_cookie(
            FLASH_COOKIE,
            codec.flash_value(note, kind),
            max_age=300,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    return response
