"""Load canonical input files into Polars frames that remember where every row came from.

Files are read by the platform's tabular intake (:mod:`proctor.platform.intake`: CSV or Parquet,
text columns, empty cells as missing, floats refused). Every row keeps its file name, its data-row
number (1 = first row after the header) and a SHA-256 of its text, so any dollar on an Exhibit A
line can be traced back to the exact source row. Values are validated column by column,
vectorised; the first bad value is reported with file, row and field. A conditional column that a
feed does not carry is kept as missing (null), never as zero.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from proctor.core.errors import InputError
from proctor.platform.intake import as_text, first_bad_row, first_null_row, read_frame
from proctor.reserve.money import AMOUNT_PATTERN, cents_expr, to_cents
from proctor.reserve.schemas import FIRM_FILE, SCHEMAS, FileSchema

TRUE = ("true", "t", "yes", "y", "1")
FALSE = ("false", "f", "no", "n", "0")
SHARE_PATTERN = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"
INT_PATTERN = r"^-?[0-9]+$"
LINEAGE = ("_file", "_row", "_row_hash")


@dataclass(frozen=True)
class ControlTotals:
    """What the sending system says it sent: a row count and totals per money column."""

    source: str  # "trailer" or "companion"
    rows: int
    totals: dict[str, int]


@dataclass
class LoadedFile:
    name: str
    path: str
    file_sha256: str
    frame: pl.DataFrame
    control: ControlTotals | None
    missing_columns: frozenset[str] = field(default_factory=frozenset)

    def actual_totals(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for col in self.control.totals if self.control else {}:
            if col in self.missing_columns or col not in self.frame.columns:
                out[col] = None
            else:
                out[col] = int(self.frame[col].fill_null(0).sum())
        return out


def _parse_trailer(line: str, path: str) -> ControlTotals:
    parts = line.strip().lstrip("#").split("|")
    if parts[0].strip().upper() != "TRAILER":
        raise InputError("trailer line must start with #TRAILER", file=path, field="trailer")
    rows: int | None = None
    totals: dict[str, int] = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        try:
            if key.strip() == "rows":
                rows = int(value)
            else:
                totals[key.strip()] = to_cents(value)
        except ValueError as exc:
            raise InputError(f"bad trailer value: {exc}", file=path, field=key.strip()) from None
    if rows is None:
        raise InputError("trailer has no rows= count", file=path, field="trailer")
    return ControlTotals("trailer", rows, totals)


def _read_companion(path: Path) -> ControlTotals | None:
    companion = path.with_name(f"{path.stem}.control.json")
    if not companion.exists():
        return None
    try:
        data = json.loads(companion.read_text("utf-8"))
        totals = {k: to_cents(v) for k, v in (data.get("totals") or {}).items()}
        return ControlTotals("companion", int(data["rows"]), totals)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"unreadable control file: {exc}", file=str(companion)) from None


def _last_line(raw: bytes) -> str:
    tail = raw.rstrip(b"\r\n")
    return tail[tail.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")


def _convert(frame: pl.DataFrame, schema: FileSchema, path: str) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    for col in schema.columns:
        if col.name not in frame.columns:
            continue
        text = pl.col(col.name).str.strip_chars()
        checks: dict[str, tuple[pl.Expr, str]] = {
            "money": (text.str.contains(AMOUNT_PATTERN), "is not an amount to the cent"),
            "int": (text.str.contains(INT_PATTERN), "is not a whole number"),
            "bool": (text.str.to_lowercase().is_in([*TRUE, *FALSE]), "is not true/false"),
            "share": (text.str.contains(SHARE_PATTERN), "is not a share between 0 and 1 (4 places)"),
            "enum": (text.is_in(list(col.values)), f"must be one of {', '.join(col.values)}"),
        }
        if col.kind in checks:
            ok, why = checks[col.kind]
            bad = first_bad_row(frame, ok, col.name)
            if bad is not None:
                value = frame[col.name][bad]
                raise InputError(f"value {value!r} {why}", file=path, row=bad + 1, field=col.name)
        if col.required and not col.conditional and col.kind != "str":
            null = first_null_row(frame, col.name)
            if null is not None:
                raise InputError("value is missing", file=path, row=null + 1, field=col.name)
        if col.kind == "money":
            exprs.append(cents_expr(col.name))
        elif col.kind == "int":
            exprs.append(text.cast(pl.Int64).alias(col.name))
        elif col.kind == "bool":
            exprs.append(text.str.to_lowercase().is_in(TRUE).alias(col.name))
        elif col.kind == "share":
            share = text.str.split_exact(".", 1)
            whole = share.struct.field("field_0").cast(pl.Int64)
            frac = share.struct.field("field_1").fill_null("").str.pad_end(4, "0").cast(pl.Int64)
            exprs.append((whole * 10000 + frac).alias(col.name))
        else:
            exprs.append(text.alias(col.name))
    return frame.with_columns(exprs)


def _row_hashes(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    joined = frame.select(
        pl.concat_str([pl.col(c).fill_null("\x00") for c in columns], separator="\x1f").alias("t")
    ).to_series()
    return pl.Series(
        "_row_hash",
        [hashlib.sha256(t.encode("utf-8")).hexdigest()[:32] for t in joined],
        dtype=pl.String,
    )


def load_file(path: Path, schema: FileSchema) -> LoadedFile:
    """Read one canonical file (CSV or Parquet), validate it and attach lineage columns."""
    spath = str(path)
    if path.suffix not in (".csv", ".parquet"):
        raise InputError("canonical inputs are .csv or .parquet", file=spath)
    control = _read_companion(path)
    raw, frame = read_frame(path)
    if path.suffix == ".csv":
        last = _last_line(raw)
        if last.startswith("#"):
            control = _parse_trailer(last, spath)
    frame, missing = prepare(frame, schema, spath, path.name)
    return LoadedFile(
        name=schema.name,
        path=spath,
        file_sha256=hashlib.sha256(raw).hexdigest(),
        frame=frame,
        control=control,
        missing_columns=missing,
    )


def prepare(
    frame: pl.DataFrame, schema: FileSchema, spath: str, file_name: str
) -> tuple[pl.DataFrame, frozenset[str]]:
    """Validate and type a raw frame and attach lineage; shared by files and in-memory books."""
    frame = as_text(frame, spath)
    missing: set[str] = set()
    for col in schema.columns:
        if col.name in frame.columns:
            continue
        if col.required and not col.conditional:
            raise InputError("required column is missing", file=spath, field=col.name)
        missing.add(col.name)
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(col.name))
    known = [c.name for c in schema.columns]
    hashes = _row_hashes(frame, known)
    frame = _convert(frame.select(known), schema, spath)
    frame = frame.with_columns(
        pl.lit(file_name).alias("_file"),
        pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("_row"),
        hashes,
    )
    return frame, frozenset(missing)


@dataclass
class Firm:
    """Firm facts the formula needs that are not rows: tentative net capital and the like."""

    name: str
    tentative_net_capital: int | None
    aggregate_indebtedness_ratio: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def load_firm(path: Path) -> Firm:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable firm file: {exc}", file=str(path)) from None
    tnc = data.get("tentative_net_capital")
    try:
        tnc_cents = None if tnc in (None, "") else to_cents(tnc)
    except ValueError as exc:
        raise InputError(str(exc), file=str(path), field="tentative_net_capital") from None
    return Firm(
        name=str(data.get("name", "")),
        tentative_net_capital=tnc_cents,
        aggregate_indebtedness_ratio=data.get("aggregate_indebtedness_ratio"),
        raw=data,
    )


@dataclass
class Book:
    """Everything one as-of date's computation reads; absent files are recorded, not invented."""

    files: dict[str, LoadedFile]
    firm: Firm
    absent: frozenset[str] = field(default_factory=frozenset)

    def frame(self, name: str) -> pl.DataFrame:
        if name in self.files:
            return self.files[name].frame
        schema = SCHEMAS[name]
        return pl.DataFrame(
            {c.name: [] for c in schema.columns} | {k: [] for k in LINEAGE},
        ).select(_empty_exprs(schema))

    def missing(self, name: str, column: str) -> bool:
        return name not in self.files or column in self.files[name].missing_columns

    def input_manifest(self) -> list[dict[str, Any]]:
        return [
            {"file": f.name, "path": Path(f.path).name, "sha256": f.file_sha256, "rows": f.frame.height}
            for f in sorted(self.files.values(), key=lambda f: f.name)
        ]


_DTYPES = {"money": pl.Int64, "int": pl.Int64, "bool": pl.Boolean, "share": pl.Int64}


def _empty_exprs(schema: FileSchema) -> list[pl.Expr]:
    exprs = [pl.col(c.name).cast(_DTYPES.get(c.kind, pl.String)) for c in schema.columns]
    exprs += [
        pl.col("_file").cast(pl.String),
        pl.col("_row").cast(pl.Int64),
        pl.col("_row_hash").cast(pl.String),
    ]
    return exprs


def find_input(directory: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = directory / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def load_book(directory: Path) -> Book:
    """Load every canonical file present in a directory; the gates judge what is absent."""
    if not directory.is_dir():
        raise InputError("input directory does not exist", file=str(directory))
    files: dict[str, LoadedFile] = {}
    absent: set[str] = set()
    for name, schema in SCHEMAS.items():
        path = find_input(directory, name)
        if path is None:
            absent.add(name)
        else:
            files[name] = load_file(path, schema)
    firm_path = directory / FIRM_FILE
    if not firm_path.exists():
        raise InputError("firm.json (tentative net capital, firm name) is missing", file=str(firm_path))
    return Book(files=files, firm=load_firm(firm_path), absent=frozenset(absent))
