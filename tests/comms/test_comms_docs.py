"""docs/comms.md documents every archive command, control and control parameter."""

from __future__ import annotations

from pathlib import Path

import typer

from proctor.cli import comms_cmd
from proctor.comms.completeness import DEFAULTS
from proctor.comms.plugin import CONTROLS
from proctor.comms.tables import CAPTURE_STATES, SOURCE_KINDS

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "comms.md").read_text(encoding="utf-8")


def _commands(app: typer.Typer, prefix: str) -> list[str]:
    """This module's commands (the records commands are documented by their own section)."""
    found = []
    for command in app.registered_commands:
        callback = command.callback
        if callback is not None and callback.__module__ == comms_cmd.__name__:
            found.append(f"{prefix} {command.name or callback.__name__}")
    for group in app.registered_groups:
        if group.typer_instance is not None and group.name in ("source", "manifest"):
            found.extend(_commands(group.typer_instance, f"{prefix} {group.name}"))
    return found


def test_every_command_is_documented() -> None:
    commands = _commands(comms_cmd.app, "proctor comms")
    assert len(commands) >= 12
    missing = [c for c in commands if c not in DOCS]
    assert missing == []


def test_every_control_parameter_source_kind_and_state_is_documented() -> None:
    names = [spec.name for spec in CONTROLS] + list(DEFAULTS) + list(SOURCE_KINDS) + list(CAPTURE_STATES)
    assert [n for n in names if f"`{n}`" not in DOCS] == []
