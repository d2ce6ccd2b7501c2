"""HR history at the CERT LDAP scale: 18 monthly snapshots of 2,000 people, then an IdP and a vendor
roster of 2,000 accounts each (the first months of the activity backtest).

Each HR import re-derives everyone's employment history from every snapshot taken and writes only
what changed; each roster import re-correlates every account. The batched path writes changed rows
with one executemany per column set (`Transaction.update_many`, `insert_many`); the naive path
measured in the same run is the same import with every row written by its own `update` / `insert`
(two reads and one write per row), which is what the import did before.

Usage: python benchmarks/access_hr.py [--months N]
Needs ../shared/data/cert_ldap/LDAP.tar.gz. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("PROCTOR_PASSWORD_PROFILE", "cheapest")

from tests.access.cert_backtest import extract, rosters  # noqa: E402
from tests.conftest import SHARED_DATA, make_workspace  # noqa: E402

from proctor.access import people, systems  # noqa: E402
from proctor.access.accounts import import_roster  # noqa: E402
from proctor.core.clock import FixedClock  # noqa: E402
from proctor.platform.transaction import Transaction  # noqa: E402


@contextmanager
def per_row_writes() -> Iterator[None]:
    """Every batched write replaced by one `update` / `insert` per row (the naive path)."""
    batched_update, batched_insert = Transaction.update_many, Transaction.insert_many

    def update_many(self: Transaction, table: Any, changes: Any, event_type: str) -> list[dict[str, Any]]:
        return [self.update(table, k, v, event_type) for k, v in changes]

    def insert_many(self: Transaction, table: Any, rows: Any, event_type: str) -> list[dict[str, Any]]:
        return [batched_insert(self, table, [r], event_type)[0] for r in rows]

    Transaction.update_many = update_many  # type: ignore[method-assign]
    Transaction.insert_many = insert_many  # type: ignore[method-assign]
    try:
        yield
    finally:
        Transaction.update_many = batched_update  # type: ignore[method-assign]
        Transaction.insert_many = batched_insert  # type: ignore[method-assign]


def run(months: int, root: Path) -> dict[str, float]:
    clock = FixedClock()
    ws = make_workspace(root / "ws", clock)
    ws.users.add("ada", "admin", actor="ada", password="correct horse")
    bt = extract(SHARED_DATA / "cert_ldap" / "LDAP.tar.gz", root / "cert")
    clock.current = datetime(2011, 6, 1, 6, tzinfo=UTC)
    start = time.perf_counter()
    for instant, path in bt.months[:months]:
        people.import_hr(ws, path, actor="ada", as_of=instant, column_map="cert_ldap")
    hr_s = time.perf_counter() - start
    systems.add_system(ws, "idp", kind="connected", actor="ada")
    systems.add_system(
        ws, "annuity", kind="vendor", npi=True, actor="ada", vendor_contact="ops@annuity.example"
    )
    idp, vendor = rosters(bt)
    (root / "idp.csv").write_bytes(idp)
    (root / "vendor.csv").write_bytes(vendor)
    start = time.perf_counter()
    import_roster(ws, "idp", root / "idp.csv", actor="ada", as_of=bt.months[0][0])
    import_roster(ws, "annuity", root / "vendor.csv", actor="ada", as_of=bt.months[0][0])
    roster_s = time.perf_counter() - start
    ws.close()
    return {"hr_import_s": round(hr_s, 2), "roster_import_s": round(roster_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=18)
    args = parser.parse_args()
    if not (SHARED_DATA / "cert_ldap" / "LDAP.tar.gz").exists():
        print(json.dumps({"skipped": "shared data not present"}))
        return
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        batched = run(args.months, Path(a))
        print("batched", batched, flush=True)
        with per_row_writes():
            naive = run(args.months, Path(b))
        print("per-row", naive, flush=True)
    total_b = batched["hr_import_s"] + batched["roster_import_s"]
    total_n = naive["hr_import_s"] + naive["roster_import_s"]
    print(
        json.dumps(
            {
                "snapshots": args.months,
                "batched": batched,
                "naive_per_row": naive,
                "total_s": round(total_b, 2),
                "naive_total_s": round(total_n, 2),
                "ratio": round(total_n / total_b, 2) if total_b else None,
            }
        )
    )


if __name__ == "__main__":
    main()
