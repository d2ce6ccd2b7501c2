"""Every command a user can type is documented: a new command without docs fails the suite."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from proctor.cli.main import app

REPO = Path(__file__).resolve().parents[2]


def command_paths() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(cmd, prefix: tuple[str, ...]) -> None:
        if hasattr(cmd, "resolve_lazy"):  # the top level loads its groups only on use
            subcommands = {n: cmd.resolve_lazy(n) for n in cmd.list_commands(None)}
        else:
            subcommands = getattr(cmd, "commands", None)
        if not subcommands:
            paths.append(prefix)
            return
        for name, sub in subcommands.items():
            walk(sub, (*prefix, name))

    walk(root, ())
    return paths


def documentation() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    )


def test_every_command_is_documented():
    text = documentation()
    missing = []
    for path in command_paths():
        *groups, name = path
        prefix = r"\s+".join(["proctor", *map(re.escape, groups)])
        # "proctor alerts close" or a listing such as "proctor alerts list|show|close"
        pattern = prefix + r"[ \t]+[^\n`]*?(?<![\w-])" + re.escape(name) + r"(?![\w-])"
        if not re.search(pattern, text):
            missing.append(" ".join(path))
    assert missing == [], f"undocumented commands: {missing}"


def test_there_are_commands_to_check():
    assert {("journal", "verify"), ("alerts", "close"), ("demo",)} <= set(command_paths())
