"""Turning synthetic frames into a book the same way files are loaded."""

from __future__ import annotations

from typing import Any

import polars as pl

from proctor.reserve.loaders import Book, Firm, LoadedFile, prepare
from proctor.reserve.money import to_cents
from proctor.reserve.schemas import SCHEMAS
from proctor.reserve.writer import control_for


def book_from_frames(frames: dict[str, pl.DataFrame], firm: dict[str, Any]) -> Book:
    files = {}
    for name, raw in frames.items():
        frame, missing = prepare(raw, SCHEMAS[name], f"{name}.parquet", f"{name}.parquet")
        files[name] = LoadedFile(name, f"{name}.parquet", "", frame, control_for(name, raw), missing)
    return Book(files=files, firm=Firm(firm["name"], to_cents(firm["tentative_net_capital"])))
