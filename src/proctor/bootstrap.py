"""Assembles the product from its modules' specs, in one place.

The platform imports no module; this file (with the CLI and the web app above it) is where they
meet. Each module's `plugin.SPEC` is a `ModuleSpec`; everything here loops over those specs, so
adding a module is its package plus one line in `MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from proctor.core.clock import Clock
from proctor.core.controls import ControlRegistry
from proctor.core.errors import InputError
from proctor.core.evidence import RendererRegistry
from proctor.core.ids import IdFactory
from proctor.core.modules import ModuleSpec, resolve_enabled, validate_modules
from proctor.core.roles import grant, grant_queue
from proctor.platform import Workspace, builtin
from proctor.platform import init_workspace as _init
from proctor.platform import open_workspace as _open
from proctor.platform.config import load_config

# Surveillance modules, in the order their controls run. Each has `plugin.SPEC`.
MODULES: list[str] = ["comms", "review", "reserve", "access", "trading"]

MODULES_EVENT = "workspace.modules"


def load_spec(name: str) -> ModuleSpec:
    spec = importlib.import_module(f"proctor.{name}.plugin").SPEC
    if not isinstance(spec, ModuleSpec) or spec.name != name:
        raise TypeError(f"proctor.{name}.plugin.SPEC must be the ModuleSpec of {name!r}")
    return spec


@cache
def _specs(names: tuple[str, ...]) -> tuple[ModuleSpec, ...]:
    specs = validate_modules(load_spec(n) for n in names)
    for spec in specs:
        grant(spec.permissions, spec.permission_descriptions)
        if spec.alert_role_sees_all:
            grant_queue(spec.alert_role, spec.name)
    return tuple(specs)


def specs(names: Sequence[str] | None = None) -> list[ModuleSpec]:
    """Every module's spec (tables join the metadata, permissions are granted) in registry order."""
    return list(_specs(tuple(MODULES if names is None else names)))


def migration_folders(modules: Sequence[ModuleSpec] | None = None) -> list[Path]:
    return [s.migrations for s in (modules if modules is not None else specs()) if s.migrations]


def build_registry(modules: Sequence[ModuleSpec] | None = None) -> ControlRegistry:
    registry = ControlRegistry()
    for spec in modules if modules is not None else specs():
        registry.extend(spec.controls)
    registry.extend(builtin.CONTROLS)
    return registry


def build_renderers(modules: Sequence[ModuleSpec] | None = None) -> RendererRegistry:
    registry = RendererRegistry()
    for spec in modules if modules is not None else specs():
        for evidence_type, renderer in spec.evidence_renderers.items():
            registry.register(evidence_type, renderer)
    return registry


def enabled_specs(enabled: Sequence[str] | None) -> list[ModuleSpec]:
    return resolve_enabled(specs(), enabled)


def init_workspace(
    root: Path,
    *,
    firm: str = "Example Securities LLC",
    domains: list[str] | None = None,
    default_user: str = "",
    database_url: str = "",
    modules: list[str] | None = None,
) -> Path:
    """Create a workspace with every module's schema; `modules` limits which modules it uses."""
    if modules is not None:
        enabled_specs(modules)  # refuse unknown names before anything is written
    created = _init(
        root,
        firm=firm,
        domains=domains,
        default_user=default_user,
        database_url=database_url,
        modules=modules,
        migrations=migration_folders(),
    )
    if modules is not None:  # the first setting is journaled too, so a later hand edit shows
        from proctor.core.alerts import Subject

        ws = _open(created, migrations=migration_folders())
        try:
            with ws.transaction("proctor init") as tx:
                tx.event(MODULES_EVENT, Subject("workspace", "modules"), {"enabled": modules, "before": []})
        finally:
            ws.close()
    return created


def open_workspace(
    path: Path,
    *,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    registry: ControlRegistry | None = None,
) -> Workspace:
    """Open a workspace with the controls of exactly the modules it uses.

    Every module's schema is migrated whether or not it is enabled, so enabling one later needs no
    migration step. The enabled list in proctor.toml must match the last journaled change of it:
    a hand edit that switches a module's controls off is refused, not obeyed.
    """
    config = load_config(path.resolve())
    chosen = enabled_specs(config.enabled_modules)
    ws = _open(
        path,
        clock=clock,
        ids=ids,
        registry=registry or build_registry(chosen),
        migrations=migration_folders(),
        modules=[s.name for s in chosen],
    )
    ws.integrity_checks = tuple(c for s in chosen for c in s.integrity_checks)
    try:
        _check_modules_setting(ws, config.enabled_modules)
    except Exception:
        ws.close()
        raise
    return ws


def _last_modules_event(ws: Workspace) -> list[str] | None:
    from proctor.journal.query import last_event

    with ws.read() as conn:
        event = last_event(conn, MODULES_EVENT)
    return None if event is None else list(event.payload["enabled"])


def _check_modules_setting(ws: Workspace, enabled: tuple[str, ...] | None) -> None:
    journaled = _last_modules_event(ws)
    if journaled is None:
        return
    if enabled is None or sorted(enabled) != sorted(journaled):
        raise InputError(
            f"proctor.toml lists modules {list(enabled or [])} but the journaled setting is {journaled}; "
            "change modules with `proctor modules set` (the file was edited by hand)",
            file=str(ws.path / "proctor.toml"),
            field="modules.enabled",
        )


def set_modules(ws: Workspace, names: list[str], *, actor: str, reason: str) -> list[str]:
    """Change which modules a workspace uses: journaled, admin only, with a reason."""
    from proctor.core.alerts import Subject
    from proctor.core.roles import USER_ADMIN, require
    from proctor.platform.config import set_enabled_modules

    require(ws.users.get(actor), USER_ADMIN)
    if not reason.strip():
        raise InputError("a reason is required", field="--reason")
    chosen = [s.name for s in enabled_specs(names)]
    before = list(ws.modules)
    with ws.transaction(actor) as tx:
        tx.event(
            MODULES_EVENT,
            Subject("workspace", "modules"),
            {"enabled": chosen, "before": before, "reason": reason},
        )
        set_enabled_modules(ws.path, chosen)
    return chosen


def seed_demos(ws: Workspace, actor: str) -> dict[str, Any]:
    return {s.name: s.seed_demo(ws, actor) for s in specs() if s.seed_demo and s.name in ws.modules}
