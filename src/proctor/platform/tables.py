"""Tables the platform owns for every module: the firm directory and the supervision hierarchy.

They keep the names they were created under (``review_directory``, ``review_supervision``,
``review_delegates``) and the subject types their journal leaves already carry, so existing
workspaces and their journals read unchanged; what moved is the ownership. Review, trading (desk
supervisors) and access (HR people) all read the same people. The schema is created by the
platform migration ``core_0002``.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

ENTRY_KINDS = ("person", "mailbox", "group_mailbox", "chat_account", "customer_service_account")

supervision = journaled(
    sa.Table(
        "review_supervision",
        metadata,
        sa.Column("person", sa.String(300), primary_key=True),
        sa.Column("principal", sa.String(100), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Index("ix_review_supervision_principal", "principal"),
    ),
    "review.supervision",
)

delegates = journaled(
    sa.Table(
        "review_delegates",
        metadata,
        sa.Column("id", sa.String(210), primary_key=True),
        sa.Column("principal", sa.String(100), nullable=False),
        sa.Column("delegate", sa.String(100), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Index("ix_review_delegates_principal", "principal"),
    ),
    "review.delegate",
)

directory = journaled(
    sa.Table(
        "review_directory",
        metadata,
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(300), nullable=True),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("platform", sa.String(120), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Index("ix_review_directory_kind", "kind"),
    ),
    "review.directory_entry",
)
