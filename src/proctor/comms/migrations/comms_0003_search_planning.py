"""Archive search on PostgreSQL: finer statistics for the full-text column, no parallel scans.

Revision ID: comms_0003

A page of hits is one short ordered walk, and PostgreSQL chooses it from the statistics of the
tsvector column. With the default statistics target only about a thousand words have their own
frequency, and every other word is taken to be in about one message in five hundred: a word in
40 messages of a million then looks common enough to find 26 hits by walking the sent_at index
newest first, which reads the whole table (2.6 s instead of 7 ms in `benchmarks/web.py`). A target
of 1,000 keeps ten times as many words, so a rare word is seen to be rare and found through the
GIN index.

A parallel backward index walk under Gather Merge keeps its workers reading long after the 26
rows a page needs are found (a participant's newest messages: 1.1 s instead of 45 ms on two
cores), so searches of `comms_search` run without parallel workers.

Nothing changes on SQLite, which keeps no statistics and runs no parallel scans.
"""

from alembic import op

revision = "comms_0003"
down_revision = "comms_0002"
branch_labels = None
depends_on = None

STATISTICS_TARGET = 1000


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE comms_search ALTER COLUMN comms_fts_tsv SET STATISTICS {STATISTICS_TARGET}")
    op.execute("ALTER TABLE comms_search SET (parallel_workers = 0)")
    op.execute("ANALYZE comms_search")  # an archive already indexed plans with the new target now


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE comms_search ALTER COLUMN comms_fts_tsv SET STATISTICS -1")
    op.execute("ALTER TABLE comms_search RESET (parallel_workers)")
