"""Turning errors into answers: the platform decides what is allowed, this file only says so.

Rules (roles, four-eyes, self-review, workflow order) live in the platform and raise ProctorError
subclasses; the web layer maps each to an HTTP status and shows the platform's own message.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from proctor.core.errors import InputError, InvalidTransition, NotFound, PermissionDenied, ProctorError
from proctor.web.guard import CsrfRejected, LoginRequired, is_api, login_required_answer
from proctor.web.render import render

STATUS: list[tuple[type[ProctorError], int]] = [
    (PermissionDenied, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (InputError, 400),
]


def status_for(error: ProctorError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 409 if error.exit_code == 1 else 400  # integrity problems are conflicts with the record


def _answer(request: Request, status: int, message: str, extra: dict[str, object] | None = None) -> Response:
    if is_api(request):
        return JSONResponse({"detail": message, **(extra or {})}, status_code=status)
    titles = {400: "Cannot do that", 403: "Not allowed", 404: "Not found", 409: "Not possible now"}
    return render(
        request,
        "error.html",
        {"status": status, "title": titles.get(status, "Error"), "message": message},
        status_code=status,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        htmx = bool(request.headers.get("hx-request"))
        return login_required_answer(request.url.path, request.url.query, request.method, htmx)

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _exc: CsrfRejected) -> Response:
        message = "the form was not sent from this page (missing or wrong CSRF token); reload and retry"
        return _answer(request, 403, message)

    @app.exception_handler(ProctorError)
    async def _proctor(request: Request, exc: ProctorError) -> Response:
        extra: dict[str, object] = {"error": type(exc).__name__}
        if isinstance(exc, InputError) and exc.field:
            extra["field"] = exc.field
        return _answer(request, status_for(exc), str(exc), extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p not in ('body', 'query'))}: {e.get('msg')}"
            for e in exc.errors()
        ]
        if is_api(request):
            return JSONResponse({"detail": "; ".join(problems)}, status_code=422)
        return _answer(request, 400, "; ".join(problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request) or getattr(request.state, "user", None) is None:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return _answer(request, exc.status_code, str(exc.detail))
