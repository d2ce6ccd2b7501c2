"""Assembles the product: every module's controls, tables and demo part, in one place.

The platform imports no module; this file (with the CLI and the web app above it) is where they
meet, so adding a module is one line here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from proctor.core.clock import Clock
from proctor.core.controls import ControlRegistry
from proctor.core.evidence import RendererRegistry
from proctor.core.ids import IdFactory
from proctor.platform import Workspace, builtin
from proctor.platform import open_workspace as _open

# Surveillance modules, in the order their controls run. Each has a `plugin` module.
MODULES: list[str] = ["comms", "review", "reserve"]


def plugins() -> list[ModuleType]:
    return [importlib.import_module(f"proctor.{name}.plugin") for name in MODULES]


def build_registry() -> ControlRegistry:
    registry = ControlRegistry()
    for plugin in plugins():
        registry.extend(plugin.CONTROLS)
    registry.extend(builtin.CONTROLS)
    return registry


def build_renderers() -> RendererRegistry:
    """Evidence renderers: each plugin may expose EVIDENCE_RENDERERS = {evidence_type: fn}."""
    registry = RendererRegistry()
    for plugin in plugins():
        for evidence_type, renderer in getattr(plugin, "EVIDENCE_RENDERERS", {}).items():
            registry.register(evidence_type, renderer)
    return registry


def open_workspace(path: Path, *, clock: Clock | None = None, ids: IdFactory | None = None) -> Workspace:
    return _open(path, clock=clock, ids=ids, registry=build_registry())


def seed_demos(ws: Workspace, actor: str) -> dict[str, Any]:
    return {name: plugin.seed_demo(ws, actor) for name, plugin in zip(MODULES, plugins(), strict=True)}
