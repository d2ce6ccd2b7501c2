"""User administration in the browser: the users and their roles, add, deactivate, reset password.

Each action is `ws.users` (the functions `proctor user` calls), which requires the user-admin
permission and journals the change; the page shows the list to anyone who may read it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from proctor.core.roles import PERMISSIONS, READ, USER_ADMIN, Role, require
from proctor.web.guard import Ctx, ctx
from proctor.web.render import redirect, render

pages = APIRouter(include_in_schema=False)
C = Annotated[Ctx, Depends(ctx)]
Text = Annotated[str, Form()]


@pages.get("/admin/users")
def users_page(request: Request, c: C) -> Response:
    require(c.user, READ)
    roles = [r.value for r in Role]
    grants = {r.value: sorted(PERMISSIONS[r]) for r in Role}
    context = {"users": c.ws.users.list(), "roles": roles, "grants": grants, "is_admin": c.can(USER_ADMIN)}
    return render(request, "admin/users.html", {**context, "title": "Users and roles"})


@pages.post("/admin/users")
def add_user_form(
    request: Request, c: C, name: Text = "", role: Text = "", display_name: Text = "", password: Text = "",
    identities: Text = "",
) -> Response:  # fmt: skip
    names = [i.strip() for i in identities.replace(",", "\n").splitlines() if i.strip()]
    user = c.ws.users.add(
        name.strip(), role, actor=c.user.name, password=password or None, display_name=display_name.strip(),
        identities=names,
    )  # fmt: skip
    return redirect(request, "/admin/users", f"User {user.name} added as {user.role.value}")


@pages.post("/admin/users/{name}/active")
def active_form(request: Request, c: C, name: str, active: Text = "") -> Response:
    c.ws.users.set_active(name, active == "yes", actor=c.user.name)
    return redirect(request, "/admin/users", f"{name} {'reactivated' if active == 'yes' else 'deactivated'}")


@pages.post("/admin/users/{name}/password")
def password_form(request: Request, c: C, name: str, password: Text = "") -> Response:
    c.ws.users.set_password(name, password, actor=c.user.name)
    return redirect(request, "/admin/users", f"Password of {name} reset")
