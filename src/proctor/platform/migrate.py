"""Alembic, driven from code: one migration history per module, all upgraded to their heads."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import proctor

MIGRATIONS = Path(proctor.__file__).parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _engine_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_current(url: str) -> bool:
    cfg = alembic_config(_engine_url(url))
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def upgrade_to_head(url: str) -> None:
    if is_current(url):
        return
    command.upgrade(alembic_config(_engine_url(url)), "heads")
