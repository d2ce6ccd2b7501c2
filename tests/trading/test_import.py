"""Importers: exact parsing, quarantine with file/row/field, partitions journaled once, idempotence."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import polars as pl
import pytest
import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.store.schema import journal_events
from proctor.trading import importers, store
from proctor.trading.tables import files, imports
from tests.trading.desk import CLOCK, QUOTES, REFPRICES, TRADES, write


def test_quote_times_keep_nanoseconds_and_offsets(tmp_path) -> None:
    path = write(
        tmp_path,
        "q.csv",
        "ts,symbol,venue,bid_px,bid_size,ask_px,ask_size,condition\n"
        "2025-11-04T09:30:00.123456789-05:00,ACME,N,10.00,500,10.02,500,R\n"
        "2025-11-04T14:30:00.5Z,ACME,P,0,0,10.03,300,R\n"
        "2025-11-04T09:30:01-05:00,ACME,Z,,,10.04,100,R\n",
    )
    parsed, _, fmt = importers.parse("quotes", path)
    assert fmt == "csv" and parsed.quarantined_rows == 0
    rows = parsed.frame.to_dicts()
    assert rows[0]["ts"] == 1762266600_123456789  # 14:30:00.123456789 UTC
    assert rows[1]["ts"] == 1762266600_500000000
    assert rows[0]["bid_px"] == 10_000_000 and rows[0]["ask_px"] == 10_020_000
    assert rows[1]["bid_px"] == 0 and rows[1]["bid_size"] == 0  # zero: no bid on that side
    assert rows[2]["bid_px"] is None and rows[2]["bid_size"] is None  # blank: not shown, not zero
    assert [r["seq"] for r in rows] == [2, 3, 4]  # file order is the tie-breaker
    assert {r["day"] for r in rows} == {date(2025, 11, 4)}


def test_bad_quote_rows_are_quarantined_with_file_row_and_field(tmp_path) -> None:
    path = write(
        tmp_path,
        "q.csv",
        "ts,symbol,venue,bid_px,bid_size,ask_px,ask_size,condition\n"
        "2025-11-04T09:30:00,ACME,N,10.00,500,10.02,500,R\n"
        "2025-11-04T09:30:00-05:00,ACME,N,10.001234567,500,10.02,500,R\n"
        "2025-11-04T09:30:00-05:00,ACME,N,10.00,,10.02,500,R\n"
        "2025-11-04T09:30:00-05:00,ACME,N,-1,100,10.02,500,R\n"
        "yesterday,ACME,N,10.00,100,10.02,500,R\n"
        "2025-11-04T09:30:00-05:00,ACME,N,10.00,100,10.02,500,\n"
        "2025-11-04T09:30:02-05:00,ACME,P,10.00,100,10.02,500,R\n",
    )
    parsed, _, _ = importers.parse("quotes", path)
    found: dict[tuple[int, str], str] = {}
    for i in parsed.issues:
        found.setdefault((i.row, i.field), i.reason)
    assert found[(2, "ts")] == "no UTC offset: the instant is ambiguous"
    assert found[(3, "bid_px")] == "more than 6 decimal places"
    assert found[(4, "bid_size")] == "blank size while a price is shown"
    assert found[(5, "bid_px")] == "negative price"
    assert found[(6, "ts")].startswith("not an ISO-8601 time")
    assert found[(7, "condition")].startswith("blank condition")
    assert all(i.file == str(path) for i in parsed.issues)
    assert parsed.quarantined_rows == 6 and parsed.frame.height == 1 and parsed.rows_read == 7


def test_taq_layout_reads_sizes_in_round_lots_and_says_so(tmp_path) -> None:
    path = write(
        tmp_path,
        "taq.csv",
        "DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL\n2018-01-02T09:30:00.093-05:00,N,156.72,3,157.08,2,XXX\n",
    )
    shares, _, _ = importers.parse("quotes", path)
    lots, _, fmt = importers.parse("quotes", path, lots=True)
    assert fmt == "taq"
    assert shares.frame["bid_size"].to_list() == [3] and lots.frame["bid_size"].to_list() == [300]
    assert any("--lots" in n for n in shares.notes) and any("round lots of 100" in n for n in lots.notes)
    assert any("no quote condition" in n for n in lots.notes)


def test_trade_reports_parse_modifiers_settlement_and_trader(tmp_path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        TRADES
        + "A-4,ACME,2025-11-04T09:31:00-05:00,,B,10.02,100,,O-5,OTC,principal,regular,\n"
        + "A-6,ACME,2025-11-04T09:31:00-05:00,,X,10.02,0,,O-6,OTC,principal,T+1,\n"
        + "A-7,ACME,2025-11-04T09:31:00-05:00,,B,10.02,100,3 F,O-7,OTC,agency,,\n",
    )
    parsed, _, _ = importers.parse("trades", path)
    found = {(i.row, i.field) for i in parsed.issues}
    assert {(6, "trade_id"), (7, "side"), (7, "quantity"), (7, "settlement")} <= found
    good = {r["trade_id"]: r for r in parsed.frame.to_dicts()}
    assert set(good) == {"A-1", "A-2", "A-3", "A-4", "A-7"}
    assert good["A-7"]["modifiers"] == ["3", "F"] and good["A-7"]["settlement"] is None
    assert good["A-1"]["modifiers"] == [] and good["A-1"]["trader"] == "erin"
    assert good["A-4"]["settlement"] == "cash" and good["A-1"]["ts"] % 1_000_000_000 == 1


def test_evidence_clock_and_reference_prices(tmp_path) -> None:
    ev = write(
        tmp_path,
        "e.csv",
        "kind,order_id,venue,symbol,start_time,end_time,price,detail\n"
        "self_help,,K,,2025-11-04T12:59:40-05:00,2025-11-04T13:30:00-05:00,,K not responding\n"
        "stopped_order,O-9,,ACME,2025-11-04T12:20:00-05:00,,10.00,stopped at 10.00\n"
        "stopped_order,O-10,,ACME,2025-11-04T12:20:00-05:00,,,no price\n"
        "self_help,,,,2025-11-04T12:59:40-05:00,,,no venue\n"
        "teleport,O-1,,ACME,2025-11-04T12:20:00-05:00,,,\n",
    )
    parsed, _, _ = importers.parse("evidence", ev)
    assert {(i.row, i.field) for i in parsed.issues} >= {(4, "price"), (5, "venue"), (6, "kind")}
    rows = parsed.frame.to_dicts()
    assert [r["kind"] for r in rows] == ["self_help", "stopped_order"]
    assert rows[0]["symbol"] == "_all" and rows[1]["end_ts"] is None and rows[1]["price"] == 10_000_000
    clock, _, _ = importers.parse(
        "clock", write(tmp_path, "c.csv", CLOCK + "oms-3,2025-11-04T09:30:00-05:00,-50.0004\n")
    )
    assert clock.frame["offset_ns"].to_list() == [1_250_000, -500_000, -50_000_400]
    ref, _, _ = importers.parse("refprices", write(tmp_path, "r.csv", REFPRICES + "ACME,2025-13,1\n"))
    assert ref.frame.to_dicts() == [
        {
            "day": date(2025, 10, 1),
            "symbol": "_all",
            "ref_symbol": "ACME",
            "month": "2025-10",
            "avg_close": 10_120_000,
        }
    ]
    assert [(i.row, i.field) for i in ref.issues] == [(3, "month")]


def test_missing_columns_is_one_clear_error(tmp_path) -> None:
    path = write(tmp_path, "q.csv", "ts,symbol,venue\n2025-11-04T09:30:00Z,ACME,N\n")
    with pytest.raises(InputError, match=r"q\.csv: missing columns \['bid_px'"):
        importers.parse("quotes", path)


def test_partitions_are_journaled_once_and_reimport_changes_nothing(ws, tmp_path) -> None:
    text = QUOTES + QUOTES.splitlines()[1].replace("ACME", "BETA") + "\n"
    path = write(tmp_path, "q.csv", text)
    first = store.import_file(ws, "quotes", path, actor="ada")
    assert not first["duplicate"] and first["rows_stored"] == 10 and len(first["partitions"]) == 2
    with ws.read() as conn:
        events = conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar()
        kinds = conn.execute(sa.select(files.c.symbol, files.c.path).order_by(files.c.symbol)).all()
    assert [k.symbol for k in kinds] == ["ACME", "BETA"]
    assert kinds[0].path.startswith("trading/quotes/date=2025-11-04/symbol=ACME/")
    again = store.import_file(ws, "quotes", path, actor="ada")
    assert again["duplicate"] and again["id"] == first["id"]
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar() == events
        assert conn.execute(sa.select(sa.func.count()).select_from(imports)).scalar() == 1
        leaves = (
            conn.execute(
                sa.select(journal_events.c.subject_kind).where(
                    journal_events.c.subject_kind.like("trading.%")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(leaves) == [
        "trading.file",
        "trading.file",
        "trading.import",
    ]  # one leaf per file, not per quote
    lots = store.import_file(ws, "quotes", path, actor="ada", lots=True)  # other options: a new import
    assert not lots["duplicate"]
    frame = store.load(ws, "quotes", date(2025, 11, 4), "ACME")
    assert frame is not None and frame.height == 18 and frame["seq"].to_list() == list(range(18))


def test_quarantine_is_stored_and_counted(ws, tmp_path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        TRADES + "A-9,ACME,2025-11-04T09:31:00-05:00,,B,ten,100,,O-9,OTC,principal,regular,\n",
    )
    row = store.import_file(ws, "trades", path, actor="ada")
    assert row["quarantined"] == 1 and row["rows_stored"] == 4
    assert store.quarantine(ws, row["id"]) == [
        {"file": str(path), "row": 6, "field": "price", "value": "ten", "reason": "not a decimal price"}
    ]
    only = store.import_file(ws, "trades", path, actor="ada", day=date(2025, 11, 5))
    assert only["rows_stored"] == 0 and only["quarantined"] == 5
    assert pl.DataFrame(store.quarantine(ws, only["id"]))["reason"].str.contains("--date").sum() == 5


def test_parquet_quotes_with_zoned_times_and_decimal_text(tmp_path) -> None:
    from datetime import datetime

    frame = pl.DataFrame(
        {
            "ts": [datetime(2025, 11, 4, 14, 30, 0, 250, tzinfo=UTC)],
            "symbol": ["ACME"],
            "venue": ["N"],
            "bid_px": ["10.00"],
            "bid_size": [500],
            "ask_px": ["10.02"],
            "ask_size": [500],
            "condition": ["R"],
        }
    )
    path = tmp_path / "q.parquet"
    frame.write_parquet(path)
    parsed, _, fmt = importers.parse("quotes", path)
    assert fmt == "parquet" and parsed.quarantined_rows == 0
    assert parsed.frame["ts"].to_list() == [1762266600_000250000]
    frame.with_columns(pl.lit(10.0).alias("bid_px")).write_parquet(path)
    with pytest.raises(InputError, match="not floating point"):  # a float has already lost the exact price
        importers.parse("quotes", path)


def test_a_trade_in_year_9999_is_quarantined_not_wrapped_into_another_century(tmp_path) -> None:
    """Int64 nanoseconds end in 2262: a year-9999 time used to wrap around and be stored on a day in 1816."""
    path = write(
        tmp_path,
        "t.csv",
        TRADES + "A-9,ACME,9999-12-31T23:59:59-05:00,,B,10.02,100,,O-9,OTC,principal,regular,\n",
    )
    parsed, _, _ = importers.parse("trades", path)
    assert (6, "execution_time") in {(i.row, i.field) for i in parsed.issues}
    assert "A-9" not in set(parsed.frame["trade_id"].to_list())
    assert parsed.frame["day"].dt.year().min() >= 2025


def test_a_latin1_export_is_refused_naming_the_row_and_byte(tmp_path) -> None:
    path = tmp_path / "t.csv"
    row = "A-8,ACME,2025-11-04T09:31:00-05:00,,B,10.02,100,,O-8,Désk,principal,regular,\n"
    path.write_bytes(TRADES.encode() + row.encode("latin-1"))
    column = row.index("é") + 1
    with pytest.raises(InputError, match=rf"t\.csv, row 6: not UTF-8: byte 0xE9 at column {column};"):
        importers.parse("trades", path)


def test_a_trade_dated_after_the_import_is_quarantined_as_future(ws, tmp_path) -> None:
    """A future date is not today: a trade the import says happened next week has not happened."""
    now = ws.clock.now()
    later = now.replace(microsecond=0) + timedelta(days=7)
    soon = now.replace(microsecond=0) + timedelta(seconds=30)  # within the allowance for a fast source clock
    path = write(
        tmp_path,
        "t.csv",
        TRADES
        + f"A-7,ACME,{later.isoformat()},,B,10.02,100,,O-7,OTC,principal,regular,\n"
        + f"A-6,ACME,{soon.isoformat()},,B,10.02,100,,O-6,OTC,principal,regular,\n",
    )
    row = store.import_file(ws, "trades", path, actor="ada")
    future = [q for q in store.quarantine(ws, row["id"]) if q["field"] == "execution_time"]
    assert [q["row"] for q in future] == [6]
    assert (
        future[0]["reason"].startswith("after the import time ")
        and "a future time is not today" in future[0]["reason"]
    )
    parsed, _, _ = importers.parse(
        "trades", path
    )  # without an import time (a what-if parse) nothing is judged
    assert "A-7" in set(parsed.frame["trade_id"].to_list())
