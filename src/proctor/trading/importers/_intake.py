"""Tabular intake shared by the trading importers: read as text, parse exactly, quarantine the rest.

Every source is read with every column as text so nothing is guessed (a blank is not a zero, a
price is parsed to integer micro-dollars without passing through a float, a time keeps its
nanoseconds and must carry an offset). A row that fails a field is quarantined with its file, row
(the line number in a CSV, the row number in Parquet) and field, and counted; it is never dropped
silently and never "fixed".
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from proctor.core.errors import InputError
from proctor.platform.intake import as_text, decode_text, read_bytes

ROW = "_line"
TS_PATTERN = r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$"
PRICE_PATTERN = r"^(\d+)(?:\.(\d*))?$"
ZONE = "America/New_York"
# Source clocks run a little ahead of ours; beyond a minute, a time after the import is an error.
FUTURE_ALLOWANCE_NS = 60 * 1_000_000_000


@dataclass
class Issue:
    file: str
    row: int
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class Parsed:
    """Good rows (typed, with `day` and `symbol`) plus every quarantined row's first problem."""

    kind: str
    frame: pl.DataFrame
    rows_read: int
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def quarantined_rows(self) -> int:
        return len({i.row for i in self.issues})


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
        return "csv"
    raise InputError("cannot tell the format from the name; pass --format", file=str(path))


def read_text_table(path: Path, fmt: str) -> tuple[pl.DataFrame, bytes]:
    """Every column as text, empty as null, plus `_line` (CSV line number, header = 1; Parquet row + 1).

    Reading goes through the platform's tabular intake (`read_bytes`, `as_text`: floats refused,
    blanks are missing); gzip is unpacked first because market data usually arrives compressed.
    """
    raw = read_bytes(path)
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    if fmt == "parquet":
        frame = pl.read_parquet(io.BytesIO(data))
        frame = as_text(frame.select([_as_text(frame[c]) for c in frame.columns]), str(path))
        return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64)), raw
    if fmt != "csv":
        raise InputError(f"unknown format {fmt!r} (csv, parquet or taq)", file=str(path), field="--format")
    decode_text(data, str(path))  # an encoding error names its row and column; Polars' would not
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"not a readable CSV: {str(exc).splitlines()[0]}", file=str(path)) from None
    frame = as_text(frame.rename({c: c.strip() for c in frame.columns}), str(path))
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64)), raw


def _as_text(series: pl.Series) -> pl.Series:
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            return series.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.9fZ")
        return series.dt.strftime("%Y-%m-%dT%H:%M:%S%.9f")  # no offset: quarantined by the parser
    if isinstance(dtype, pl.List):
        return series.cast(pl.List(pl.Utf8)).list.join(" ")
    return series


def require_columns(frame: pl.DataFrame, columns: list[str], file: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing columns {missing}; found {[c for c in frame.columns if c != ROW]}", file=file
        )


class Checker:
    """Collects the first problem of each field of each row; `bad` marks rows to quarantine."""

    def __init__(self, frame: pl.DataFrame, file: str, now: datetime | None = None) -> None:
        self.frame = frame
        self.file = file
        self.now = now  # the import's own time: a row dated after it has not happened yet
        self.issues: list[Issue] = []
        self.bad = pl.Series([False] * frame.height)

    def flag(self, mask: pl.Series, column: str, reason: str) -> None:
        mask = mask.fill_null(False)  # every rule states its own null case explicitly
        if not mask.any():
            return
        hit = self.frame.filter(mask)
        values = hit[column] if column in hit.columns else pl.Series([""] * hit.height)
        for row, value in zip(hit[ROW].to_list(), values.to_list(), strict=True):
            self.issues.append(
                Issue(self.file, int(row), column, "" if value is None else str(value), reason)
            )
        self.bad = self.bad | mask

    def good(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~self.bad)


