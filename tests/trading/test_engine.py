"""The engines: local and Spark run the same pure partition function and agree row for row."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest

from proctor.trading.engine import OUTPUT_SCHEMA, run, run_partition, to_arrow_rows
from proctor.trading.params import KernelParams
from tests.trading.days import OPEN_BOOK, at, evidence, quotes, trade, usd

BEFORE, AFTER = date(2025, 10, 31), date(2025, 11, 4)


def _trades(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows).with_columns(pl.col("modifiers").cast(pl.List(pl.Utf8)))


def sample() -> list[tuple]:
    """Three symbol-days: a manual-desk trade-through, look-alikes, an odd lot the tier protects."""
    flicker_book = [
        *OPEN_BOOK,
        ("15:00:00.500", "N", "10.00", 300, "10.06", 200, "R"),
        ("15:00:00.500", "N", "10.00", 300, "10.01", 200, "R"),  # same instant: file order decides
    ]
    acme_before = _trades(
        [
            trade("A1", "15:00:00", "B", "10.05"),
            trade("A2", "15:00:00", "B", "10.02"),
            trade("A3", "15:00:00", "B", "10.05", modifiers=["4"], order_id="VWAP-1"),
            trade("A4", "15:00:01", "S", "9.97", modifiers=["3"]),
        ]
    )
    ev = evidence({"kind": "benchmark", "order_id": "VWAP-1", "symbol": "ACME", "detail": "VWAP"})
    acme_after = _trades([trade("A5", "15:00:01", "B", "10.04"), trade("A6", "15:00:01", "B", "10.00")])
    bolt_book = [*OPEN_BOOK, ("14:59:30", "Z", "9.99", 500, "10.01", 50, "R")]
    bolt = _trades(
        [trade("B1", "15:00:00", "B", "10.02", settlement="cash"), trade("B2", "15:00:00", "B", "10.02")]
    )
    return [
        ("ACME", BEFORE, quotes(*OPEN_BOOK), acme_before, ev),
        ("BOLT", AFTER, quotes(*bolt_book), bolt, None),
        ("ACME", AFTER, quotes(*flicker_book), acme_after, evidence()),
    ]


def params_for(symbol: str, day: date) -> KernelParams:
    lot = 40 if (symbol, day) == ("BOLT", AFTER) else 100  # BOLT's post-MDI tier
    return KernelParams(
        round_lot=lot, protected_venues=("N", "P", "Z"), rule_version=f"r611/{day.isoformat()}"
    )


def test_local_engine_runs_each_symbol_day_and_orders_results() -> None:
    out = run(sample(), params_for)
    assert out.schema == pl.Schema(OUTPUT_SCHEMA)
    assert out.select("symbol", "date", "trade_id").rows() == [
        ("ACME", BEFORE, "A1"), ("ACME", BEFORE, "A2"), ("ACME", BEFORE, "A3"), ("ACME", BEFORE, "A4"),
        ("ACME", AFTER, "A5"), ("ACME", AFTER, "A6"), ("BOLT", AFTER, "B1"), ("BOLT", AFTER, "B2"),
    ]  # fmt: skip
    status = dict(zip(out["trade_id"], out["status"], strict=True))
    assert status == {
        "A1": "violation", "A2": "compliant", "A3": "exempt", "A4": "exempt_claimed",
        "A5": "violation", "A6": "compliant", "B1": "exempt", "B2": "violation",
    }  # fmt: skip
    # At 15:00:00.500 N's 10.01 row follows its 10.06 row in the file: the 10.06 offer was replaced
    # within the same instant, never displayed, so it cannot give a flicker exception.
    a5 = out.filter(pl.col("trade_id") == "A5").row(0, named=True)
    assert (a5["nbo"], a5["nbo_venues"], a5["through_venues"]) == (usd("10.01"), ["N"], ["N", "P", "Z"])
    assert '"clause":"b8","reason":"no traded-through venue' in a5["detail"]
    one = run_partition("ACME", BEFORE, *sample()[0][2:], params_for("ACME", BEFORE))
    assert one.equals(out.filter((pl.col("symbol") == "ACME") & (pl.col("date") == BEFORE)))


def test_engine_refuses_a_repeated_symbol_day_and_unknown_engines() -> None:
    parts = sample()
    with pytest.raises(ValueError, match="ACME 2025-10-31 given more than once"):
        run([parts[0], parts[0]], params_for)
    with pytest.raises(ValueError, match="engine must be one of"):
        run(parts, params_for, engine="dask")


def test_spark_input_is_one_kind_tagged_arrow_table() -> None:
    table = to_arrow_rows(sample())
    kinds = pl.from_arrow(table).group_by("kind").len().sort("kind").rows()
    assert kinds == [("evidence", 1), ("quote", 3 + 4 + 5), ("trade", 8)]
    assert table.schema.field("t_modifiers").type.value_type == table.schema.field("q_venue").type


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: the Spark engine needs Java 17")
    from proctor.trading.engine import spark_session

    session = spark_session("proctor-trading-test")
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_engine_gives_identical_results_to_the_local_engine(spark) -> None:  # type: ignore[no-untyped-def]
    local = run(sample(), params_for, engine="local")
    on_spark = run(sample(), params_for, engine="spark", spark=spark)
    assert on_spark.schema == local.schema
    assert on_spark.to_dicts() == local.to_dicts()
    assert at("15:00:00") in on_spark["ts"].to_list()
