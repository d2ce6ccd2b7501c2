"""Alembic, driven from code: one migration history per module, all upgraded to their heads.

The platform's own history lives in `proctor/migrations/versions`; each module keeps its history
in its own package (its `ModuleSpec.migrations`), and bootstrap passes those folders in, so the
platform never names a module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import proctor

MIGRATIONS = Path(proctor.__file__).parent / "migrations"


def alembic_config(url: str, locations: Sequence[Path] = ()) -> AlembicConfig:
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


def is_current(url: str, locations: Sequence[Path] = ()) -> bool:
    cfg = alembic_config(_engine_url(url), locations)
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def upgrade_to_head(url: str, locations: Sequence[Path] = ()) -> None:
    if is_current(url, locations):
        return
    command.upgrade(alembic_config(_engine_url(url), locations), "heads")
