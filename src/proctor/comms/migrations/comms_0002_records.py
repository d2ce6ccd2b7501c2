"""Communications records management: retention schedule versions, legal holds, disposals.

Revision ID: comms_0002
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "comms_0002"
down_revision = "comms_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comms_retention_versions",
        sa.Column("version", sa.String(60)),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("schedule", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("version", name="pk_comms_retention_versions"),
    )
    op.create_index(
        "ix_comms_retention_versions_status", "comms_retention_versions", ["status", "effective_from"]
    )
    op.create_table(
        "comms_holds",
        sa.Column("id", sa.String(40)),
        sa.Column("matter", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("placed_by", sa.String(100), nullable=False),
        sa.Column("placed_at", UTCDateTime, nullable=False),
        sa.Column("matched_at_placement", sa.Integer, nullable=False),
        sa.Column("released_by", sa.String(100), nullable=True),
        sa.Column("released_at", UTCDateTime, nullable=True),
        sa.Column("release_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_comms_holds"),
    )
    op.create_index("ix_comms_holds_status", "comms_holds", ["status"])
    op.create_table(
        "comms_hold_items",
        sa.Column("id", sa.String(120)),
        sa.Column("hold_id", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comms_hold_items"),
    )
    op.create_index("ix_comms_hold_items_record", "comms_hold_items", ["record_id"])
    op.create_index("ix_comms_hold_items_hold", "comms_hold_items", ["hold_id"])
    op.create_table(
        "comms_disposals",
        sa.Column("id", sa.String(40)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cutoff", UTCDateTime, nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("record_ids", sa.JSON, nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_comms_disposals"),
    )
    op.create_index("ix_comms_disposals_status", "comms_disposals", ["status"])


def downgrade() -> None:
    op.drop_table("comms_disposals")
    op.drop_table("comms_hold_items")
    op.drop_table("comms_holds")
    op.drop_table("comms_retention_versions")
