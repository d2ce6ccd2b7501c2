"""Where the Rule 611 check runs: in-process, or on Spark as `groupBy(symbol, date).applyInArrow`.

The surveillance logic is one pure function, `run_partition`, over one symbol-day; the engine only
decides where it runs. Both engines return the same frame, row for row (results are ordered by
symbol, date, then the trades' input order), which a test holds them to.

A partition is `(symbol, date, quotes, trades, evidence)`: the contract frames of `kernel`
(quotes), `tradethrough` (trades: trade_id, ts, side, price, quantity, modifiers, order_id, desk,
capacity, settlement) and evidence (kind, order_id, venue, symbol, start_ts, end_ts, price, detail;
None or empty when there is none). `params_for(symbol, date)` gives that day's `KernelParams`
(round lot, venues, tolerances from the versioned rule table).

Spark path: the partitions become ONE Spark DataFrame built from Arrow (rows tagged by `kind`
with prefixed columns, plus each row's input position so file order survives the shuffle), the
parameters are resolved on the driver (so a rule table never has to travel to executors), and
each group is handed back to `run_partition`. PySpark is imported only on this path.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from proctor.trading.kernel import QUOTE_COLUMNS
from proctor.trading.params import KernelParams
from proctor.trading.tradethrough import EVIDENCE_COLUMNS, RESULT_SCHEMA, TRADE_COLUMNS, check_partition

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

Partition = tuple[str, date, pl.DataFrame, pl.DataFrame, pl.DataFrame | None]
ENGINES = ("local", "spark")
OUTPUT_SCHEMA = {"symbol": pl.Utf8, "date": pl.Date, **RESULT_SCHEMA}
_PREFIX = {
    "quote": ("q_", QUOTE_COLUMNS),
    "trade": ("t_", TRADE_COLUMNS),
    "evidence": ("e_", EVIDENCE_COLUMNS),
}


def run_partition(
    symbol: str,
    day: date,
    quotes: pl.DataFrame,
    trades: pl.DataFrame,
    evidence: pl.DataFrame | None,
    params: KernelParams,
) -> pl.DataFrame:
    """The trade-through check for one symbol-day (pure): OUTPUT_SCHEMA, one row per trade."""
    out = check_partition(quotes, trades, evidence, params, symbol=symbol)
    return out.select(pl.lit(symbol, pl.Utf8).alias("symbol"), pl.lit(day, pl.Date).alias("date"), pl.all())


def run(
    partitions: Iterable[Partition],
    params_for: Callable[[str, date], KernelParams],
    engine: str = "local",
    spark: SparkSession | None = None,
) -> pl.DataFrame:
    """Run every partition on the chosen engine; results in (symbol, date, input) order."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    parts = list(partitions)
    keys = [(s, d) for s, d, _, _, _ in parts]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})[0]
        raise ValueError(f"partition {dup[0]} {dup[1]} given more than once: one partition per symbol-day")
    if engine == "local":
        frames = [run_partition(s, d, q, t, e, params_for(s, d)) for s, d, q, t, e in parts]
        out = pl.concat(frames) if frames else pl.DataFrame(schema=OUTPUT_SCHEMA)
        return out.with_row_index("_i").sort(["symbol", "date", "_i"]).drop("_i")
    return _run_spark(parts, params_for, spark)


# --------------------------------------------------------------------------- Spark


