"""A FINOP's quarter of weekly computations, with reruns, corrections and a late feed.

At the end there is exactly one computation of record per date and book, and every computation
that was replaced says why, in a journaled supersession naming both computations.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.journal.verify import verify_journal
from proctor.reserve import service, supersession
from proctor.reserve.errors import ReserveError
from proctor.reserve.tables import computations
from proctor.reserve.writer import write_book
from tests.reserve.books import FIRM, carrying_firm

FRIDAYS = [date(2026, 1, 2) + timedelta(weeks=n) for n in range(13)]  # Q1 2026


def _week(n: int) -> dict:
    """Each week's books differ a little (customer C001's credit balance and its GL line)."""
    tables = carrying_firm()
    tables["accounts"][0]["credit_balance"] = f"{100000 + 100 * n}.00"
    tables["trial_balance"][0]["balance"] = f"{111000 + 100 * n}.00"
    return tables


def _load(ws, root: Path, as_of: date, tables: dict, tag: str, drop: str | None = None, **kw) -> dict:
    folder = root / f"{as_of.isoformat()}-{tag}"
    write_book(folder, tables, FIRM)
    if drop:
        (folder / f"{drop}.csv").unlink()
    return service.load_inputs(ws, folder, as_of, actor="fiona", **kw)


def test_a_quarter_ends_with_one_computation_of_record_per_date_and_book(ws, tmp_path: Path, clock) -> None:
    for n, friday in enumerate(FRIDAYS):
        tables = _week(n)
        late = n == 8
        first = _load(ws, tmp_path, friday, tables, "feed", drop="stock_loan_borrow" if late else None)
        outcome = service.compute_of_record(ws, friday, actor="fiona")
        assert outcome.gates.hold == late
        if late:  # the stock loan file arrives on Monday; the HOLD is superseded by the real figures
            _load(
                ws,
                tmp_path,
                friday,
                tables,
                "late",
                supersedes=first["id"],
                reason="Stock loan and borrow file arrived late from the vendor.",
            )
            assert not service.compute_of_record(ws, friday, actor="fiona").gates.hold
        if n == 2:  # looking at the PAB book again is not a new computation
            again = service.compute_of_record(ws, friday, actor="fiona")
            assert again.rows["pab"]["id"] == outcome.rows["pab"]["id"]
        if n == 4:
            service.compute_of_record(
                ws, friday, actor="fiona", reason="Rerun after the bank confirmed the reserve balances."
            )
        if n == 6:  # withholding understated by the feed: a correction, then the rerun it causes
            fixed = _week(n)
            fixed["accounts"][3]["withholding_payable"] = "20150.00"
            fixed["trial_balance"][1]["balance"] = "20150.00"
            _load(
                ws, tmp_path, friday, fixed, "fix", supersedes=first["id"], reason="Withholding understated."
            )
            service.compute_of_record(ws, friday, actor="fiona")
        if n == 10:
            with pytest.raises(ReserveError, match="already current"):
                _load(ws, tmp_path, friday, tables, "twice")
            with pytest.raises(ReserveError, match="changes its cadence: say why"):
                service.compute_of_record(ws, friday, actor="fiona", cadence="daily")
        clock.advance(timedelta(weeks=1))

    for book in ("customer", "pab"):
        standing = supersession.of_record(ws, book)
        assert [r["as_of"] for r in standing] == FRIDAYS
        assert all(r["status"] == "COMPUTED" for r in standing)
    log = supersession.supersession_log(ws)
    with ws.read() as conn:
        replaced = conn.execute(
            sa.select(computations.c.id).where(computations.c.status == supersession.SUPERSEDED)
        ).all()
    assert sorted(r.id for r in replaced) == sorted(s["superseded_id"] for s in log)
    assert len(log) == 2 * 3  # the late feed, the rerun and the correction, each in both books
    reasons = {s["as_of"]: s["reason"] for s in log}
    assert reasons[FRIDAYS[8]].startswith("inputs corrected (RSI-")
    assert "Stock loan and borrow file arrived late" in reasons[FRIDAYS[8]]
    held = [service.get_computation(ws, s["superseded_id"]) for s in log if s["as_of"] == FRIDAYS[8]]
    assert all(h["requirement"] is None and h["gates"]["status"] == "HOLD" for h in held)
    assert reasons[FRIDAYS[4]] == "Rerun after the bank confirmed the reserve balances."
    assert "Withholding understated." in reasons[FRIDAYS[6]]
    assert verify_journal(ws.engine, ws.blobs).intact
