"""A directory change re-selects history, as a lexicon change does.

Selection evaluates each message once per policy version. A message evaluated while its sender was
not yet in the firm directory was out of scope; when the person was added later, nothing looked at
that message again ("0 evaluated"), so a new hire's first months, or a mailbox whose owner was
linked late, were never eligible for review. Here every out-of-scope evaluation made before the
directory last changed is evaluated again under the same active version on the next selection
run; the evaluation row is updated (the journal keeps the earlier state) and a message now in scope
can be selected like any other. In-scope evaluations are left as they are: a person leaving the
directory does not undo a review already owed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from proctor.comms.api import get_message
from proctor.core.errors import NotFound
from proctor.platform.tables import directory
from proctor.review.tables import evaluations

if TYPE_CHECKING:
    from proctor.review.run import _VersionSelector

EVENT = "review.reevaluated"


def directory_changed_at(conn: sa.Connection) -> datetime | None:
    return conn.execute(sa.select(sa.func.max(directory.c.updated_at))).scalar()


def candidates(conn: sa.Connection, version_id: str, as_of: datetime) -> list[str]:
    """Messages this version found out of scope before the directory's latest change."""
    changed = directory_changed_at(conn)
    if changed is None:
        return []
    return [
        m
        for (m,) in conn.execute(
            sa.select(evaluations.c.message_id)
            .where(
                evaluations.c.version_id == version_id,
                evaluations.c.in_scope.is_(False),
                evaluations.c.evaluated_at < changed,
                evaluations.c.sent_at <= as_of,
            )
            .order_by(evaluations.c.sent_at, evaluations.c.message_id)
        )
    ]


def reevaluate(selector: _VersionSelector, conn: sa.Connection) -> int:
    """Evaluate the candidates again; their records are kept apart, to be updated, not inserted."""
    rows = []
    for message_id in candidates(conn, selector.version.id, selector.as_of):
        try:
            rows.append(get_message(conn, message_id))
        except NotFound:  # disposed of since: nothing left to review
            continue
    if not rows:
        return 0
    before = len(selector.records)
    selector._evaluate(conn, rows)
    updates = selector.records[before:]
    del selector.records[before:]
    selector.updates.extend(updates)
    return len(updates)


def write_updates(selector: _VersionSelector, tx: Any, alert_ids: Sequence[str]) -> None:
    for record, index in selector.updates:
        values = {k: v for k, v in record.items() if k != "id"}
        values["alert_id"] = alert_ids[index] if index is not None else None
        tx.update(evaluations, record["id"], values, EVENT)
