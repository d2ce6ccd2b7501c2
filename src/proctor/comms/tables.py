"""The archive's tables: sources, import batches, messages, sightings, quarantine, manifests, index.

Records are journaled (each row's state is a leaf in the journal, so `proctor journal verify`
proves it unaltered): the source inventory, every import batch, every stored message, every time a
stored message was seen again from another source, every quarantined item and every count a source
reported. The search index (`comms_search`, `comms_participants` and the full-text structures the
migration adds) is derived data: it can be rebuilt from the records, so it is not journaled, and
the capture-completeness control checks it against the records instead.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata, unmanaged
from proctor.store.types import UTCDateTime

# The SQLite FTS5 table (and its shadow tables and triggers) and the PostgreSQL tsvector column
# and GIN index are created by the migration only.
FTS_PREFIX = "comms_fts"
unmanaged(FTS_PREFIX)

SOURCE_KINDS = (
    "mailbox",
    "group_mailbox",
    "chat_workspace",
    "chat_channel",
    "customer_service",
    "sms_mobile",
)
CAPTURE_STATES = ("connected", "disconnected", "never_connected")

sources = journaled(
    sa.Table(
        "comms_sources",
        metadata,
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("covered", sa.JSON, nullable=False),
        sa.Column("cadence_hours", sa.Integer, nullable=False),
        sa.Column("baseline_daily", sa.Integer, nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("capture_state", sa.String(20), nullable=False),
        sa.Column("connected_at", UTCDateTime, nullable=True),
        sa.Column("review_connected", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    ),
    "comms.source",
)

imports = journaled(
    sa.Table(
        "comms_imports",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("format", sa.String(30), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("read_count", sa.BigInteger, nullable=False),
        sa.Column("stored", sa.BigInteger, nullable=False),
        sa.Column("duplicates", sa.BigInteger, nullable=False),
        sa.Column("sightings", sa.BigInteger, nullable=False),
        sa.Column("quarantined", sa.BigInteger, nullable=False),
        sa.Column("per_day", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Index("ix_comms_imports_source_status", "source", "status"),
    ),
    "comms.import",
)

messages = journaled(
    sa.Table(
        "comms_messages",
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("format", sa.String(30), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=True),
        sa.Column("thread_id", sa.Text, nullable=True),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.Column("sent_at_original", sa.String(40), nullable=False),
        sa.Column("sender", sa.String(500), nullable=False),
        sa.Column("sender_name", sa.String(500), nullable=False),
        sa.Column("participants", sa.JSON, nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("has_attachments", sa.Boolean, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.Text, nullable=True),
        sa.Column("edited_from", sa.Text, nullable=True),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.Column("retain_until", UTCDateTime, nullable=False),
        sa.Column("retention_rule", sa.String(60), nullable=False),
        sa.Column("copy_key", sa.String(64), nullable=True),
        sa.Column("canonical_id", sa.String(64), nullable=True),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.Index("ix_comms_messages_source_sent", "source", "sent_at"),
        sa.Index("ix_comms_messages_sent_at", "sent_at"),
        sa.Index("ix_comms_messages_import", "import_id"),
        sa.Index("ix_comms_messages_copy_key", "copy_key"),
        sa.Index("ix_comms_messages_canonical", "canonical_id"),
    ),
    "comms.message",
)

sightings = journaled(
    sa.Table(
        "comms_sightings",
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("message", sa.String(64), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.Index("ix_comms_sightings_source_sent", "source", "sent_at"),
        sa.Index("ix_comms_sightings_message", "message"),
    ),
    "comms.sighting",
)

quarantine = journaled(
    sa.Table(
        "comms_quarantine",
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("format", sa.String(30), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("quarantined_at", UTCDateTime, nullable=False),
        sa.Index("ix_comms_quarantine_source", "source"),
        sa.Index("ix_comms_quarantine_import", "import_id"),
    ),
    "comms.quarantine",
)

manifests = journaled(
    sa.Table(
        "comms_manifests",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("ids", sa.JSON, nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Index("ix_comms_manifests_source_day", "source", "day"),
    ),
    "comms.manifest",
)

# Derived search index: one row per stored message. `doc` is the full-text row id and the
# monotonic cursor the review module reads new messages by.
search_rows = sa.Table(
    "comms_search",
    metadata,
    sa.Column("doc", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message", sa.String(64), nullable=False),
    sa.Column("source", sa.String(120), nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("has_attachments", sa.Boolean, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("sender", sa.String(500), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.UniqueConstraint("message"),
    sa.Index("ix_comms_search_source_sent", "source", "sent_at"),
    sa.Index("ix_comms_search_sent_at", "sent_at"),
)

# Exact participant filter: every address (lower-cased) that took part in an indexed message.
participants = sa.Table(
    "comms_participants",
    metadata,
    sa.Column("address", sa.String(500), nullable=False),
    sa.Column("doc", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("address", "doc"),
    sa.Index("ix_comms_participants_doc", "doc"),
)
