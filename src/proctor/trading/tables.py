"""The trading module's records: import batches, stored Parquet partitions and checks of record.

Quotes are far too many to journal one by one; what is journaled is each Parquet partition file
(one symbol-day of one kind) by its content hash, and each import batch with its quarantine.
That proves which market data a check saw without putting millions of leaves in the journal.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

imports = journaled(
    sa.Table(
        "trading_imports",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False),
        sa.Column("rows_stored", sa.BigInteger, nullable=False),
        sa.Column("quarantined", sa.BigInteger, nullable=False),
        sa.Column("quarantine_blob", sa.String(64), nullable=True),
        sa.Column("partitions", sa.JSON, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.Index("ix_trading_imports_source", "source_sha256", "kind"),
    ),
    "trading.import",
)

files = journaled(
    sa.Table(
        "trading_files",
        metadata,
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("symbol", sa.String(40), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_trading_files_day", "kind", "day", "symbol"),
    ),
    "trading.file",
)

checks = journaled(
    sa.Table(
        "trading_checks",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("engine", sa.String(10), nullable=False),
        sa.Column("rule_version", sa.String(100), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("results_blob", sa.String(64), nullable=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_trading_checks_day", "day"),
    ),
    "trading.check",
)
