"""Communications archive: sources, imports, messages, sightings, quarantine, manifests, search index.

Revision ID: comms_0001

The full-text structures are database-specific and outside the declared metadata (their names
start with `comms_fts`): on SQLite an FTS5 table over `comms_search` kept in step by triggers; on
PostgreSQL a stored tsvector column with a GIN index.
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "comms_0001"
down_revision = None
branch_labels = ("comms",)
depends_on = "core_0001"

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE comms_fts USING fts5(subject, text, content='comms_search', "
    "content_rowid='doc', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER comms_fts_insert AFTER INSERT ON comms_search BEGIN "
    "INSERT INTO comms_fts(rowid, subject, text) VALUES (new.doc, new.subject, new.text); END",
    "CREATE TRIGGER comms_fts_delete AFTER DELETE ON comms_search BEGIN "
    "INSERT INTO comms_fts(comms_fts, rowid, subject, text) "
    "VALUES ('delete', old.doc, old.subject, old.text); END",
    "CREATE TRIGGER comms_fts_update AFTER UPDATE ON comms_search BEGIN "
    "INSERT INTO comms_fts(comms_fts, rowid, subject, text) "
    "VALUES ('delete', old.doc, old.subject, old.text); "
    "INSERT INTO comms_fts(rowid, subject, text) VALUES (new.doc, new.subject, new.text); END",
]

# English stemming without a stop-word list, like SQLite's porter tokenizer: a compliance search
# for "not authorized" must not silently become a search for "authorized".
POSTGRES_FTS = [
    "CREATE TEXT SEARCH DICTIONARY comms_fts_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION comms_fts_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION comms_fts_english ALTER MAPPING FOR asciiword, asciihword, "
    "hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart WITH comms_fts_stem",
    "ALTER TABLE comms_search ADD COLUMN comms_fts_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('comms_fts_english'::regconfig, subject || ' ' || text)) STORED",
    "CREATE INDEX comms_fts_gin ON comms_search USING gin (comms_fts_tsv)",
]


def upgrade() -> None:
    op.create_table(
        "comms_sources",
        sa.Column("name", sa.String(120)),
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
        sa.PrimaryKeyConstraint("name", name="pk_comms_sources"),
    )
    op.create_table(
        "comms_imports",
        sa.Column("id", sa.String(40)),
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
        sa.PrimaryKeyConstraint("id", name="pk_comms_imports"),
    )
    op.create_index("ix_comms_imports_source_status", "comms_imports", ["source", "status"])
    op.create_table(
        "comms_messages",
        sa.Column("id", sa.String(64)),
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
        sa.PrimaryKeyConstraint("id", name="pk_comms_messages"),
    )
    op.create_index("ix_comms_messages_source_sent", "comms_messages", ["source", "sent_at"])
    op.create_index("ix_comms_messages_sent_at", "comms_messages", ["sent_at"])
    op.create_index("ix_comms_messages_import", "comms_messages", ["import_id"])
    op.create_index("ix_comms_messages_copy_key", "comms_messages", ["copy_key"])
    op.create_index("ix_comms_messages_canonical", "comms_messages", ["canonical_id"])
    op.create_table(
        "comms_sightings",
        sa.Column("id", sa.String(64)),
        sa.Column("message", sa.String(64), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comms_sightings"),
    )
    op.create_index("ix_comms_sightings_source_sent", "comms_sightings", ["source", "sent_at"])
    op.create_index("ix_comms_sightings_message", "comms_sightings", ["message"])
    op.create_table(
        "comms_quarantine",
        sa.Column("id", sa.String(64)),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("import_id", sa.String(40), nullable=False),
        sa.Column("format", sa.String(30), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("quarantined_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comms_quarantine"),
    )
    op.create_index("ix_comms_quarantine_source", "comms_quarantine", ["source"])
    op.create_index("ix_comms_quarantine_import", "comms_quarantine", ["import_id"])
    op.create_table(
        "comms_manifests",
        sa.Column("id", sa.String(40)),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("ids", sa.JSON, nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comms_manifests"),
    )
    op.create_index("ix_comms_manifests_source_day", "comms_manifests", ["source", "day"])
    op.create_table(
        "comms_search",
        sa.Column("doc", sa.Integer, autoincrement=True),
        sa.Column("message", sa.String(64), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("has_attachments", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sender", sa.String(500), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("doc", name="pk_comms_search"),
        sa.UniqueConstraint("message", name="uq_comms_search_message"),
    )
    op.create_index("ix_comms_search_source_sent", "comms_search", ["source", "sent_at"])
    op.create_index("ix_comms_search_sent_at", "comms_search", ["sent_at"])
    op.create_table(
        "comms_participants",
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("doc", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("address", "doc", name="pk_comms_participants"),
    )
    op.create_index("ix_comms_participants_doc", "comms_participants", ["doc"])
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("comms_fts_insert", "comms_fts_delete", "comms_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS comms_fts")
    for table in [
        "comms_participants",
        "comms_search",
        "comms_manifests",
        "comms_quarantine",
        "comms_sightings",
        "comms_messages",
        "comms_imports",
        "comms_sources",
    ]:
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS comms_fts_english")
        op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS comms_fts_stem")
