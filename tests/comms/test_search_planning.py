"""On PostgreSQL the archive's search table is planned from fine statistics, without parallel scans."""

from __future__ import annotations

import sqlalchemy as sa

from proctor.bootstrap import migration_folders, specs
from proctor.platform.migrate import upgrade_to_head
from proctor.store.db import create_engine


def test_the_full_text_column_keeps_fine_statistics_and_scans_stay_serial(postgres_url: str) -> None:
    specs()
    upgrade_to_head(postgres_url, migration_folders())
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            target = conn.execute(
                sa.text(
                    "SELECT attstattarget FROM pg_attribute "
                    "WHERE attrelid = 'comms_search'::regclass AND attname = 'comms_fts_tsv'"
                )
            ).scalar_one()
            options = conn.execute(
                sa.text("SELECT reloptions FROM pg_class WHERE oid = 'comms_search'::regclass")
            ).scalar_one()
    finally:
        engine.dispose()
    assert target == 1000
    assert "parallel_workers=0" in options
