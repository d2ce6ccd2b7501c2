"""Full-depth books per venue, rebuilt from LOBSTER files and Nasdaq TotalView-ITCH 5.0.

Why: a router that reads only the top N price levels cannot see a protected quote that sits
deeper, behind levels of odd lots (the bank-owned broker's router read eight). To know where the
protected quote was, the whole displayed book is rebuilt, event by event, and for every state the
protected level is recorded: the best price level whose displayed size reaches the round lot,
with its 1-based depth among all displayed levels (odd-lot levels count: the router reads them).

A rebuild proves itself: LOBSTER ships its own book after every message, and `rebuild_lobster`
checks each rebuilt state against it. LOBSTER books are truncated to N levels, so a level that
first appears from beyond level N is taken from the file ("revealed") and counted, never compared
against nothing; every level the messages determine is compared.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from proctor.trading import itch

EASTERN = ZoneInfo("America/New_York")
BEYOND_FILE = -1  # protected level unknown: every level the file shows is an odd lot
LOBSTER_EMPTY = 9_999_999_999  # LOBSTER pads empty levels with +/- this price and size 0
#: LOBSTER prices are dollars x 10,000; the contract is micro-dollars (x 1,000,000).
LOBSTER_TO_MICROS = 100

DEPTH_SCHEMA = {
    "ts": pl.Int64,
    "seq": pl.Int64,
    "venue": pl.Utf8,
    "symbol": pl.Utf8,
    "bid_px": pl.Int64,
    "bid_size": pl.Int64,
    "ask_px": pl.Int64,
    "ask_size": pl.Int64,
    "bid_prot_px": pl.Int64,
    "bid_prot_size": pl.Int64,
    "bid_prot_level": pl.Int64,
    "ask_prot_px": pl.Int64,
    "ask_prot_size": pl.Int64,
    "ask_prot_level": pl.Int64,
    "bid_levels": pl.Int64,
    "ask_levels": pl.Int64,
}


class BookError(ValueError):
    """Bad depth input: names the file, row and field."""


@dataclass
class Book:
    """Displayed size by price, per side. Prices are integers in the caller's unit."""

    bids: dict[int, int] = field(default_factory=dict)
    asks: dict[int, int] = field(default_factory=dict)

    def side(self, buy: bool) -> dict[int, int]:
        return self.bids if buy else self.asks

    def add(self, buy: bool, price: int, size: int) -> None:
        levels = self.side(buy)
        levels[price] = levels.get(price, 0) + size

    def remove(self, buy: bool, price: int, size: int) -> bool:
        """Take size off a level; False when the level is unknown (depth the feed never showed)."""
        levels = self.side(buy)
        if price not in levels:
            return False
        left = levels[price] - size
        if left > 0:
            levels[price] = left
        else:
            del levels[price]
        return True

    def levels(self, buy: bool, depth: int | None = None) -> list[tuple[int, int]]:
        levels = self.side(buy)
        ordered = sorted(levels.items(), key=lambda kv: -kv[0] if buy else kv[0])
        return ordered if depth is None else ordered[:depth]

    def truncate(self, depth: int) -> None:
        for buy in (True, False):
            keep = dict(self.levels(buy, depth))
            self.side(buy).clear()
            self.side(buy).update(keep)


def protected_level(levels: list[tuple[int, int]], round_lot: int) -> tuple[int, int, int]:
    """(price, size, 1-based level) of the best level with size >= round lot; (0, 0, 0) if none."""
    for i, (price, size) in enumerate(levels, start=1):
        if size >= round_lot:
            return price, size, i
    return 0, 0, 0


def depth_row(book: Book, ts: int, seq: int, venue: str, symbol: str, round_lot: int) -> dict[str, Any]:
    bids, asks = book.levels(True), book.levels(False)
    bp, bs, bl = protected_level(bids, round_lot)
    ap, as_, al = protected_level(asks, round_lot)
    return {
        "ts": ts,
        "seq": seq,
        "venue": venue,
        "symbol": symbol,
        "bid_px": bids[0][0] if bids else 0,
        "bid_size": bids[0][1] if bids else 0,
        "ask_px": asks[0][0] if asks else 0,
        "ask_size": asks[0][1] if asks else 0,
        "bid_prot_px": bp,
        "bid_prot_size": bs,
        "bid_prot_level": bl,
        "ask_prot_px": ap,
        "ask_prot_size": as_,
        "ask_prot_level": al,
        "bid_levels": len(bids),
        "ask_levels": len(asks),
    }


# --------------------------------------------------------------------------- LOBSTER


