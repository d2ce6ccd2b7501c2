"""Trading: import batches, Parquet partitions of market data and trades, checks of record.

Revision ID: trading_0001
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "trading_0001"
down_revision = None
branch_labels = ("trading",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "trading_imports",
        sa.Column("id", sa.String(40)),
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
        sa.PrimaryKeyConstraint("id", name="pk_trading_imports"),
    )
    op.create_index("ix_trading_imports_source", "trading_imports", ["source_sha256", "kind"])
    op.create_table(
        "trading_files",
        sa.Column("id", sa.String(120)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("symbol", sa.String(40), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trading_files"),
    )
    op.create_index("ix_trading_files_day", "trading_files", ["kind", "day", "symbol"])
    op.create_table(
        "trading_checks",
        sa.Column("id", sa.String(40)),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("engine", sa.String(10), nullable=False),
        sa.Column("rule_version", sa.String(100), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("results_blob", sa.String(64), nullable=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trading_checks"),
    )
    op.create_index("ix_trading_checks_day", "trading_checks", ["day"])


def downgrade() -> None:
    op.drop_table("trading_checks")
    op.drop_table("trading_files")
    op.drop_table("trading_imports")
