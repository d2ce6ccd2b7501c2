"""Both engines raise identical trade-through alerts from the same stored day."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from proctor.trading import store
from proctor.trading.controls import trade_through_alert
from proctor.trading.daily import evaluate_day
from tests.trading.desk import CLOCK, QUOTES, REFPRICES, TRADES, write

DAY = date(2025, 11, 4)


@pytest.mark.spark
def test_local_and_spark_engines_give_identical_alerts(sqlite_ws, tmp_path) -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: the Spark engine needs Java 17")
    for kind, text in (("quotes", QUOTES), ("trades", TRADES), ("clock", CLOCK), ("refprices", REFPRICES)):
        store.import_file(sqlite_ws, kind, write(tmp_path, f"{kind}.csv", text), actor="ada")

    def alerts(engine: str) -> list[str]:
        result = evaluate_day(sqlite_ws, DAY, engine=engine)
        drafts = [
            trade_through_alert(r, result) for r in result.results.to_dicts() if r["status"] == "violation"
        ]
        return [json.dumps([d.key(), d.title, d.evidence, d.params], sort_keys=True) for d in drafts]

    local, spark = alerts("local"), alerts("spark")
    assert len(local) == 1 and spark == local
