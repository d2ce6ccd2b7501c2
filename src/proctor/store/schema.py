"""The one SQLAlchemy MetaData, the platform's tables, and the mark for journaled tables.

Every module adds its tables to `metadata` in its own tables.py. A table marked with `journaled`
holds records: each row's state is hashed into the journal when written, and `proctor journal
verify` recomputes that hash from the row as stored, so a row changed behind Proctor's back is found.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from proctor.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

# Tables and indexes a migration creates outside SQLAlchemy's model (SQLite FTS5 virtual tables and
# their shadow tables, PostgreSQL GIN indexes): names starting with these prefixes are not compared.
UNMANAGED_PREFIXES: list[str] = []


def unmanaged(prefix: str) -> None:
    """Declare a name prefix for database objects that only migrations manage (e.g. full-text indexes)."""
    if prefix not in UNMANAGED_PREFIXES:
        UNMANAGED_PREFIXES.append(prefix)


JOURNAL_KEY = "journal_subject"
EXCLUDED_KEY = "journal_excluded"


def journaled(table: sa.Table, subject_type: str, exclude: tuple[str, ...] = ()) -> sa.Table:
    """Mark a table as holding journaled records of `subject_type` (single-column primary key)."""
    if len(table.primary_key.columns) != 1:
        raise ValueError(f"journaled table {table.name} needs a single-column primary key")
    table.info[JOURNAL_KEY] = subject_type
    table.info[EXCLUDED_KEY] = frozenset(exclude)
    return table


def journaled_tables() -> list[sa.Table]:
    return [t for t in metadata.sorted_tables if JOURNAL_KEY in t.info]


def primary_key(table: sa.Table) -> sa.Column[Any]:
    return next(iter(table.primary_key.columns))


def record_state(table: sa.Table, row: Any) -> dict[str, Any]:
    """The state of a row as the journal sees it: every column but the excluded ones."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    excluded = table.info.get(EXCLUDED_KEY, frozenset())
    return {c.name: mapping[c.name] for c in table.columns if c.name not in excluded}


journal_events = sa.Table(
    "journal_events",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("ts", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("event_type", sa.String(120), nullable=False),
    sa.Column("subject_kind", sa.String(80), nullable=False),
    sa.Column("subject_id", sa.String(300), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("leaf_hash", sa.String(64), nullable=False),
    sa.Index("ix_journal_events_subject", "subject_id", "subject_kind"),
)

journal_heads = sa.Table(
    "journal_heads",
    metadata,
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("root_hash", sa.String(64), nullable=False),
    sa.Column("ts", sa.String(32), nullable=False),
    sa.Column("signature", sa.String(200), nullable=False),
    sa.Column("public_key", sa.String(64), nullable=False),
)

journal_state = sa.Table(
    "journal_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tree_size", sa.BigInteger, nullable=False),
    sa.Column("frontier", sa.Text, nullable=False),
)

blobs = journaled(
    sa.Table(
        "blobs",
        metadata,
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("stored_size", sa.BigInteger, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    ),
    "blob",
)

users = journaled(
    sa.Table(
        "users",
        metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("identities", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    ),
    "user",
    exclude=("password_hash",),
)

alerts = journaled(
    sa.Table(
        "alerts",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_alerts_status_created", "status", "created_at"),
        sa.Index("ix_alerts_created", "created_at"),
        sa.Index("ix_alerts_control", "control"),
        sa.Index("ix_alerts_module", "module"),
        sa.Index("ix_alerts_assignee_status", "assignee", "status"),
        sa.Index("ix_alerts_dedupe", "dedupe_key"),
        sa.Index("ix_alerts_case", "case_id"),
        sa.Index("ix_alerts_severity_created", "severity_rank", "created_at"),
        sa.Index("ix_alerts_due", "due_at"),
    ),
    "alert",
)

cases = journaled(
    sa.Table(
        "cases",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("rationale", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Index("ix_cases_status", "status"),
    ),
    "case",
)

notes = journaled(
    sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("subject_kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_notes_subject", "subject_kind", "subject_id"),
    ),
    "note",
)

control_runs = journaled(
    sa.Table(
        "control_runs",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
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
        sa.Index("ix_control_runs_control_asof", "control", "as_of"),
    ),
    "control_run",
)

control_catalog = sa.Table(
    "control_catalog",
    metadata,
    sa.Column("name", sa.String(120), primary_key=True),
    sa.Column("first_seen", UTCDateTime, nullable=False),
)
