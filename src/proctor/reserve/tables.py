"""The reserve module's records: input sets, formula versions, computations, sign-offs, proposals.

All are journaled: a computation of record, the files it read, the formula version it used, the
FINOP's explanations and sign-off, and every approval of a formula change can be re-created from
the journal with who and when, which is what SEA 17a-3/17a-4 ask of these books.
"""

from __future__ import annotations

import sqlalchemy as sa

from proctor.store.schema import journaled, metadata
from proctor.store.types import UTCDateTime

input_sets = journaled(
    sa.Table(
        "reserve_input_sets",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("manifest", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("supersedes", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("loaded_at", UTCDateTime, nullable=False),
        sa.Index("ix_reserve_input_sets_as_of", "as_of"),
    ),
    "reserve.input_set",
)

rule_versions = journaled(
    sa.Table(
        "reserve_rule_versions",
        metadata,
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("origin", sa.String(60), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    ),
    "reserve.rule_version",
)

computations = journaled(
    sa.Table(
        "reserve_computations",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("book", sa.String(10), nullable=False),
        sa.Column("method", sa.String(12), nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("input_set_id", sa.String(40), nullable=False),
        sa.Column("rules_digest", sa.String(64), nullable=False),
        sa.Column("rules_version", sa.String(100), nullable=False),
        sa.Column("gates", sa.JSON, nullable=False),
        sa.Column("lines", sa.JSON, nullable=False),
        sa.Column("components", sa.JSON, nullable=False),
        sa.Column("totals", sa.JSON, nullable=False),
        sa.Column("requirement", sa.BigInteger, nullable=True),
        sa.Column("on_deposit", sa.BigInteger, nullable=True),
        sa.Column("deficiency", sa.BigInteger, nullable=True),
        sa.Column("deadline", UTCDateTime, nullable=True),
        sa.Column("report_blob", sa.String(64), nullable=True),
        sa.Column("lineage_blob", sa.String(64), nullable=True),
        sa.Column("previous_id", sa.String(40), nullable=True),
        sa.Column("variance", sa.JSON, nullable=False),
        sa.Column("explanations", sa.JSON, nullable=False),
        sa.Column("notice", sa.JSON, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_reserve_computations_as_of", "as_of", "book"),
    ),
    "reserve.computation",
)

signoffs = journaled(
    sa.Table(
        "reserve_signoffs",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("computation_id", sa.String(40), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("signed_at", UTCDateTime, nullable=False),
    ),
    "reserve.signoff",
)

proposals = journaled(
    sa.Table(
        "reserve_proposals",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.Column("base_digest", sa.String(64), nullable=False),
        sa.Column("new_digest", sa.String(64), nullable=False),
        sa.Column("new_version", sa.String(100), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("approvals", sa.JSON, nullable=False),
        sa.Column("replay", sa.JSON, nullable=True),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=True),
    ),
    "reserve.proposal",
)

supersessions = journaled(
    sa.Table(
        "reserve_supersessions",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("book", sa.String(10), nullable=False),
        sa.Column("superseded_id", sa.String(40), nullable=False),
        sa.Column("superseded_by", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Index("ix_reserve_supersessions_as_of", "as_of", "book"),
    ),
    "reserve.supersession",
)

focus_history = journaled(
    sa.Table(
        "reserve_focus_history",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("customer_total_credits", sa.BigInteger, nullable=False),
        sa.Column("pab_total_credits", sa.BigInteger, nullable=False),
        sa.Column("filed_report", sa.String(200), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("attestation", sa.Text, nullable=False),
        sa.Column("attested_by", sa.String(100), nullable=False),
        sa.Column("attested_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Index("ix_reserve_focus_history_as_of", "as_of"),
    ),
    "reserve.focus_history",
)
