"""Reserve: input sets, formula versions, computations, sign-offs, change proposals.

Revision ID: reserve_0001
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "reserve_0001"
down_revision = None
branch_labels = ("reserve",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "reserve_input_sets",
        sa.Column("id", sa.String(40)),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("manifest", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("supersedes", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("loaded_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_input_sets"),
    )
    op.create_index("ix_reserve_input_sets_as_of", "reserve_input_sets", ["as_of"])
    op.create_table(
        "reserve_rule_versions",
        sa.Column("digest", sa.String(64)),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(60), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_reserve_rule_versions"),
    )
    op.create_table(
        "reserve_computations",
        sa.Column("id", sa.String(40)),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("book", sa.String(10), nullable=False),
        sa.Column("method", sa.String(12), nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("input_set_id", sa.String(40), nullable=False),
        sa.Column("rules_digest", sa.String(64), nullable=False),
        sa.Column("rules_version", sa.String(100), nullable=False),
        sa.Column("gates", sa.JSON, nullable=False),
        sa.Column("lines", sa.JSON, nullable=False),
        sa.Column("components", sa.JSON, nullable=False),
        sa.Column("totals", sa.JSON, nullable=False),
        sa.Column("requirement", sa.BigInteger, nullable=True),
        sa.Column("on_deposit", sa.BigInteger, nullable=True),
        sa.Column("deficiency", sa.BigInteger, nullable=True),
        sa.Column("deadline", UTCDateTime, nullable=True),
        sa.Column("report_blob", sa.String(64), nullable=True),
        sa.Column("lineage_blob", sa.String(64), nullable=True),
        sa.Column("previous_id", sa.String(40), nullable=True),
        sa.Column("variance", sa.JSON, nullable=False),
        sa.Column("explanations", sa.JSON, nullable=False),
        sa.Column("notice", sa.JSON, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_computations"),
    )
    op.create_index("ix_reserve_computations_as_of", "reserve_computations", ["as_of", "book"])
    op.create_table(
        "reserve_signoffs",
        sa.Column("id", sa.String(40)),
        sa.Column("computation_id", sa.String(40), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("signed_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_signoffs"),
    )
    op.create_table(
        "reserve_proposals",
        sa.Column("id", sa.String(40)),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.Column("base_digest", sa.String(64), nullable=False),
        sa.Column("new_digest", sa.String(64), nullable=False),
        sa.Column("new_version", sa.String(100), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("approvals", sa.JSON, nullable=False),
        sa.Column("replay", sa.JSON, nullable=True),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_proposals"),
    )


def downgrade() -> None:
    op.drop_table("reserve_proposals")
    op.drop_table("reserve_signoffs")
    op.drop_table("reserve_computations")
    op.drop_table("reserve_rule_versions")
    op.drop_table("reserve_input_sets")
