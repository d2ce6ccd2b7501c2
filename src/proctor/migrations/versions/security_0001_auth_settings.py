"""Authentication and supervised settings: API tokens, web sessions, sign-in failures, settings.

Revision ID: security_0001
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "security_0001"
down_revision = None
branch_labels = ("security",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "user_tokens",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_user_tokens"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("sid_sha256", sa.String(64), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("sid_sha256", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user"])
    op.create_table(
        "login_failures",
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", UTCDateTime, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("scope", name="pk_login_failures"),
    )
    op.create_table(
        "platform_settings",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("change_id", sa.String(40), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_platform_settings"),
    )
    op.create_table(
        "platform_setting_changes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_platform_setting_changes"),
    )


def downgrade() -> None:
    for table in ("platform_setting_changes", "platform_settings", "login_failures", "web_sessions"):
        op.drop_table(table)
    op.drop_table("user_tokens")
