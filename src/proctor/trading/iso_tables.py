"""The ISO and routing records: pre-route tag rules and imported FINRA report cards.

Tag rules are data that change what leaves the firm, so each one is a journaled row with who
proposed it, why (often a venue's reject text) and its status; a rule only stops orders once a
second person has made it active. A report card import keeps its rows (as a blob, by hash) and the
reconciliation against Proctor's findings, so the differences shown to an examiner can be re-read.
FIX routes and depth books themselves are Parquet partitions in the trading store, journaled per
file like quotes and trades.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

tag_rules = journaled(
    sa.Table(
        "trading_tag_rules",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("venue", sa.String(10), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),  # proposed, active, retired
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_trading_tag_rules_venue", "venue", "status"),
    ),
    "trading.tag_rule",
)

reportcards = journaled(
    sa.Table(
        "trading_reportcards",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("quarantined", sa.BigInteger, nullable=False),
        sa.Column("first_day", sa.Date, nullable=True),
        sa.Column("last_day", sa.Date, nullable=True),
        sa.Column("reconciliation", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
    ),
    "trading.reportcard",
)
