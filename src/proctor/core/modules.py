"""The module contract: what a surveillance module tells the platform about itself.

Everything above the modules (bootstrap, the CLI, migrations, roles, the web app) loops over these
specs and never names a module, so adding one is its package plus one line in `bootstrap.MODULES`.
Keeping the contract typed and in one place is what lets a test prove that every control is named
after its module, every evidence type has a renderer and every module is documented.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proctor.core.controls import ControlSpec
from proctor.core.errors import InputError

EvidenceRenderer = Callable[[dict[str, Any]], Any]
DemoSeed = Callable[[Any, str], dict[str, Any]]
IntegrityCheck = Callable[[Any], list[str]]  # workspace -> problems found (empty: intact)


@dataclass(frozen=True)
class ModuleSpec:
    """One domain module as the platform sees it.

    `cli` is the dotted path ("package.module:attribute") of the module's Typer app, mounted as
    `proctor <name>`; it is a path rather than an object so the CLI can load only the group a
    command needs. `permissions` grants the module's own permissions to platform roles.
    `alert_role` names the role whose people work the module's alerts by default (a routing hook
    may name a person instead); with `alert_role_sees_all` that role sees the module's whole queue
    (the FINOP answers for every reserve alert), not only the alerts assigned to its people.
    `requires` lists the modules this one reads (review reads comms).
    `integrity_checks` verify the module's derived data (a search index, say) against its records;
    `proctor journal verify` runs them, so a hidden change to what people find is caught.
    """

    name: str
    title: str
    controls: tuple[ControlSpec, ...] = ()
    evidence_renderers: Mapping[str, EvidenceRenderer] = field(default_factory=dict)
    tables: tuple[Any, ...] = ()
    migrations: Path | None = None
    permissions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    permission_descriptions: Mapping[str, str] = field(default_factory=dict)  # the action, in words
    seed_demo: DemoSeed | None = None
    cli: str = ""
    cli_help: str = ""
    docs: str = ""
    alert_role: str = ""
    alert_role_sees_all: bool = False
    requires: tuple[str, ...] = ()
    integrity_checks: tuple[IntegrityCheck, ...] = ()

    def __post_init__(self) -> None:
        for control in self.controls:
            if not control.name.startswith(f"{self.name}.") or control.module != self.name:
                raise ValueError(f"control {control.name!r} of {self.name!r} must be named {self.name}.*")


def deferred(target: str) -> Callable[..., Any]:
    """The function at "package.module:name", imported when it is first called.

    Every command that opens a workspace reads every module's spec, so a spec that imported what
    its controls, integrity checks and demo run (Polars, Numba, the e-mail parsers) would make each
    command pay for all of them. A spec names those functions with `deferred` instead.
    """
    module_name, _, name = target.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module_name), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__module__ = module_name
    call.__doc__ = f"`{target}`, imported on first call."
    return call


def validate_modules(specs: Iterable[ModuleSpec]) -> list[ModuleSpec]:
    """One name per module, and every module it requires is present before it."""
    seen: dict[str, ModuleSpec] = {}
    for spec in specs:
        if spec.name in seen:
            raise ValueError(f"module {spec.name!r} is listed twice")
        missing = [r for r in spec.requires if r not in seen]
        if missing:
            raise ValueError(f"module {spec.name!r} requires {', '.join(missing)}, listed before it")
        seen[spec.name] = spec
    return list(seen.values())


def resolve_enabled(specs: Iterable[ModuleSpec], enabled: Iterable[str] | None) -> list[ModuleSpec]:
    """The modules a workspace uses, in registry order; `None` means every module.

    A module whose required module is not enabled is refused rather than silently half-working
    (review without the archive would select from nothing and report nothing).
    """
    available = {s.name: s for s in specs}
    if enabled is None:
        return list(available.values())
    wanted = [str(n).strip() for n in enabled if str(n).strip()]
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise InputError(
            f"unknown module(s) {', '.join(unknown)}; available: {', '.join(available)}",
            field="modules.enabled",
        )
    chosen = [s for s in available.values() if s.name in wanted]
    names = {s.name for s in chosen}
    for spec in chosen:
        lacking = [r for r in spec.requires if r not in names]
        if lacking:
            raise InputError(
                f"module {spec.name} needs {', '.join(lacking)} enabled as well", field="modules.enabled"
            )
    return chosen
