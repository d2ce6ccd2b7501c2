"""The access module's records: HR snapshots and people, systems, roster snapshots and accounts,
correlation decisions and links, transitional agreements, deprovisioning tasks, certifications.

Every table is journaled. `last_snapshot` on people and accounts names the snapshot that last
changed the row (a person or account seen again unchanged is proven by the snapshot record itself,
not by rewriting every row). The snapshots themselves (the bytes as exported and the parsed rows) are
blobs whose hashes the snapshot rows carry, so a leaver's history and the proof that an account was
gone can be re-created, as of the export's own date, long after the fact.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

hr_snapshots = journaled(
    sa.Table(
        "access_hr_snapshots",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_access_hr_snapshots_as_of", "as_of"),
    ),
    "access.hr_snapshot",
)

people = journaled(
    sa.Table(
        "access_people",
        metadata,
        sa.Column("employee_id", sa.String(100), primary_key=True),
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
    ),
    "access.person",
)

hr_events = journaled(
    sa.Table(
        "access_hr_events",
        metadata,
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("employee_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("effective", UTCDateTime, nullable=True),
        sa.Column("snapshot_id", sa.String(40), nullable=False),
        sa.Column("known_at", UTCDateTime, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Index("ix_access_hr_events_employee", "employee_id"),
    ),
    "access.hr_event",
)

systems = journaled(
    sa.Table(
        "access_systems",
        metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("npi", sa.Boolean, nullable=False),
        sa.Column("sla_seconds", sa.Integer, nullable=False),
        sa.Column("vendor_contact", sa.String(300), nullable=False),
        sa.Column("roster_cadence_seconds", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    ),
    "access.system",
)

roster_snapshots = journaled(
    sa.Table(
        "access_roster_snapshots",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_access_roster_snapshots_system", "system", "as_of"),
    ),
    "access.roster_snapshot",
)

accounts = journaled(
    sa.Table(
        "access_accounts",
        metadata,
        sa.Column("id", sa.String(400), primary_key=True),
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
        sa.Index("ix_access_accounts_system", "system", "login_id"),
        sa.Index("ix_access_accounts_employee", "employee_id"),
    ),
    "access.account",
)

links = journaled(
    sa.Table(
        "access_links",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("situation", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("valid_from", UTCDateTime, nullable=False),
        sa.Column("valid_to", UTCDateTime, nullable=True),
        # the digest of the correlation rule table the link was made under ("": before versioning)
        sa.Column("rules_digest", sa.String(64), nullable=False, server_default=""),
        sa.Index("ix_access_links_login", "system", "login_id"),
    ),
    "access.link",
)

decisions = journaled(
    sa.Table(
        "access_correlation_decisions",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Index("ix_access_correlation_decisions_login", "system", "login_id"),
    ),
    "access.correlation_decision",
)

agreements = journaled(
    sa.Table(
        "access_agreements",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_access_agreements_system", "system", "employee_id"),
    ),
    "access.agreement",
)

tasks = journaled(
    sa.Table(
        "access_tasks",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_access_tasks_system", "system", "status"),
    ),
    "access.task",
)

campaigns = journaled(
    sa.Table(
        "access_campaigns",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("roster_snapshot", sa.String(40), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("reminded_at", UTCDateTime, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("completed_at", UTCDateTime, nullable=True),
    ),
    "access.campaign",
)

campaign_lines = journaled(
    sa.Table(
        "access_campaign_lines",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("login_id", sa.String(300), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("decision", sa.String(10), nullable=True),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("task_id", sa.String(40), nullable=True),
        sa.Index("ix_access_campaign_lines_campaign", "campaign_id"),
    ),
    "access.campaign_line",
)

rule_versions = journaled(
    sa.Table(
        "access_rule_versions",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
    ),
    "access.rule_version",
)
