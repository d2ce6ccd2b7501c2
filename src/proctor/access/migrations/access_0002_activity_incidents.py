"""Access: activity log imports and their Parquet files, log cadences, Reg S-P incidents and steps.

Revision ID: access_0002
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "access_0002"
down_revision = "access_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_activity_imports",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("quarantined", sa.JSON, nullable=False),
        sa.Column("first_ts", UTCDateTime, nullable=True),
        sa.Column("last_ts", UTCDateTime, nullable=True),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_activity_imports"),
    )
    op.create_index("ix_access_activity_imports_system", "access_activity_imports", ["system", "as_of"])
    op.create_index("ix_access_activity_imports_sha", "access_activity_imports", ["raw_sha256"])
    op.create_table(
        "access_activity_files",
        sa.Column("id", sa.String(40)),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("first_ts", UTCDateTime, nullable=False),
        sa.Column("last_ts", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_activity_files"),
    )
    op.create_index("ix_access_activity_files_system", "access_activity_files", ["system", "day"])
    op.create_index("ix_access_activity_files_import", "access_activity_files", ["import_id"])
    op.create_table(
        "access_activity_sources",
        sa.Column("system", sa.String(100)),
        sa.Column("cadence_seconds", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("system", name="pk_access_activity_sources"),
    )
    op.create_table(
        "access_incidents",
        sa.Column("id", sa.String(40)),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("aware_at", UTCDateTime, nullable=False),
        sa.Column("alert_ids", sa.JSON, nullable=False),
        sa.Column("accounts", sa.JSON, nullable=False),
        sa.Column("sensitive", sa.String(20), nullable=False),
        sa.Column("notice_status", sa.String(30), nullable=False),
        sa.Column("customer_deadline", UTCDateTime, nullable=False),
        sa.Column("ag_delay_until", UTCDateTime, nullable=True),
        sa.Column("customers_notified_at", UTCDateTime, nullable=True),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("provider_aware_at", UTCDateTime, nullable=True),
        sa.Column("provider_deadline", UTCDateTime, nullable=True),
        sa.Column("provider_notified_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_incidents"),
    )
    op.create_index("ix_access_incidents_status", "access_incidents", ["status"])
    op.create_table(
        "access_incident_steps",
        sa.Column("id", sa.String(40)),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_incident_steps"),
    )
    op.create_index(
        "ix_access_incident_steps_incident", "access_incident_steps", ["incident_id", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_table("access_incident_steps")
    op.drop_table("access_incidents")
    op.drop_table("access_activity_sources")
    op.drop_table("access_activity_files")
    op.drop_table("access_activity_imports")
