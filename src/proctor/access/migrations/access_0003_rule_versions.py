"""Access: correlation rules as a versioned, approved table; each link names the rules it was made under.

Revision ID: access_0003
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "access_0003"
down_revision = "access_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_rule_versions",
        sa.Column("id", sa.String(40)),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("approvals", sa.JSON, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_access_rule_versions"),
    )
    op.add_column(
        "access_links", sa.Column("rules_digest", sa.String(64), nullable=False, server_default="")
    )
    # free-text columns access_0001 created as unbounded VARCHAR: the tables declare TEXT
    for table, column, default in TEXT_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                type_=sa.Text(),
                existing_type=sa.String(),
                existing_nullable=False,
                existing_server_default=default,
            )


TEXT_COLUMNS = (
    ("access_systems", "description", ""),
    ("access_correlation_decisions", "rationale", None),
    ("access_campaigns", "note", None),
    ("access_campaign_lines", "rationale", None),
)


def downgrade() -> None:
    for table, column, default in TEXT_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                type_=sa.String(),
                existing_type=sa.Text(),
                existing_nullable=False,
                existing_server_default=default,
            )
    with op.batch_alter_table("access_links") as batch:
        batch.drop_column("rules_digest")
    op.drop_table("access_rule_versions")
