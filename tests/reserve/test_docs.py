"""docs/reserve.md documents every command, input column, parameter and note."""

from __future__ import annotations

from pathlib import Path

from proctor.cli import reserve_cmd
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.schemas import SCHEMAS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "reserve.md").read_text("utf-8")


def _commands() -> list[str]:
    names = [f"proctor reserve {c.name}" for c in reserve_cmd.app.registered_commands]
    for group in reserve_cmd.app.registered_groups:
        names += [f"proctor reserve {group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


def test_every_command_is_documented() -> None:
    missing = [c for c in _commands() if c not in DOC]
    assert not missing


def test_every_input_column_parameter_and_note_is_documented() -> None:
    rules = RuleTable.baseline()
    missing = [f"{s.name}.{c.name}" for s in SCHEMAS.values() for c in s.columns if f"`{c.name}`" not in DOC]
    missing += [p for p in rules.params if f"`{p}`" not in DOC]
    missing += [n for n in rules.notes if f"| {n} |" not in DOC]
    assert not missing
