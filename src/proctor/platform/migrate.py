"""Alembic, driven from code: one migration history per module, all upgraded to their heads.

The platform's own history lives in `proctor/migrations/versions`; each module keeps its history
in its own package (its `ModuleSpec.migrations`), and bootstrap passes those folders in, so the
platform never names a module.

Every open checks that the database is at the heads. Alembic finds the heads by importing every
migration file, which costs a command more than the rest of opening a workspace; the files name
their `revision` and `down_revision` as literals, so those are read as source first, and Alembic
is loaded only when the database is behind (or a file says them otherwise).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

import proctor

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(proctor.__file__).parent / "migrations"


def alembic_config(url: str, locations: Sequence[Path] = ()) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("script_location", str(MIGRATIONS))
    folders = [MIGRATIONS / "versions", *locations]
    cfg.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _engine_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


_NAMED = ("revision", "down_revision", "depends_on")


_NAMED = ("revision", "down_revision", "depends_on")
History = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # revision -> (down_revisions, depends_on)


def _as_names(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def literal_history(folders: Iterable[Path]) -> History | None:
    """Each revision with its `down_revision`s and its `depends_on`, read from the files' literals.

    None when a migration file does not name them as literals: then only Alembic, which runs the
    files, can say.
    """
    history: History = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.py")):
            named: dict[str, object] = {}
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name) and target.id in _NAMED:
                        try:
                            named[target.id] = ast.literal_eval(node.value)
                        except ValueError:
                            return None
            revision = named.get("revision")
            down, needs = _as_names(named.get("down_revision")), _as_names(named.get("depends_on"))
            if not isinstance(revision, str) or "down_revision" not in named or down is None or needs is None:
                return None
            history[revision] = (down, needs)
    return history


def literal_heads(folders: Iterable[Path]) -> set[str] | None:
    """The revisions no other revision builds on (as Alembic's `get_heads`), or None (see above)."""
    history = literal_history(folders)
    return None if history is None else _heads(history)


def _heads(history: History) -> set[str]:
    return set(history) - {d for down, _ in history.values() for d in down}


def _current_heads(conn: sa.Connection) -> set[str]:
    if not sa.inspect(conn).has_table("alembic_version"):
        return set()
    return {str(v) for (v,) in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}


def _at_heads(current: set[str], history: History) -> bool:
    """Every head is applied: reachable from a stored version through `down_revision` or `depends_on`.

    Alembic stores only the versions nothing applied depends on, so a revision another one depends
    on (core_0002, which the archive's second migration needs) is applied without its own row.
    """
    if not current <= set(history):
        return False  # a version this code does not know: let Alembic say what is wrong
    applied: set[str] = set()
    todo = list(current)
    while todo:
        revision = todo.pop()
        if revision not in applied:
            applied.add(revision)
            down, needs = history[revision]
            todo.extend(r for r in (*down, *needs) if r in history)
    return _heads(history) <= applied


def is_current(url: str, locations: Sequence[Path] = ()) -> bool:
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.connect() as conn:
            current = _current_heads(conn)
    finally:
        engine.dispose()
    history = literal_history([MIGRATIONS / "versions", *locations])
    if history is not None:
        return _at_heads(current, history)
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(_engine_url(url), locations)).get_heads())
    return current == heads


def upgrade_to_head(url: str, locations: Sequence[Path] = ()) -> None:
    if is_current(url, locations):
        return
    from alembic import command

    command.upgrade(alembic_config(_engine_url(url), locations), "heads")
