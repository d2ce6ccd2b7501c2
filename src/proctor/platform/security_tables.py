"""Tables behind authentication and supervised settings.

API tokens and settings are journaled records (a token slipped into the table, or a threshold
changed behind Proctor's back, is found by `proctor journal verify`). Web sessions and failed
sign-in counters are operational state shared by every server process through the database, so a
logout or a lockout holds wherever the next request lands, and across restarts.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

user_tokens = journaled(
    sa.Table(
        "user_tokens",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
    ),
    "user_token",
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("sid_sha256", sa.String(64), primary_key=True),
    sa.Column("user", sa.String(100), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Index("ix_web_sessions_user", "user"),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("scope", sa.String(300), primary_key=True),  # "user:carl" or "address:10.0.0.7"
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("first_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime, nullable=True),
)

settings = journaled(
    sa.Table(
        "platform_settings",
        metadata,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("change_id", sa.String(40), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    ),
    "setting",
)

setting_changes = journaled(
    sa.Table(
        "platform_setting_changes",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
    ),
    "setting_change",
)
