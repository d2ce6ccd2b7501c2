"""User administration in the browser: users, roles and identities; add, deactivate, reset password.

Each action is `ws.users` (the functions `proctor user` calls), which requires the user-admin
permission and journals the change; the page shows the list to anyone who may read it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render
from proctor.web.services import admin as svc

pages = APIRouter(include_in_schema=False)
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str, Form()]


@pages.get("/admin/users")
def users_page(request: Request, c: C) -> Response:
    return render(request, "admin/users.html", {**svc.users(c), "title": "Users and roles"})


@pages.post("/admin/users")
def add_user_form(
    request: Request, c: C, name: Text = "", role: Text = "", display_name: Text = "", password: Text = "",
    identities: Text = "",
) -> Response:  # fmt: skip
    user = svc.add_user(c, name, role, display_name, password, identities)
    return redirect(request, "/admin/users", f"User {user.name} added as {user.role.value}")


@pages.post("/admin/users/{name}/active")
def active_form(request: Request, c: C, name: str, active: Text = "") -> Response:
    c.ws.users.set_active(name, active == "yes", actor=c.user.name)
    return redirect(request, "/admin/users", f"{name} {'reactivated' if active == 'yes' else 'deactivated'}")


@pages.post("/admin/users/{name}/password")
def password_form(request: Request, c: C, name: str, password: Text = "") -> Response:
    c.ws.users.set_password(name, password, actor=c.user.name)
    return redirect(request, "/admin/users", f"Password of {name} reset")


@pages.post("/admin/users/{name}/identities")
def add_identity_form(request: Request, c: C, name: str, identity: Text = "") -> Response:
    return redirect(request, f"/admin/users#user-{name}", svc.add_identity(c, name, identity))


@pages.post("/admin/users/{name}/identities/remove")
def remove_identity_form(request: Request, c: C, name: str, identity: Text = "") -> Response:
    return redirect(request, f"/admin/users#user-{name}", svc.remove_identity(c, name, identity))
