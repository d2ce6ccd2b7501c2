"""Reserve: why each computation of record was superseded (one of record per date and book), and
month-end totals imported from FOCUS reports filed before Proctor.

Revision ID: reserve_0002
"""

import sqlalchemy as sa
from alembic import op

from proctor.store.types import UTCDateTime

revision = "reserve_0002"
down_revision = "reserve_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reserve_supersessions",
        sa.Column("id", sa.String(40)),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("book", sa.String(10), nullable=False),
        sa.Column("superseded_id", sa.String(40), nullable=False),
        sa.Column("superseded_by", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_supersessions"),
    )
    op.create_index("ix_reserve_supersessions_as_of", "reserve_supersessions", ["as_of", "book"])
    op.create_table(
        "reserve_focus_history",
        sa.Column("id", sa.String(40)),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("customer_total_credits", sa.BigInteger, nullable=False),
        sa.Column("pab_total_credits", sa.BigInteger, nullable=False),
        sa.Column("filed_report", sa.String(200), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("attestation", sa.Text, nullable=False),
        sa.Column("attested_by", sa.String(100), nullable=False),
        sa.Column("attested_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reserve_focus_history"),
    )
    op.create_index("ix_reserve_focus_history_as_of", "reserve_focus_history", ["as_of"])


def downgrade() -> None:
    op.drop_index("ix_reserve_focus_history_as_of", table_name="reserve_focus_history")
    op.drop_table("reserve_focus_history")
    op.drop_index("ix_reserve_supersessions_as_of", table_name="reserve_supersessions")
    op.drop_table("reserve_supersessions")
