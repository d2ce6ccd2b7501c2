"""Full-depth books rebuilt from LOBSTER match the files' own book columns."""

from datetime import date

import pytest

from proctor.trading import books
from tests.conftest import SHARED_DATA

L = SHARED_DATA / "lobster"


def test_protected_level_skips_odd_lots():
    levels = [(10_010_000, 30), (10_020_000, 99), (10_030_000, 100)]
    assert books.protected_level(levels, 100) == (10_030_000, 100, 3)
    assert books.protected_level(levels, 40) == (10_020_000, 99, 2)
    assert books.protected_level(levels[:2], 100) == (0, 0, 0)


@pytest.mark.skipif(not L.exists(), reason="shared LOBSTER data is absent")
@pytest.mark.parametrize(
    "msgs,book",
    [
        (
            "OrderBook_HLS/AAPL_2012-06-21_34200000_57600000_message_10.csv",
            "OrderBook_HLS/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv",
        ),
        ("order-chronicles/AAPL_msgs.csv", "order-chronicles/AAPL_book.csv"),
        ("order-chronicles/MSFT_msgs.csv", "order-chronicles/MSFT_book.csv.gz"),
    ],
)
def test_lobster_rebuild_matches_every_row(msgs, book):
    build = books.rebuild_lobster(L / msgs, L / book, day=date(2012, 6, 21), symbol="X")
    check = build.check
    assert check is not None and check.rows == build.depth.height
    assert check.rows_matched == check.rows and check.mismatches == []
    assert check.levels_compared > 10 * check.rows


@pytest.mark.skipif(not L.exists(), reason="shared LOBSTER data is absent")
def test_real_aapl_protected_bid_sits_deeper_than_eight_levels():
    build = books.rebuild_lobster(
        L / "order-chronicles/AAPL_msgs.csv",
        L / "order-chronicles/AAPL_book.csv",
        day=date(2012, 6, 21),
        symbol="AAPL",
    )
    deep = build.depth.filter(build.depth["bid_prot_level"] > 8)
    assert deep.height > 0  # odd lots pushed the round-lot bid past level 8 in the real book


def test_bad_lobster_row_names_file_and_row(tmp_path):
    m = tmp_path / "m.csv"
    b = tmp_path / "b.csv"
    m.write_text("34200.1,1,1,100,5853300,1\n34200.2,1,2,x,5853300,1\n")
    b.write_text("5859400,200,5853300,100\n5859400,200,5853300,200\n")
    with pytest.raises(books.BookError, match=r"m.csv: row 2: field Size"):
        books.rebuild_lobster(m, b, day=date(2012, 6, 21), symbol="X")
