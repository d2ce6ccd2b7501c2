"""Tables for retention schedules, legal holds and disposals of captured communications.

All are journaled: SEA 17a-4 asks that a firm can show which retention rule applied to a record,
who placed or released a hold and why, and who approved the destruction of a record. Each row's
state is hashed into the journal when written, so `proctor journal verify` finds any later edit.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

retention_versions = journaled(
    sa.Table(
        "comms_retention_versions",
        metadata,
        sa.Column("version", sa.String(60), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("schedule", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Index("ix_comms_retention_versions_status", "status", "effective_from"),
    ),
    "comms.retention_version",
)

holds = journaled(
    sa.Table(
        "comms_holds",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("matter", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("placed_by", sa.String(100), nullable=False),
        sa.Column("placed_at", UTCDateTime, nullable=False),
        sa.Column("matched_at_placement", sa.Integer, nullable=False),
        sa.Column("released_by", sa.String(100), nullable=True),
        sa.Column("released_at", UTCDateTime, nullable=True),
        sa.Column("release_reason", sa.Text, nullable=True),
        sa.Index("ix_comms_holds_status", "status"),
    ),
    "comms.hold",
)

# One row per (hold, record) the hold covers. The key is "<hold id>:<record id>" so that each
# addition to a hold is one journaled row; a released hold keeps its rows as the record of what
# it covered.
hold_items = journaled(
    sa.Table(
        "comms_hold_items",
        metadata,
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("hold_id", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Index("ix_comms_hold_items_record", "record_id"),
        sa.Index("ix_comms_hold_items_hold", "hold_id"),
    ),
    "comms.hold_item",
)

disposals = journaled(
    sa.Table(
        "comms_disposals",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cutoff", UTCDateTime, nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("record_ids", sa.JSON, nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.JSON, nullable=True),
        sa.Index("ix_comms_disposals_status", "status"),
    ),
    "comms.disposal",
)
