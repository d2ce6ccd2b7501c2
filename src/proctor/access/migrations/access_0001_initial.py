"""Access: HR snapshots and people, systems, rosters and accounts, correlation, agreements, tasks,
certification campaigns.

Revision ID: access_0001
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "access_0001"
down_revision = None
branch_labels = ("access",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "access_hr_snapshots",
        sa.Column("id", sa.String(40)),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("column_map", sa.String(100), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("rows_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("quarantined", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_hr_snapshots"),
    )
    op.create_index("ix_access_hr_snapshots_as_of", "access_hr_snapshots", ["as_of"])
    op.create_table(
        "access_people",
        sa.Column("employee_id", sa.String(100)),
        sa.Column("first_name", sa.String(200), nullable=False),
        sa.Column("middle_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("last_name", sa.String(200), nullable=False),
        sa.Column("work_email", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("worker_type", sa.String(20), nullable=False),
        sa.Column("manager_id", sa.String(100), nullable=False),
        sa.Column("crd_number", sa.String(20), nullable=False),
        sa.Column("u5_filed", sa.String(20), nullable=False),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("spans", sa.JSON, nullable=False),
        sa.Column("first_snapshot", sa.String(40), nullable=False),
        sa.Column("last_snapshot", sa.String(40), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("employee_id", name="pk_access_people"),
    )
    op.create_table(
        "access_hr_events",
        sa.Column("id", sa.String(200)),
        sa.Column("employee_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("effective", UTCDateTime, nullable=True),
        sa.Column("snapshot_id", sa.String(40), nullable=False),
        sa.Column("known_at", UTCDateTime, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_hr_events"),
    )
    op.create_index("ix_access_hr_events_employee", "access_hr_events", ["employee_id"])
    op.create_table(
        "access_systems",
        sa.Column("name", sa.String(100)),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("npi", sa.Boolean, nullable=False),
        sa.Column("sla_seconds", sa.Integer, nullable=False),
        sa.Column("vendor_contact", sa.String(300), nullable=False),
        sa.Column("roster_cadence_seconds", sa.Integer, nullable=False),
        sa.Column("description", sa.String(None), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_access_systems"),
    )
    op.create_table(
        "access_roster_snapshots",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("rows_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("quarantined", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_roster_snapshots"),
    )
    op.create_index("ix_access_roster_snapshots_system", "access_roster_snapshots", ["system", "as_of"])
    op.create_table(
        "access_accounts",
        sa.Column("id", sa.String(400)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(300), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created", UTCDateTime, nullable=True),
        sa.Column("last_login", UTCDateTime, nullable=True),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("removed_at", UTCDateTime, nullable=True),
        sa.Column("last_snapshot", sa.String(40), nullable=False),
        sa.Column("situation", sa.String(20), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_accounts"),
    )
    op.create_index("ix_access_accounts_employee", "access_accounts", ["employee_id"])
    op.create_index("ix_access_accounts_system", "access_accounts", ["system", "login_id"])
    op.create_table(
        "access_links",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("situation", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("valid_from", UTCDateTime, nullable=False),
        sa.Column("valid_to", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_links"),
    )
    op.create_index("ix_access_links_login", "access_links", ["system", "login_id"])
    op.create_table(
        "access_correlation_decisions",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("rationale", sa.String(None), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_correlation_decisions"),
    )
    op.create_index(
        "ix_access_correlation_decisions_login", "access_correlation_decisions", ["system", "login_id"]
    )
    op.create_table(
        "access_agreements",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(300), nullable=False),
        sa.Column("sunset_date", sa.Date, nullable=False),
        sa.Column("import_sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_agreements"),
    )
    op.create_index("ix_access_agreements_system", "access_agreements", ["system", "employee_id"])
    op.create_table(
        "access_tasks",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("trigger", sa.String(200), nullable=False),
        sa.Column("effective", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("action", sa.JSON, nullable=False),
        sa.Column("outbox_file", sa.String(500), nullable=False),
        sa.Column("message_sha256", sa.String(64), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("closed_by_snapshot", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_tasks"),
    )
    op.create_index("ix_access_tasks_system", "access_tasks", ["system", "status"])
    op.create_table(
        "access_campaigns",
        sa.Column("id", sa.String(40)),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("roster_snapshot", sa.String(40), nullable=True),
        sa.Column("note", sa.String(None), nullable=False),
        sa.Column("reminded_at", UTCDateTime, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("completed_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_campaigns"),
    )
    op.create_table(
        "access_campaign_lines",
        sa.Column("id", sa.String(40)),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("decision", sa.String(10), nullable=True),
        sa.Column("rationale", sa.String(None), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("task_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_campaign_lines"),
    )
    op.create_index("ix_access_campaign_lines_campaign", "access_campaign_lines", ["campaign_id"])


def downgrade() -> None:
    op.drop_table("access_campaign_lines")
    op.drop_table("access_campaigns")
    op.drop_table("access_tasks")
    op.drop_table("access_agreements")
    op.drop_table("access_correlation_decisions")
    op.drop_table("access_links")
    op.drop_table("access_accounts")
    op.drop_table("access_roster_snapshots")
    op.drop_table("access_systems")
    op.drop_table("access_hr_events")
    op.drop_table("access_people")
    op.drop_table("access_hr_snapshots")