def parse_ts(column: pl.Series, checker: Checker, name: str, *, required: bool = True) -> pl.Series:
    """ISO-8601 text with offset, up to nanoseconds -> Int64 ns since epoch UTC (null if bad)."""
    text = column.str.strip_chars()
    groups = text.str.extract_groups(TS_PATTERN)
    day = groups.struct.field("1").str.to_date("%Y-%m-%d", strict=False)
    hh = groups.struct.field("2").cast(pl.Int64, strict=False)
    mm = groups.struct.field("3").cast(pl.Int64, strict=False)
    ss = groups.struct.field("4").cast(pl.Int64, strict=False)
    frac = groups.struct.field("5").fill_null("").str.pad_end(9, "0").cast(pl.Int64, strict=False)
    zone = groups.struct.field("6")
    sign = pl.Series([-1 if (z or "").startswith("-") else 1 for z in zone.to_list()], dtype=pl.Int64)
    digits = zone.str.replace_all(r"[^0-9]", "")
    off_h = digits.str.slice(0, 2).cast(pl.Int64, strict=False).fill_null(0)
    off_m = digits.str.slice(2, 2).cast(pl.Int64, strict=False).fill_null(0)
    offset_ns = sign * (off_h * 3600 + off_m * 60) * 1_000_000_000
    days = day.cast(pl.Int64)
    ns = (days * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000_000 + frac - offset_ns
    blank = text.is_null() | (text == "")
    if required:
        checker.flag(blank, name, "blank (a time is required)")
    shaped = groups.struct.field("1").is_not_null()
    checker.flag(~blank & ~shaped, name, "not an ISO-8601 time (YYYY-MM-DDTHH:MM:SS[.fffffffff]+HH:MM)")
    checker.flag(shaped & zone.is_null(), name, "no UTC offset: the instant is ambiguous")
    checker.flag(
        shaped & (day.is_null() | (hh > 23) | (mm > 59) | (ss > 60) | (off_h > 18)),
        name,
        "not a valid date/time",
    )
    # Nanoseconds since 1970 in an Int64 end in April 2262: a later (or pre-1970) date would wrap
    # around silently, so it is refused here rather than stored as some other instant.
    year = day.dt.year()
    checker.flag(
        shaped & day.is_not_null() & ((year < 1970) | (year > 2261)),
        name,
        "outside the instants Proctor stores (1970 to 2261)",
    )
    if checker.now is not None:
        latest = int(checker.now.timestamp()) * 1_000_000_000 + FUTURE_ALLOWANCE_NS
        checker.flag(
            shaped & ns.is_not_null() & (ns > latest),
            name,
            f"after the import time {checker.now.isoformat(timespec='seconds')}: a future time is not today",
        )
    return ns


def parse_price(column: pl.Series, checker: Checker, name: str, *, required: bool) -> pl.Series:
    """Decimal dollars -> Int64 micro-dollars exactly; blank -> null (a blank is not a zero)."""
    text = column.str.strip_chars()
    groups = text.str.extract_groups(PRICE_PATTERN)
    whole = groups.struct.field("1").cast(pl.Int64, strict=False)
    frac_text = groups.struct.field("2").fill_null("")
    frac = frac_text.str.pad_end(6, "0").str.slice(0, 6).cast(pl.Int64, strict=False).fill_null(0)
    micros = whole * 1_000_000 + frac
    blank = text.is_null() | (text == "")
    if required:
        checker.flag(blank, name, "blank (a price is required)")
    checker.flag(~blank & text.str.starts_with("-"), name, "negative price")
    checker.flag(~blank & ~text.str.starts_with("-") & whole.is_null(), name, "not a decimal price")
    extra = frac_text.str.slice(6).str.replace_all("0", "")
    checker.flag(~blank & (extra.str.len_chars() > 0), name, "more than 6 decimal places")
    return micros


def parse_int(
    column: pl.Series, checker: Checker, name: str, *, required: bool, positive: bool = False
) -> pl.Series:
    text = column.str.strip_chars()
    value = text.cast(pl.Int64, strict=False)
    blank = text.is_null() | (text == "")
    if required:
        checker.flag(blank, name, "blank (a number is required)")
    checker.flag(~blank & value.is_null(), name, "not a whole number")
    checker.flag(
        ~blank & (value < (1 if positive else 0)), name, "must be positive" if positive else "negative"
    )
    return value


def blank_null(column: pl.Series) -> pl.Series:
    """Trimmed text with blanks as null: a blank field is missing, not an empty value."""
    return column.str.strip_chars().replace("", None)


def trading_day(ns: pl.Series) -> pl.Series:
    """The trading day of each instant: its date in New York (the US equity market's clock)."""
    return (
        pl.from_epoch(ns.fill_null(0), time_unit="ns")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(ZONE)
        .dt.date()
    )


def restrict_day(frame: pl.DataFrame, checker: Checker, day: Any, column: str) -> None:
    """With --date, rows of other days are quarantined (counted, kept), not silently skipped."""
    if day is None:
        return
    checker.flag(frame["day"] != day, column, f"not on --date {day}")
