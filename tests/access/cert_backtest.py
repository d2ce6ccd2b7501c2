"""Generator for the CERT LDAP backtest: normal use of two systems by every employee, and injected
use after termination (logins on the IdP, views/downloads/prints on a vendor system).

The CERT r5.2 LDAP snapshots mark a leaver by absence from the next month's file; the HR import
reads that as a termination at the next snapshot's instant, so the ground truth here is defined
the same way. Negatives that sit close to the line are injected too: activity hours before the
termination, and failed logins after it (which are attempts, not use).
"""

from __future__ import annotations

import csv
import io
import json
import random
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path


@dataclass
class Backtest:
    months: list[tuple[datetime, Path]]  # (snapshot instant, file), oldest first
    emails: dict[str, str]  # user_id -> email
    names: dict[str, str]  # user_id -> employee_name
    terminations: dict[str, datetime]  # leaver -> termination instant
    vendor_login: dict[str, str] = field(default_factory=dict)
    truth: set[tuple[str, str, str]] = field(default_factory=set)  # (user, system, day) used after leaving
    injected: list[tuple[str, str, datetime]] = field(default_factory=list)  # (system, login, ts)


def month_instant(name: str) -> datetime:
    year, month = name.split("-")
    return datetime(int(year), int(month), 1, tzinfo=UTC)


def extract(tarball: Path, into: Path) -> Backtest:
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="data")
    files = sorted((into / "LDAP").glob("*.csv"))
    months = [(month_instant(p.stem), p) for p in files]
    present: list[set[str]] = []
    emails: dict[str, str] = {}
    names: dict[str, str] = {}
    for _, path in months:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        present.append({r["user_id"] for r in rows})
        for r in rows:
            emails[r["user_id"]], names[r["user_id"]] = r["email"], r["employee_name"]
    terminations = {}
    for i in range(1, len(months)):
        for user in present[i - 1] - present[i]:
            terminations[user] = months[i][0]
    return Backtest(months, emails, names, terminations)


def _roster(bt: Backtest, vendor: bool) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["login_id", "display_name", "email", "status", "created", "last_login"])
    for user in sorted(bt.emails):
        parts = bt.names[user].split()
        display = f"{parts[-1].upper()}, {parts[0].upper()}" if vendor else bt.names[user]
        login = bt.vendor_login[user] if vendor else bt.emails[user]
        w.writerow([login, display, bt.emails[user], "active", "2009-01-01", ""])
    return out.getvalue().encode()


def rosters(bt: Backtest, seed: int = 14) -> tuple[bytes, bytes]:
    rng = random.Random(seed)
    numbers = rng.sample(range(10000, 99999), len(bt.emails))
    bt.vendor_login = {u: f"AN{n}" for u, n in zip(sorted(bt.emails), numbers, strict=True)}
    return _roster(bt, False), _roster(bt, True)


def activity(bt: Backtest, end: datetime, seed: int = 14) -> tuple[bytes, bytes]:
    """(Okta NDJSON for the IdP, generic CSV for the vendor system)."""
    rng = random.Random(seed)
    okta: list[str] = []
    vendor = io.StringIO()
    w = csv.writer(vendor, lineterminator="\n")
    w.writerow(["ts", "login_id", "action", "record_id", "record_type", "client_ip", "detail"])
    uid = 0

    def login(user: str, ts: datetime, ok: bool = True) -> None:
        nonlocal uid
        uid += 1
        okta.append(
            json.dumps(
                {
                    "uuid": f"evt-{uid}",
                    "published": ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "eventType": "user.session.start",
                    "actor": {"alternateId": bt.emails[user], "type": "User"},
                    "outcome": {"result": "SUCCESS" if ok else "FAILURE"},
                    "client": {"ipAddress": "192.0.2.10"},
                }
            )
        )

    def use(user: str, ts: datetime, action: str) -> None:
        record = f"C-{rng.randint(1, 50000)}" if action != "login" else ""
        w.writerow(
            [
                ts.isoformat(),
                bt.vendor_login[user],
                action,
                record,
                "customer" if record else "",
                "198.51.100.20",
                "",
            ]
        )

    first = bt.months[0][0]
    for user in sorted(bt.emails):
        stop = bt.terminations.get(user, end)
        moment = first + timedelta(hours=rng.randint(1, 600))
        while moment < stop - timedelta(hours=12):
            login(user, moment)
            use(user, moment + timedelta(minutes=3), rng.choice(["login", "view", "view", "search"]))
            moment += timedelta(days=rng.randint(20, 40), minutes=rng.randint(0, 900))
        if user not in bt.terminations:
            continue
        left = bt.terminations[user]
        use(user, left - timedelta(hours=rng.randint(1, 6)), "view")  # still employed: a negative
        login(user, left + timedelta(hours=rng.randint(1, 48)), ok=False)  # an attempt, not use
        for _ in range(rng.randint(1, 3)):
            ts = left + timedelta(
                days=rng.randint(0, 40), hours=rng.randint(0, 23), minutes=rng.randint(1, 59)
            )
            if ts >= end:
                continue
            if rng.random() < 0.5:
                login(user, ts)
                bt.truth.add((user, "idp", ts.date().isoformat()))
                bt.injected.append(("idp", bt.emails[user], ts))
            else:
                ts2 = ts + timedelta(minutes=1)
                action = rng.choice(["login", "view", "download", "print", "export", "search"])
                use(user, ts2, action)
                bt.truth.add((user, "annuity", ts2.date().isoformat()))
                bt.injected.append(("annuity", bt.vendor_login[user], ts2))
    return ("\n".join(okta) + "\n").encode(), vendor.getvalue().encode()
