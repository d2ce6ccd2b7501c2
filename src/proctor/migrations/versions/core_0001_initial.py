"""Platform core: journal, blobs, users, alerts, cases, notes, control runs.

Revision ID: core_0001
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("subject_kind", sa.String(80), nullable=False),
        sa.Column("subject_id", sa.String(300), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_journal_events"),
    )
    op.create_index("ix_journal_events_subject", "journal_events", ["subject_id", "subject_kind"])
    op.create_table(
        "journal_heads",
        sa.Column("tree_size", sa.BigInteger, autoincrement=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name="pk_journal_heads"),
    )
    op.create_table(
        "journal_state",
        sa.Column("id", sa.Integer, autoincrement=False),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("frontier", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal_state"),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64)),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("stored_size", sa.BigInteger, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(100)),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("identities", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_users"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(40)),
        sa.Column("control", sa.String(120), nullable=False),
        sa.Column("module", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(160), nullable=False),
        sa.Column("rule_version", sa.String(40), nullable=False),
        sa.Column("params_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("severity_rank", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=True),
        sa.Column("subjects", sa.JSON, nullable=False),
        sa.Column("subject_text", sa.String(1000), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("evidence_type", sa.String(40), nullable=False),
        sa.Column("contains_npi", sa.Boolean, nullable=False),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("run_id", sa.String(40), nullable=True),
        sa.Column("requires_approval", sa.Boolean, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=True),
        sa.Column("proposed_disposition", sa.String(20), nullable=True),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("rationale", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_status_created", "alerts", ["status", "created_at"])
    op.create_index("ix_alerts_created", "alerts", ["created_at"])
    op.create_index("ix_alerts_control", "alerts", ["control"])
    op.create_index("ix_alerts_module", "alerts", ["module"])
    op.create_index("ix_alerts_assignee_status", "alerts", ["assignee", "status"])
    op.create_index("ix_alerts_dedupe", "alerts", ["dedupe_key"])
    op.create_index("ix_alerts_case", "alerts", ["case_id"])
    op.create_index("ix_alerts_severity_created", "alerts", ["severity_rank", "created_at"])
    op.create_index("ix_alerts_due", "alerts", ["due_at"])
    op.create_table(
        "cases",
        sa.Column("id", sa.String(40)),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("rationale", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_table(
        "notes",
        sa.Column("id", sa.String(40)),
        sa.Column("subject_kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notes"),
    )
    op.create_index("ix_notes_subject", "notes", ["subject_kind", "subject_id"])
    op.create_table(
        "control_runs",
        sa.Column("id", sa.String(40)),
        sa.Column("control", sa.String(120), nullable=False),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("input_count", sa.BigInteger, nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("alerts_raised", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_control_runs"),
    )
    op.create_index("ix_control_runs_control_asof", "control_runs", ["control", "as_of"])
    op.create_table(
        "control_catalog",
        sa.Column("name", sa.String(120)),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_control_catalog"),
    )


def downgrade() -> None:
    for table in [
        "control_catalog",
        "control_runs",
        "notes",
        "cases",
        "alerts",
        "users",
        "blobs",
        "journal_state",
        "journal_heads",
        "journal_events",
    ]:
        op.drop_table(table)
