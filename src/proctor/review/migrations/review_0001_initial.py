"""Review: policy versions, evaluations, items, exemptions, coverage reports.

The firm directory and supervision tables it once created are the platform's (``core_0002``).

Revision ID: review_0001
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "review_0001"
down_revision = None
branch_labels = ("review",)
depends_on = ["core_0001", "core_0002", "comms_0001"]


def upgrade() -> None:
    op.create_table(
        "review_policy_versions",
        sa.Column("id", sa.String(40)),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("sla_business_days", sa.Integer, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("superseded_by", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_policy_versions"),
    )
    op.create_index(
        "ix_review_policy_versions_policy_status", "review_policy_versions", ["policy_id", "status"]
    )
    op.create_index("ix_review_policy_versions_hash", "review_policy_versions", ["version_hash"])
    op.create_table(
        "review_evaluations",
        sa.Column("id", sa.String(120)),
        sa.Column("version_id", sa.String(40), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("evaluated_at", UTCDateTime, nullable=False),
        sa.Column("in_scope", sa.Boolean, nullable=False),
        sa.Column("covered", sa.JSON, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("selected", sa.Boolean, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("alert_id", sa.String(40), nullable=True),
        sa.Column("earlier_alert_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_evaluations"),
        sa.UniqueConstraint("version_id", "message_id", name="uq_review_evaluations_version_message"),
    )
    op.create_index("ix_review_evaluations_message", "review_evaluations", ["message_id"])
    op.create_index("ix_review_evaluations_source", "review_evaluations", ["source"])
    op.create_table(
        "review_cursors",
        sa.Column("version_id", sa.String(40)),
        sa.Column("last_message_id", sa.String(64), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("version_id", name="pk_review_cursors"),
    )
    op.create_table(
        "review_items",
        sa.Column("alert_id", sa.String(40)),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("version_id", sa.String(40), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("kinds", sa.JSON, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("covered", sa.JSON, nullable=False),
        sa.Column("participants", sa.JSON, nullable=False),
        sa.Column("selected_at", UTCDateTime, nullable=False),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("principal", sa.String(100), nullable=True),
        sa.Column("routed_to", sa.String(100), nullable=True),
        sa.Column("routing", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("alert_id", name="pk_review_items"),
    )
    op.create_index("ix_review_items_policy_message", "review_items", ["policy_id", "message_id"])
    op.create_index("ix_review_items_principal", "review_items", ["principal"])
    op.create_table(
        "review_exemptions",
        sa.Column("id", sa.String(40)),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_exemptions"),
    )
    op.create_index("ix_review_exemptions_target", "review_exemptions", ["target"])
    op.create_table(
        "review_coverage_reports",
        sa.Column("id", sa.String(40)),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("gaps", sa.Integer, nullable=False),
        sa.Column("exempt", sa.Integer, nullable=False),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_coverage_reports"),
    )
    op.create_index("ix_review_coverage_reports_as_of", "review_coverage_reports", ["as_of"])


def downgrade() -> None:
    for table in [
        "review_coverage_reports",
        "review_exemptions",
        "review_items",
        "review_cursors",
        "review_evaluations",
        "review_policy_versions",
    ]:
        op.drop_table(table)
