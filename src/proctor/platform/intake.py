"""Tabular intake: CSV and Parquet files read once, with errors that name file, row and field.

Every module takes tables from the firm: the directory and the supervision hierarchy, reserve
inputs, HR snapshots and system account lists, trade and order files. The rules for reading them
are the same everywhere and are written here once:

- the file must be readable, and a CSV must be UTF-8 (a byte-order mark is allowed);
- the header must carry the required columns and only known ones (a misspelt column is an error,
  not an ignored one); a row with more fields than the header is an error;
- an empty cell is *missing* (``None`` in rows, null in frames), never zero or blank text;
- every problem is an :class:`~proctor.core.errors.InputError` naming the file, the row (the
  header is row 1, the first data row is row 2) and the field.

Two ways to meet a bad row. ``strict`` (the default) stops at the first problem, so a file of
record (a directory, a reserve input) is taken whole or not at all and nothing is half-written.
``quarantine`` keeps going: each bad row is set aside with its reason and counted, never silently
dropped, and the caller stores or reports :attr:`Table.quarantined` (for feeds where one bad line
must not stop a day's surveillance).

Usage (rows, for small files of record)::

    from proctor.platform.intake import Column, read_csv, read_bytes

    COLUMNS = (Column("person", required=True), Column("principal", required=True), Column("delegates"))
    table = read_csv(read_bytes(path), str(path), COLUMNS)          # strict
    for row in table.rows:
        row.number, row["person"], row.get("delegates")             # cells are stripped text or None
        raise row.error("delegates", "no user named 'x'")           # InputError at file, row, field

    table = read_csv(data, "hr.csv", COLUMNS, quarantine=True)
    table.rows, table.quarantined, table.counts()                   # {"read": 10, "accepted": 9, ...}

Usage (frames, for large files; Polars, CSV or Parquet)::

    from proctor.platform.intake import read_frame, first_bad_row

    raw, frame = read_frame(path)                    # all columns as text, "" -> null; floats refused
    bad = first_bad_row(frame, pl.col("qty").str.contains(r"^[0-9]+$"), "qty")  # 0-based or None
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proctor.core.errors import InputError

if TYPE_CHECKING:
    import polars as pl

Check = Callable[[str], str | None]  # cell text -> problem (None when fine)


@dataclass(frozen=True)
class Column:
    """One column a file may carry: `required` in the header, `check` on each non-empty cell."""

    name: str
    required: bool = False
    check: Check | None = None


@dataclass(frozen=True)
class Row:
    """One data row: its number in the file (header = 1) and its cells (stripped text, or None)."""

    file: str
    number: int
    cells: Mapping[str, str | None]

    def __getitem__(self, name: str) -> str | None:
        return self.cells.get(name)

    def get(self, name: str, default: str = "") -> str:
        value = self.cells.get(name)
        return default if value is None else value

    @property
    def where(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.number}

    def error(self, field: str | None, message: str) -> InputError:
        return InputError(message, file=self.file, row=self.number, field=field)


@dataclass(frozen=True)
class Quarantined:
    """A row set aside, with the first problem found in it."""

    row: int
    field: str | None
    reason: str
    cells: Mapping[str, str | None]

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason, "cells": dict(self.cells)}


@dataclass
class Table:
    file: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        accepted, bad = len(self.rows), len(self.quarantined)
        return {"read": accepted + bad, "accepted": accepted, "quarantined": bad}

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or an InputError naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None


def decode_text(data: bytes, file: str) -> str:
    """The file as text, or an InputError naming the row and column of the first byte that is not
    UTF-8.

    The whole file is refused rather than the one row quarantined: a wrong encoding is a property of
    the export, so every accented name in it is wrong too, and in a snapshot a quarantined person
    would look like a person who left.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        row = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8: byte 0x{data[exc.start]:02X} at column {exc.start - line_start + 1}; "
            "export the file as UTF-8 (a Latin-1 or Windows-1252 export shows accented names this way)",
            file=file,
            row=row,
        ) from None


