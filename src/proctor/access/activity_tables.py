"""Records of activity logs and Reg S-P incidents.

Every table is journaled: an activity import (the bytes' hash, what was stored and what was
quarantined with line and reason), each Parquet file it wrote (its SHA-256, so a file changed on
disk is caught), the expected arrival cadence of each system's log, each incident's current state
and every step taken on it. The incident's steps are insert-only, so the timeline an examiner reads
is the journal's own order, with who and when.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

activity_imports = journaled(
    sa.Table(
        "access_activity_imports",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_access_activity_imports_system", "system", "as_of"),
        sa.Index("ix_access_activity_imports_sha", "raw_sha256"),
    ),
    "access.activity_import",
)

activity_files = journaled(
    sa.Table(
        "access_activity_files",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("first_ts", UTCDateTime, nullable=False),
        sa.Column("last_ts", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_access_activity_files_system", "system", "day"),
        sa.Index("ix_access_activity_files_import", "import_id"),
    ),
    "access.activity_file",
)

activity_sources = journaled(
    sa.Table(
        "access_activity_sources",
        metadata,
        sa.Column("system", sa.String(100), primary_key=True),
        sa.Column("cadence_seconds", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    ),
    "access.activity_source",
)

incidents = journaled(
    sa.Table(
        "access_incidents",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_access_incidents_status", "status"),
    ),
    "access.incident",
)

incident_steps = journaled(
    sa.Table(
        "access_incident_steps",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=True),
        sa.Index("ix_access_incident_steps_incident", "incident_id", "recorded_at"),
    ),
    "access.incident_step",
)
