"""The vectorised engine against the plain per-row reference on randomized books."""

from __future__ import annotations

from datetime import date

import pytest

from proctor.reserve import naive
from proctor.reserve.components import Settings
from proctor.reserve.compute import compute
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.synthetic import generate
from proctor.reserve.writer import book_from_tables
from tests.reserve.books import FIRM, carrying_firm
from tests.reserve.helpers import book_from_frames

AS_OF = date(2026, 3, 6)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("which", ["customer", "pab"])
def test_engine_matches_reference_on_random_books(seed: int, which: str) -> None:
    rules = RuleTable.baseline()
    frames, firm = generate(3000, 12000, seed=seed)
    book = book_from_frames(frames, firm)
    fast = compute(book, rules, Settings(which, AS_OF))
    slow = naive.line_totals(book, rules, which, AS_OF)
    got = {k: v for k, v in fast.line_amounts().items() if k != "16" and v != 0}
    assert got == {k: v for k, v in slow.items() if v != 0}


@pytest.mark.parametrize("method", ["basic", "alternative"])
def test_engine_matches_reference_on_the_hand_checked_book(method: str) -> None:
    rules = RuleTable.baseline()
    book = book_from_tables(carrying_firm(), FIRM)
    fast = compute(book, rules, Settings("customer", AS_OF, method))
    slow = naive.line_totals(book, rules, "customer", AS_OF, method)
    assert {k: v for k, v in fast.line_amounts().items() if k != "16" and v} == {
        k: v for k, v in slow.items() if v
    }