def check_header(
    header: Sequence[str],
    columns: Sequence[Column],
    file: str,
    *,
    missing_message: Callable[[list[str]], str] | None = None,
    allow_unknown: bool = False,
) -> None:
    """Required columns present, no unknown ones (the header is row 1)."""
    missing = [c.name for c in columns if c.required and c.name not in header]
    if missing:
        text = missing_message(missing) if missing_message else f"header lacks {', '.join(missing)}"
        raise InputError(text, file=file, row=1)
    known = {c.name for c in columns}
    unknown = [h for h in header if h not in known]
    if unknown and not allow_unknown:
        expected = ", ".join(c.name for c in columns)
        raise InputError(f"unknown column(s) {', '.join(unknown)}; expected {expected}", file=file, row=1)


def read_csv(
    data: bytes,
    file: str,
    columns: Sequence[Column],
    *,
    quarantine: bool = False,
    allow_unknown: bool = False,
    missing_message: Callable[[list[str]], str] | None = None,
) -> Table:
    """Parse a whole CSV file into checked rows (see the module docstring for the two modes)."""
    reader = csv.DictReader(io.StringIO(decode_text(data, file)))
    header = [h.strip() for h in reader.fieldnames or []]
    check_header(header, columns, file, missing_message=missing_message, allow_unknown=allow_unknown)
    checks = [c for c in columns if c.check is not None]
    table = Table(file, header)
    for number, raw in enumerate(reader, start=2):
        cells = {k.strip(): ((v or "").strip() or None) for k, v in raw.items() if k}
        try:
            if None in raw:
                raise InputError("more fields than the header", file=file, row=number)
            for column in checks:
                value = cells.get(column.name)
                problem = column.check(value) if value is not None and column.check else None
                if problem:
                    raise InputError(problem, file=file, row=number, field=column.name)
        except InputError as exc:
            if not quarantine:
                raise
            table.quarantined.append(Quarantined(number, exc.field, exc.detail, cells))
            continue
        table.rows.append(Row(file, number, cells))
    return table


def accept(table: Table, row: Row, error: InputError, *, quarantine: bool) -> None:
    """A caller's own check failed on `row`: raise it (strict) or move the row to quarantine."""
    if not quarantine:
        raise error
    table.rows = [r for r in table.rows if r is not row]
    table.quarantined.append(Quarantined(row.number, error.field, error.detail, row.cells))


# --- frames (Polars) --------------------------------------------------------------------------------


def read_frame(path: Path, *, comment_prefix: str | None = "#") -> tuple[bytes, pl.DataFrame]:
    """A CSV or Parquet file as (its bytes, a frame of text columns with empty cells as null).

    Floating-point columns in a Parquet file are refused: an amount that went through a float has
    already lost cents, so it must arrive as decimal text.
    """
    import polars as pl

    spath = str(path)
    raw = read_bytes(path)
    if path.suffix == ".csv":
        decode_text(raw, spath)  # the encoding error names its row; Polars' would not
        try:
            frame = pl.read_csv(
                raw, infer_schema=False, comment_prefix=comment_prefix, truncate_ragged_lines=False
            )
        except pl.exceptions.ComputeError as exc:
            raise InputError(f"not a readable CSV: {exc}", file=spath) from None
    elif path.suffix == ".parquet":
        frame = pl.read_parquet(path)
    else:
        raise InputError("tables are read from .csv or .parquet files", file=spath)
    return raw, as_text(frame, spath)


def as_text(frame: pl.DataFrame, file: str) -> pl.DataFrame:
    """Every column as text, an empty cell as null (missing, never zero); floats refused."""
    import polars as pl

    for name, dtype in frame.schema.items():
        if dtype.is_float():
            raise InputError("amounts must be decimal or text, not floating point", file=file, field=name)
    return frame.with_columns(pl.all().cast(pl.String).replace("", None))


def first_bad_row(frame: pl.DataFrame, ok: pl.Expr, column: str) -> int | None:
    """0-based index (among data rows) of the first non-null value of `column` failing `ok`."""
    import polars as pl

    bad = frame.select(pl.arg_where(pl.col(column).is_not_null() & ~ok)).to_series()
    return int(bad[0]) if len(bad) else None


def first_null_row(frame: pl.DataFrame, column: str) -> int | None:
    import polars as pl

    nulls = frame.select(pl.arg_where(pl.col(column).is_null())).to_series()
    return int(nulls[0]) if len(nulls) else None
