"""Trading: pre-route tag rules and FINRA report card imports.

Revision ID: trading_0002
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "trading_0002"
down_revision = "trading_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trading_tag_rules",
        sa.Column("id", sa.String(40)),
        sa.Column("venue", sa.String(10), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trading_tag_rules"),
    )
    op.create_index("ix_trading_tag_rules_venue", "trading_tag_rules", ["venue", "status"])
    op.create_table(
        "trading_reportcards",
        sa.Column("id", sa.String(40)),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("quarantined", sa.BigInteger, nullable=False),
        sa.Column("first_day", sa.Date, nullable=True),
        sa.Column("last_day", sa.Date, nullable=True),
        sa.Column("reconciliation", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trading_reportcards"),
    )


def downgrade() -> None:
    op.drop_table("trading_reportcards")
    op.drop_index("ix_trading_tag_rules_venue", table_name="trading_tag_rules")
    op.drop_table("trading_tag_rules")