@dataclass
class LobsterCheck:
    """How the rebuilt book compared with the file's own book columns."""

    rows: int = 0
    rows_matched: int = 0
    levels_compared: int = 0
    levels_revealed: int = 0
    unknown_levels_touched: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_matched": self.rows_matched,
            "levels_compared": self.levels_compared,
            "levels_revealed": self.levels_revealed,
            "unknown_levels_touched": self.unknown_levels_touched,
            "first_mismatches": self.mismatches[:5],
        }


@dataclass
class DepthBuild:
    depth: pl.DataFrame
    check: LobsterCheck | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("ascii")


def _rows(path: Path, width: int | None) -> list[list[str]]:
    rows = []
    for number, line in enumerate(io.StringIO(_read_text(path)), start=1):
        line = line.strip()
        if not line:
            continue
        cells = line.split(",")
        if width is not None and len(cells) != width:
            raise BookError(f"{path}: row {number}: expected {width} columns, found {len(cells)}")
        rows.append(cells)
    return rows


def _int(path: Path, row: int, name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BookError(f"{path}: row {row}: field {name}: not a whole number: {text!r}") from None


def _lobster_ts(day: date, seconds: str, path: Path, row: int) -> int:
    whole, _, frac = seconds.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise BookError(f"{path}: row {row}: field Time: not seconds after midnight: {seconds!r}")
    midnight = datetime.combine(day, time(0), tzinfo=EASTERN)
    base = int(midnight.timestamp()) * 1_000_000_000
    return base + int(whole) * 1_000_000_000 + int(frac[:9].ljust(9, "0") if frac else 0)


def _file_levels(cells: list[int], buy: bool, n: int) -> list[tuple[int, int]]:
    out = []
    for lvl in range(n):
        price = cells[4 * lvl + (2 if buy else 0)]
        size = cells[4 * lvl + (3 if buy else 1)]
        if size > 0 and abs(price) != LOBSTER_EMPTY:
            out.append((price, size))
    return out


def _apply_lobster(book: Book, kind: int, size: int, price: int, direction: int, undo: bool = False) -> bool:
    buy = direction == 1
    if kind == 1:
        if undo:
            return book.remove(buy, price, size)
        book.add(buy, price, size)
    elif kind in (2, 3, 4):
        if undo:
            book.add(buy, price, size)
        else:
            return book.remove(buy, price, size)
    return True  # 5 hidden execution, 6 cross, 7 halt: the displayed book does not change


def rebuild_lobster(
    message_path: Path,
    book_path: Path,
    *,
    day: date,
    symbol: str,
    venue: str = "Q",
    round_lot: int = 100,
) -> DepthBuild:
    """Rebuild one venue's book from a LOBSTER message file and check it against the book file."""
    messages = _rows(message_path, 6)
    books = _rows(book_path, None)
    if len(messages) != len(books):
        raise BookError(f"{book_path}: {len(books)} book rows for {len(messages)} messages (not row-aligned)")
    if not books:
        raise BookError(f"{message_path}: no messages")
    width = len(books[0])
    if width % 4:
        raise BookError(f"{book_path}: row 1: {width} columns is not 4 per level")
    n = width // 4
    parsed_books = [[_int(book_path, i + 1, "level", c) for c in row] for i, row in enumerate(books)]
    parsed_msgs = []
    for i, m in enumerate(messages, start=1):
        parsed_msgs.append(
            (
                _lobster_ts(day, m[0], message_path, i),
                _int(message_path, i, "Type", m[1]),
                _int(message_path, i, "Size", m[3]),
                _int(message_path, i, "Price", m[4]),
                _int(message_path, i, "Direction", m[5]),
            )
        )
    book = Book()
    first = parsed_books[0]
    for buy in (True, False):
        book.side(buy).update(_file_levels(first, buy, n))
    _, kind, size, price, direction = parsed_msgs[0]
    _apply_lobster(book, kind, size, price, direction, undo=True)  # the state before message 1
    check = LobsterCheck()
    out = []
    for k, ((ts, kind, size, price, direction), cells) in enumerate(
        zip(parsed_msgs, parsed_books, strict=True)
    ):
        if not _apply_lobster(book, kind, size, price, direction):
            check.unknown_levels_touched += 1
        book.truncate(n)
        ok = True
        for buy in (True, False):
            ours = book.levels(buy)
            theirs = _file_levels(cells, buy, n)
            compared = ours[: len(theirs)] if len(ours) >= len(theirs) else ours
            check.levels_compared += len(compared)
            if compared != theirs[: len(compared)] or (len(ours) > len(theirs)):
                ok = False
                if len(check.mismatches) < 20:
                    check.mismatches.append(
                        {
                            "row": k + 1,
                            "side": "bid" if buy else "ask",
                            "rebuilt": ours[:3],
                            "file": theirs[:3],
                        }
                    )
            for p, s in theirs[len(ours) :]:  # revealed from beyond the file's depth
                book.side(buy)[p] = s
                check.levels_revealed += 1
        check.rows += 1
        check.rows_matched += ok
        row = depth_row(_micros(book), ts, k, venue, symbol, round_lot)
        for side in ("bid", "ask"):  # no round lot in a full file: it is deeper than the file shows
            if row[f"{side}_prot_level"] == 0 and row[f"{side}_levels"] >= n:
                row[f"{side}_prot_level"] = BEYOND_FILE
        out.append(row)
    frame = pl.DataFrame(out, schema=DEPTH_SCHEMA, orient="row")
    return DepthBuild(frame, check, {"messages": len(parsed_msgs), "levels_in_file": n})


def _micros(book: Book) -> Book:
    return Book(
        {p * LOBSTER_TO_MICROS: s for p, s in book.bids.items()},
        {p * LOBSTER_TO_MICROS: s for p, s in book.asks.items()},
    )


# --------------------------------------------------------------------------- ITCH


@dataclass
class ItchBooks:
    """Per-stock books from ITCH order messages; order references outside the capture are counted."""

    venue: str = "Q"
    round_lot: int = 100
    books: dict[str, Book] = field(default_factory=dict)
    orders: dict[int, tuple[str, bool, int, int]] = field(default_factory=dict)  # ref->(stock,buy,px,sh)
    unknown_refs: int = 0
    applied: int = 0
    seq: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def _touch(self, stock: str, ts: int) -> None:
        self.seq += 1
        self.rows.append(depth_row(self.books[stock], ts, self.seq, self.venue, stock, self.round_lot))

    def apply(self, msg: Mapping[str, Any], midnight_ns: int) -> None:
        kind = msg["type"]
        ts = midnight_ns + int(msg["ts_ns"])
        if kind in ("A", "F"):
            stock, buy = str(msg["stock"]), msg["side"] == "B"
            self.orders[int(msg["ref"])] = (stock, buy, int(msg["price"]), int(msg["shares"]))
            self.books.setdefault(stock, Book()).add(buy, int(msg["price"]), int(msg["shares"]))
            self.applied += 1
            self._touch(stock, ts)
        elif kind in ("E", "C", "X", "D", "U"):
            ref = int(msg["ref"])
            known = self.orders.get(ref)
            if known is None:
                self.unknown_refs += 1
                return
            stock, buy, price, shares = known
            take = shares if kind in ("D", "U") else min(shares, int(msg["shares"]))
            self.books[stock].remove(buy, price, take)
            if shares - take > 0:
                self.orders[ref] = (stock, buy, price, shares - take)
            else:
                del self.orders[ref]
            if kind == "U":
                self.orders[int(msg["new_ref"])] = (stock, buy, int(msg["price"]), int(msg["shares"]))
                self.books[stock].add(buy, int(msg["price"]), int(msg["shares"]))
            self.applied += 1
            self._touch(stock, ts)

    def frame(self) -> pl.DataFrame:
        if not self.rows:
            return pl.DataFrame(schema=DEPTH_SCHEMA)
        return pl.DataFrame(self.rows, schema=DEPTH_SCHEMA, orient="row")


def rebuild_itch(
    messages: Iterable[Mapping[str, Any]], *, day: date, venue: str = "Q", round_lot: int = 100
) -> DepthBuild:
    """Books from decoded ITCH messages (`itch.decode` dicts) of one trading day."""
    midnight = int(datetime.combine(day, time(0), tzinfo=EASTERN).timestamp()) * 1_000_000_000
    state = ItchBooks(venue, round_lot)
    total = 0
    for msg in messages:
        total += 1
        state.apply(msg, midnight)
    return DepthBuild(
        state.frame(),
        None,
        {
            "messages": total,
            "applied": state.applied,
            "unknown_refs": state.unknown_refs,
            "open_orders": len(state.orders),
        },
    )


def read_itch_file(path: Path, *, day: date, venue: str = "Q", round_lot: int = 100) -> DepthBuild:
    """A binary ITCH 5.0 file (2-byte length-prefixed messages, optionally gzip'd)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        decoded = [itch.decode(m) for m in itch.iter_file(data)]
    except itch.ItchError as exc:
        raise BookError(f"{path}: {exc}") from None
    return rebuild_itch(decoded, day=day, venue=venue, round_lot=round_lot)
