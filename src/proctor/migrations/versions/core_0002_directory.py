"""Platform: the firm directory and the supervision hierarchy (shared by every module).

These tables were first created by the review module's history under the same names; a workspace
that already has them keeps them (and their rows) as they are.

Revision ID: core_0002
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None

TABLES = ("review_supervision", "review_delegates", "review_directory")


def upgrade() -> None:
    if set(TABLES) <= set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "review_supervision",
        sa.Column("person", sa.String(300)),
        sa.Column("principal", sa.String(100), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("person", name="pk_review_supervision"),
    )
    op.create_index("ix_review_supervision_principal", "review_supervision", ["principal"])
    op.create_table(
        "review_delegates",
        sa.Column("id", sa.String(210)),
        sa.Column("principal", sa.String(100), nullable=False),
        sa.Column("delegate", sa.String(100), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_delegates"),
    )
    op.create_index("ix_review_delegates_principal", "review_delegates", ["principal"])
    op.create_table(
        "review_directory",
        sa.Column("id", sa.String(300)),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(300), nullable=True),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("platform", sa.String(120), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_directory"),
    )
    op.create_index("ix_review_directory_kind", "review_directory", ["kind"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
