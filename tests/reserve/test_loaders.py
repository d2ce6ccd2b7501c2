"""Canonical files: CSV trailers, Parquet companions, and errors that name file, row and field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from proctor.core.errors import InputError
from proctor.reserve.loaders import load_book, load_file
from proctor.reserve.schemas import SCHEMAS
from proctor.reserve.writer import write_book
from tests.reserve.books import FIRM, carrying_firm

HEADER = "item_ref,book,kind,amount,age_days\n"


def test_csv_trailer_is_read_and_rows_carry_lineage(tmp_path: Path) -> None:
    path = tmp_path / "other_items.csv"
    path.write_text(HEADER + "D1,customer,outstanding_draft,500.29,\n#TRAILER|rows=1|amount=500.29\n")
    loaded = load_file(path, SCHEMAS["other_items"])
    assert loaded.control is not None and loaded.control.totals == {"amount": 50029}
    row = loaded.frame.row(0, named=True)
    assert row["amount"] == 50029  # exact cents, never through a float
    assert (row["_file"], row["_row"], len(row["_row_hash"])) == ("other_items.csv", 1, 32)


def test_bad_amount_names_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "other_items.csv"
    path.write_text(HEADER + "D1,customer,outstanding_draft,500.00,\nD2,customer,bank_loan,12.345,\n")
    with pytest.raises(InputError) as err:
        load_file(path, SCHEMAS["other_items"])
    assert (err.value.row, err.value.field) == (2, "amount")
    assert "other_items.csv" in str(err.value) and "'12.345'" in str(err.value)


def test_unknown_enum_and_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "other_items.csv"
    path.write_text(HEADER + "D1,customer,mystery,1.00,\n")
    with pytest.raises(InputError, match="must be one of"):
        load_file(path, SCHEMAS["other_items"])
    path.write_text("item_ref,book,amount\nD1,customer,1.00\n")
    with pytest.raises(InputError, match="required column is missing") as err:
        load_file(path, SCHEMAS["other_items"])
    assert err.value.field == "kind"


def test_conditional_column_absent_is_missing_not_zero(tmp_path: Path) -> None:
    tables = carrying_firm()
    for row in tables["accounts"]:
        del row["short_market_value"]
    write_book(tmp_path, tables, FIRM)
    book = load_book(tmp_path)
    assert book.missing("accounts", "short_market_value")
    assert book.frame("accounts")["short_market_value"].null_count() == book.frame("accounts").height


def test_parquet_with_companion_control_file(tmp_path: Path) -> None:
    write_book(tmp_path, carrying_firm(), FIRM, fmt_="parquet")
    control = json.loads((tmp_path / "accounts.control.json").read_text())
    assert control["rows"] == 15 and control["totals"]["short_market_value"] == "8000.00"
    book = load_book(tmp_path)
    assert book.files["accounts"].control.source == "companion"
    assert (
        book.files["accounts"].actual_totals()["debit_balance"] == 10_490_001
    )  # 92,900.01 customer + 12,000 PAB


def test_parquet_float_money_is_refused(tmp_path: Path) -> None:
    pl.DataFrame(
        {"item_ref": ["D1"], "book": ["customer"], "kind": ["bank_loan"], "amount": [0.1]}
    ).write_parquet(tmp_path / "other_items.parquet")
    with pytest.raises(InputError, match="not floating point"):
        load_file(tmp_path / "other_items.parquet", SCHEMAS["other_items"])


def test_parquet_decimal_money_is_exact(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"item_ref": ["D1"], "book": ["customer"], "kind": ["bank_loan"], "amount": [Decimal("0.29")]},
        schema={"item_ref": pl.String, "book": pl.String, "kind": pl.String, "amount": pl.Decimal(18, 2)},
    )
    frame.write_parquet(tmp_path / "other_items.parquet")
    assert load_file(tmp_path / "other_items.parquet", SCHEMAS["other_items"]).frame["amount"][0] == 29


def test_missing_file_is_recorded_and_firm_file_required(tmp_path: Path) -> None:
    write_book(tmp_path, carrying_firm(), FIRM)
    (tmp_path / "fails.csv").unlink()
    assert load_book(tmp_path).absent == frozenset({"fails"})
    (tmp_path / "firm.json").unlink()
    with pytest.raises(InputError, match=r"firm\.json"):
        load_book(tmp_path)
