"""Write canonical input files (with their control totals) and build books from literal tables.

Used by the demo, the benchmark and tests, and by firms that convert a feed to the canonical form:
the control totals are computed here from the same rows, so a file and its trailer always agree
unless the feed itself drops something — which is exactly what the gates look for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from proctor.reserve.loaders import Book, ControlTotals, Firm, LoadedFile, prepare
from proctor.reserve.money import fmt, to_cents
from proctor.reserve.schemas import FIRM_FILE, SCHEMAS

Rows = Iterable[Mapping[str, Any]]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def raw_frame(name: str, rows: Rows) -> pl.DataFrame:
    schema = SCHEMAS[name]
    rows = list(rows)
    present = (
        [c.name for c in schema.columns if any(c.name in r for r in rows)]
        if rows
        else [c.name for c in schema.columns if c.required or c.conditional]
    )
    return pl.DataFrame(
        {col: [_text(r.get(col)) for r in rows] for col in present},
        schema={col: pl.String for col in present},
    )


def control_for(name: str, frame: pl.DataFrame) -> ControlTotals:
    totals: dict[str, int] = {}
    for col in SCHEMAS[name].totals:
        if col in frame.columns:
            totals[col] = sum(to_cents(v) for v in frame[col].drop_nulls() if v.strip())
    return ControlTotals("trailer", frame.height, totals)


def trailer_line(control: ControlTotals) -> str:
    parts = [f"rows={control.rows}"] + [
        f"{k}={fmt(v).replace(',', '').replace('(', '-').rstrip(')')}" for k, v in control.totals.items()
    ]
    return "#TRAILER|" + "|".join(parts)


def write_file(
    directory: Path,
    name: str,
    frame: pl.DataFrame,
    *,
    fmt_: str = "csv",
    control: ControlTotals | None = None,
) -> Path:
    control = control or control_for(name, frame)
    directory.mkdir(parents=True, exist_ok=True)
    if fmt_ == "parquet":
        path = directory / f"{name}.parquet"
        frame.write_parquet(path)
        companion = {
            "rows": control.rows,
            "totals": {
                k: fmt(v).replace(",", "").replace("(", "-").rstrip(")") for k, v in control.totals.items()
            },
        }
        (directory / f"{name}.control.json").write_text(json.dumps(companion, indent=2), "utf-8")
        return path
    path = directory / f"{name}.csv"
    body = frame.write_csv(null_value="")
    path.write_text(body + trailer_line(control) + "\n", "utf-8")
    return path


def write_firm(directory: Path, firm: Mapping[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FIRM_FILE
    path.write_text(json.dumps(dict(firm), indent=2, sort_keys=True), "utf-8")
    return path


def write_book(
    directory: Path, tables: Mapping[str, Rows], firm: Mapping[str, Any], *, fmt_: str = "csv"
) -> None:
    for name in SCHEMAS:
        write_file(directory, name, raw_frame(name, tables.get(name, [])), fmt_=fmt_)
    write_firm(directory, firm)


def book_from_tables(tables: Mapping[str, Rows], firm: Mapping[str, Any]) -> Book:
    """An in-memory book from literal rows, validated exactly as files are."""
    files: dict[str, LoadedFile] = {}
    for name in SCHEMAS:
        raw = raw_frame(name, tables.get(name, []))
        frame, missing = prepare(raw, SCHEMAS[name], f"{name}.csv", f"{name}.csv")
        files[name] = LoadedFile(name, f"{name}.csv", "", frame, control_for(name, raw), missing)
    tnc = firm.get("tentative_net_capital")
    return Book(
        files=files,
        firm=Firm(str(firm.get("name", "")), None if tnc is None else to_cents(tnc), None, dict(firm)),
    )