def spark_session(app: str = "proctor-trading") -> SparkSession:
    """A local-mode session: no UI, bound to 127.0.0.1, few shuffle partitions, this interpreter."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # never bind the driver to a public interface
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter (and its packages)
    return (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )


def _arrow_type(dtype: Any) -> pa.DataType:
    if dtype == pl.Int64:
        return pa.int64()
    if dtype == pl.Utf8:
        return pa.string()
    if dtype == pl.Boolean:
        return pa.bool_()
    if dtype == pl.Date:
        return pa.date32()
    if dtype == pl.List(pl.Utf8):
        return pa.list_(pa.string())
    raise TypeError(f"no Arrow mapping for {dtype}")


def _spark_type(dtype: Any) -> str:
    names = {pl.Int64: "bigint", pl.Utf8: "string", pl.Boolean: "boolean", pl.Date: "date"}
    return "array<string>" if dtype == pl.List(pl.Utf8) else names[dtype]


def _combined_schema() -> dict[str, Any]:
    schema: dict[str, Any] = {"symbol": pl.Utf8, "date": pl.Date, "kind": pl.Utf8, "ord": pl.Int64}
    for prefix, columns in _PREFIX.values():
        schema.update({prefix + c: t for c, t in columns.items()})
    return schema


def to_arrow_rows(parts: list[Partition]) -> pa.Table:
    """All partitions as one Arrow table of kind-tagged rows (the Spark input)."""
    schema = _combined_schema()
    frames = []
    for symbol, day, quotes, trades, evidence in parts:
        for kind, frame in (("quote", quotes), ("trade", trades), ("evidence", evidence)):
            if frame is None or frame.height == 0:
                continue
            prefix, columns = _PREFIX[kind]
            body = frame.select([pl.col(c).cast(t).alias(prefix + c) for c, t in columns.items()])
            frames.append(
                body.with_row_index("ord").with_columns(
                    pl.col("ord").cast(pl.Int64),
                    pl.lit(symbol, pl.Utf8).alias("symbol"),
                    pl.lit(day, pl.Date).alias("date"),
                    pl.lit(kind, pl.Utf8).alias("kind"),
                )
            )
    table = pl.concat(frames, how="diagonal") if frames else pl.DataFrame(schema=schema)
    table = table.select(
        [pl.col(c).cast(t) if c in table.columns else pl.lit(None, t).alias(c) for c, t in schema.items()]
    )
    arrow = table.to_arrow()
    return arrow.cast(pa.schema([(c, _arrow_type(t)) for c, t in schema.items()]))


def _unpack(table: pa.Table, kind: str) -> pl.DataFrame:
    prefix, columns = _PREFIX[kind]
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    rows = frame.filter(pl.col("kind") == kind).sort("ord")
    return rows.select([pl.col(prefix + c).cast(t).alias(c) for c, t in columns.items()])


def _group_fn(params_by_key: dict[tuple[str, str], dict[str, Any]]) -> Callable[[pa.Table], pa.Table]:
    out_schema = pa.schema(
        [("trade_ord", pa.int64())] + [(c, _arrow_type(t)) for c, t in OUTPUT_SCHEMA.items()]
    )

    def fn(table: pa.Table) -> pa.Table:
        symbol = table.column("symbol")[0].as_py()
        day = table.column("date")[0].as_py()
        params = KernelParams.from_dict(params_by_key[(symbol, day.isoformat())])
        trades = _unpack(table, "trade")
        result = run_partition(
            symbol, day, _unpack(table, "quote"), trades, _unpack(table, "evidence"), params
        )
        result = result.with_row_index("trade_ord").with_columns(pl.col("trade_ord").cast(pl.Int64))
        return result.to_arrow().cast(out_schema)

    return fn


def _run_spark(
    parts: list[Partition], params_for: Callable[[str, date], KernelParams], spark: SparkSession | None
) -> pl.DataFrame:
    own = spark is None
    session = spark_session() if spark is None else spark
    try:
        with warnings.catch_warnings():
            # PySpark 4.x warns about pandas >= 3 when its Arrow path loads; no pandas is used here.
            warnings.filterwarnings(
                "ignore", message="PySpark does not yet fully support", category=FutureWarning
            )
            params_by_key = {(s, d.isoformat()): params_for(s, d).as_dict() for s, d, _, _, _ in parts}
            rows = session.createDataFrame(to_arrow_rows(parts))
            ddl = ", ".join(
                ["trade_ord bigint"] + [f"`{c}` {_spark_type(t)}" for c, t in OUTPUT_SCHEMA.items()]
            )
            result = rows.groupBy("symbol", "date").applyInArrow(_group_fn(params_by_key), ddl)
            collected = result.toArrow()
    finally:
        if own:
            session.stop()
    frame = pl.from_arrow(collected)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.sort(["symbol", "date", "trade_ord"]).drop("trade_ord")
    return frame.select([pl.col(c).cast(t) for c, t in OUTPUT_SCHEMA.items()])
