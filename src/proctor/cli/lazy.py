"""Command groups loaded only when their command runs, so `proctor --help` starts in a blink.

Importing every command file means importing every module, SQLAlchemy, Polars and the web stack:
about two seconds before anything is printed. The top-level group here knows each sub-command
by name, help text and the dotted path of its Typer app; it imports that app only when the
command is invoked (or its own `--help` is asked for).

Module command groups are named by the modules' specs. Reading a spec means importing its module,
so their names and help come from a light-weight place instead: the literal `cli=` and
`cli_help=` of the `ModuleSpec(...)` in each `proctor/<module>/plugin.py`, and the module list in
`proctor/bootstrap.py`, read as source (`ast`), not imported. A test checks that this reading
agrees with the imported specs; a spec whose fields are not literals is simply imported.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import typer
import typer._click as click  # Typer carries its own copy of Click; its classes are the ones it uses
from typer.core import TyperCommand, TyperGroup

PACKAGE = Path(__file__).resolve().parents[1]  # src/proctor


@dataclass(frozen=True)
class LazyCommand:
    """A sub-command known by name and help; `target` is "package.module:attribute"."""

    name: str
    target: str
    help: str
    group: bool = True  # a Typer app (a group) rather than a single command function


def _load(entry: LazyCommand) -> click.Command:
    module_path, _, attr = entry.target.partition(":")
    obj = getattr(importlib.import_module(module_path), attr)
    command: click.Command
    if entry.group:
        command = typer.main.get_group(obj)
    else:
        holder = typer.Typer()
        holder.command(entry.name)(obj)
        command = typer.main.get_command(holder)
    command.name = entry.name
    if entry.group and entry.help:
        command.help = entry.help
    return command


class _Placeholder(TyperCommand):
    """Stands for a sub-command in the top-level help listing without importing it."""

    def __init__(self, entry: LazyCommand) -> None:
        super().__init__(entry.name, help=entry.help)
        self.entry = entry

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        return _load(self.entry).make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """A Typer group whose listed sub-commands are imported on first use."""

    lazy: dict[str, LazyCommand] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        entry = self.lazy.get(cmd_name)
        return _Placeholder(entry) if entry is not None else None

    def resolve_lazy(self, cmd_name: str) -> click.Command | None:
        """The real command (imported now), for tools that walk the whole tree, such as docs tests."""
        if cmd_name in self.lazy and cmd_name not in self.commands:
            return _load(self.lazy[cmd_name])
        return self.commands.get(cmd_name)


# --- module groups, read from source ---------------------------------------------------------------


def _literal_list(tree: ast.Module, name: str) -> list[str] | None:
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id == name and value is not None:
            try:
                literal = ast.literal_eval(value)
            except ValueError:
                return None
            return [str(v) for v in literal] if isinstance(literal, list) else None
    return None


def _spec_fields(path: Path) -> dict[str, str] | None:
    """The literal `cli` and `cli_help` of the one `ModuleSpec(...)` call in a plugin file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ModuleSpec":
            out: dict[str, str] = {}
            for keyword in node.keywords:
                if keyword.arg in ("name", "cli", "cli_help"):
                    if not isinstance(keyword.value, ast.Constant) or not isinstance(
                        keyword.value.value, str
                    ):
                        return None
                    out[keyword.arg] = keyword.value.value
            return out
    return None


def _from_specs() -> list[LazyCommand]:
    from proctor.bootstrap import specs

    return [LazyCommand(s.name, s.cli, s.cli_help) for s in specs() if s.cli]


@cache
def module_commands() -> tuple[LazyCommand, ...]:
    """Each module's command group as its spec names it, without importing the modules."""
    names = _literal_list(ast.parse((PACKAGE / "bootstrap.py").read_text(encoding="utf-8")), "MODULES")
    if names is None:
        return tuple(_from_specs())
    out: list[LazyCommand] = []
    for name in names:
        fields = _spec_fields(PACKAGE / name / "plugin.py")
        if fields is None or fields.get("name", name) != name:
            return tuple(_from_specs())
        if fields.get("cli"):
            out.append(LazyCommand(name, fields["cli"], fields.get("cli_help", "")))
    return tuple(out)
