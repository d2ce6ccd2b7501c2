"""The review module's tables: policy versions, evaluations, review items, exemptions and coverage
reports. The firm directory and the supervision hierarchy belong to the platform
(:mod:`proctor.platform.tables`).

Every table that records a decision or a fact an examiner may ask about is journaled, so its rows
can be checked against the tamper-evident log: which policy version was approved by whom, which
message was evaluated under which version and why it was (or was not) selected, which exemption
was approved, and what each coverage report said. Only the selection cursor is plain: it is a
bookmark that can be rebuilt from the evaluations.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

POLICY_STATUSES = ("proposed", "active", "superseded", "rejected")
EXEMPTION_STATUSES = ("proposed", "approved", "revoked")

policy_versions = journaled(
    sa.Table(
        "review_policy_versions",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_review_policy_versions_policy_status", "policy_id", "status"),
        sa.Index("ix_review_policy_versions_hash", "version_hash"),
    ),
    "review.policy_version",
)

evaluations = journaled(
    sa.Table(
        "review_evaluations",
        metadata,
        sa.Column("id", sa.String(120), primary_key=True),
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
        sa.UniqueConstraint("version_id", "message_id", name="uq_review_evaluations_version_message"),
        sa.Index("ix_review_evaluations_message", "message_id"),
        sa.Index("ix_review_evaluations_source", "source"),
    ),
    "review.evaluation",
)

# The bookmark per policy version: every message up to `last_message_id` (in capture order) has
# been evaluated or deliberately skipped (a journaling copy), so the next run reads from there.
cursors = sa.Table(
    "review_cursors",
    metadata,
    sa.Column("version_id", sa.String(40), primary_key=True),
    sa.Column("last_message_id", sa.String(64), nullable=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

items = journaled(
    sa.Table(
        "review_items",
        metadata,
        sa.Column("alert_id", sa.String(40), primary_key=True),
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
        sa.Index("ix_review_items_policy_message", "policy_id", "message_id"),
        sa.Index("ix_review_items_principal", "principal"),
    ),
    "review.item",
)

exemptions = journaled(
    sa.Table(
        "review_exemptions",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_at", UTCDateTime, nullable=True),
        sa.Index("ix_review_exemptions_target", "target"),
    ),
    "review.exemption",
)

coverage_reports = journaled(
    sa.Table(
        "review_coverage_reports",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("gaps", sa.Integer, nullable=False),
        sa.Column("exempt", sa.Integer, nullable=False),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Index("ix_review_coverage_reports_as_of", "as_of"),
    ),
    "review.coverage_report",
)
