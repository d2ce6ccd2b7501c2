"""Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from proctor.bootstrap import migration_folders, specs
from proctor.platform.migrate import upgrade_to_head
from proctor.store.db import create_engine
from proctor.store.schema import UNMANAGED_PREFIXES, metadata


def _managed(name, type_, parent_names) -> bool:
    return not (name and any(name.startswith(p) for p in UNMANAGED_PREFIXES))


def test_migrated_schema_matches_the_declared_tables(tmp_path, db_url):
    specs()  # every module's tables join the metadata
    url = db_url or f"sqlite+pysqlite:///{tmp_path / 'schema.db'}"
    upgrade_to_head(url, migration_folders())
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": _managed}
            )
            diff = compare_metadata(ctx, metadata)
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert {"journal_events", "journal_heads", "alerts", "cases", "control_runs", "users", "blobs"} <= tables


def test_upgrading_twice_is_a_no_op(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'twice.db'}"
    upgrade_to_head(url, migration_folders())
    upgrade_to_head(url, migration_folders())
