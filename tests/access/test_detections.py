"""Detection kernels on literal frames, and the fast attribution against the per-event reference."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl

from proctor.access import detections as det

TS = pl.Datetime("us", "UTC")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def events(*rows: tuple[str, str, str, str | None, str]) -> pl.DataFrame:
    """(ts, login, action, record, session) on the vendor system, all successful."""
    return pl.DataFrame(
        [
            {
                "system": "insurer",
                "ts": t(ts),
                "login_id": login,
                "action": action,
                "outcome": "success",
                "record_id": record,
                "record_type": "customer" if record else None,
                "client_ip": "192.0.2.1",
                "session_id": session,
                "event_key": f"k{n}",
                "detail": "",
            }
            for n, (ts, login, action, record, session) in enumerate(rows)
        ],
        schema_overrides={"ts": TS},
    )


LINKS = pl.DataFrame(
    {
        "system": ["insurer", "insurer"],
        "login_id": ["MSI002", "MSI001"],
        "employee_id": ["E2", "E1"],
        "situation": ["linked", "linked"],
    }
)
SPANS = pl.DataFrame(
    {
        "employee_id": ["E1", "E2", "E2"],
        "start": [t("2015-01-05T00:00:00+00:00")] * 2 + [t("2017-06-01T13:00:00+00:00")],
        "notified_at": [None, t("2017-04-20T00:00:00+00:00"), None],
        "end": [None, t("2017-05-01T21:00:00+00:00"), None],
    },
    schema_overrides={"start": TS, "notified_at": TS, "end": TS},
)
SYSTEMS = pl.DataFrame({"system": ["insurer"], "npi": [True]})


def test_states_follow_notice_termination_and_rehire() -> None:
    ev = events(
        ("2017-04-19T12:00:00+00:00", "MSI002", "login", None, "s1"),
        ("2017-04-25T12:00:00+00:00", "MSI002", "download", "C-7", "s2"),
        ("2017-05-01T20:59:59+00:00", "MSI002", "view", "C-8", "s3"),
        ("2017-05-01T21:00:00+00:00", "msi002 ", "login", None, "s4"),
        ("2017-06-01T14:00:00+00:00", "MSI002", "login", None, "s5"),
        ("2017-05-02T12:00:00+00:00", "MSI009", "login", None, "s6"),
        ("2014-12-01T12:00:00+00:00", "MSI001", "login", None, "s7"),
    )
    got = det.attribute(ev, LINKS, SPANS).sort("event_key")["state"].to_list()
    assert got == ["employed", "notice", "notice", "terminated", "employed", "unlinked", "not_hired"]


def test_post_termination_is_one_row_per_person_system_day_with_the_timeline() -> None:
    ev = events(
        ("2017-05-03T14:00:00+00:00", "MSI002", "login", None, "s1"),
        ("2017-05-03T14:02:00+00:00", "MSI002", "view", "C-448812", "s1"),
        ("2017-05-03T14:04:00+00:00", "MSI002", "print", "C-448812", "s1"),
        ("2017-05-04T14:00:00+00:00", "MSI002", "logout", None, "s1"),
        ("2017-04-25T12:00:00+00:00", "MSI002", "download", "C-7", "s0"),
        ("2017-04-26T12:00:00+00:00", "MSI002", "view", "C-9", "s0"),
        ("2017-05-03T14:00:00+00:00", "MSI001", "login", None, "s9"),
    )
    rows = det.post_termination(det.attribute(ev, LINKS, SPANS), SYSTEMS).to_dicts()
    assert [(r["employee_id"], str(r["day"]), r["bases"], r["events"]) for r in rows] == [
        ("E2", "2017-04-25", ["notice_period_export"], 1),
        ("E2", "2017-05-03", ["after_termination"], 3),
    ]
    assert [e["action"] for e in rows[1]["timeline"]] == ["login", "view", "print"]
    assert rows[1]["records"] == ["C-448812"]


def test_one_printed_record_is_critical_and_notice_downloads_high() -> None:
    ev = events(
        ("2017-05-03T14:04:00+00:00", "MSI002", "print", "C-448812", "s1"),
        ("2017-04-25T12:00:00+00:00", "MSI002", "export", "C-7", "s0"),
        ("2017-05-03T14:04:00+00:00", "MSI001", "download", "C-1", "s9"),
    )
    rows = det.npi_exposure(det.attribute(ev, LINKS, SPANS), SYSTEMS).to_dicts()
    assert [(str(r["day"]), r["severity"], r["records"]) for r in rows] == [
        ("2017-04-25", "high", ["C-7"]),
        ("2017-05-03", "critical", ["C-448812"]),
    ]


def test_bulk_access_is_measured_against_the_systems_own_baseline() -> None:
    rows = []
    for day in range(1, 21):
        for login in ("MSI001", "MSI002"):
            rows += [
                (f"2017-03-{day:02d}T12:{k:02d}:00+00:00", login, "view", f"C-{day}-{k}", "s")
                for k in range(8)
            ]
    rows += [
        (f"2017-03-21T13:{k // 60:02d}:{k % 60:02d}+00:00", "MSI001", "export", f"C-X{k}", "s")
        for k in range(120)
    ]
    found = det.bulk_access(det.attribute(events(*rows), LINKS, SPANS)).to_dicts()
    assert [(r["login_id"], str(r["day"]), r["records"]) for r in found] == [("MSI001", "2017-03-21", 120)]
    assert found[0]["baseline"] == 40.0  # 5 x the 90th percentile (8), above the floor of 25


def test_disabled_accounts_and_sessions_that_outlive_the_disable() -> None:
    accounts = pl.DataFrame(
        {"system": ["insurer"], "login_id": ["MSI002"], "disabled_at": [t("2017-05-02T00:00:00+00:00")]},
        schema_overrides={"disabled_at": TS},
    )
    ev = events(
        ("2017-05-01T23:00:00+00:00", "MSI002", "login", None, "old"),
        ("2017-05-02T09:00:00+00:00", "MSI002", "view", "C-1", "old"),
        ("2017-05-02T10:00:00+00:00", "MSI002", "login", None, "new"),
        ("2017-05-02T10:01:00+00:00", "MSI002", "view", "C-2", "new"),
    )
    got = det.disabled_activity(ev, accounts).select("kind", "events").rows()
    assert got == [("activity_after_disable", 1), ("login_after_disable", 1), ("session_outlived_disable", 1)]


def test_dormant_npi_accounts_and_silent_sources() -> None:
    accounts = pl.DataFrame(
        {
            "system": ["insurer"] * 3,
            "login_id": ["A", "B", "C"],
            "status": ["active", "active", "disabled"],
            "created": [t("2016-01-01T00:00:00+00:00")] * 3,
            "first_seen": [t("2016-01-01T00:00:00+00:00")] * 3,
            "last_login": [t("2017-01-01T00:00:00+00:00"), None, None],
        },
        schema_overrides={"created": TS, "first_seen": TS, "last_login": TS},
    )
    ev = events(("2017-05-01T00:00:00+00:00", "a", "login", None, "s"))
    dormant = det.dormant_accounts(accounts, ev, SYSTEMS, t("2017-06-01T00:00:00+00:00"))
    assert dormant["login_id"].to_list() == ["B"]
    as_of = t("2017-06-01T12:00:00+00:00")
    late = det.silent_sources(
        {"insurer": as_of - timedelta(hours=37), "crm": as_of - timedelta(hours=35)},
        {"insurer": timedelta(days=1), "crm": timedelta(days=1), "hr": timedelta(days=1)},
        as_of,
    )
    assert [(r["system"], r["silent_for_seconds"]) for r in late] == [("hr", None), ("insurer", 37 * 3600)]


def test_attribution_matches_the_per_event_reference_on_random_firms() -> None:
    for seed in range(25):
        rng = random.Random(seed)
        people = [f"E{n}" for n in range(12)]
        base = t("2016-01-01T00:00:00+00:00")
        span_rows, spans_ref = [], {}
        for eid in people:
            start = base + timedelta(days=rng.randint(0, 200))
            spans_ref[eid] = []
            for _ in range(rng.randint(1, 3)):
                notified = start + timedelta(days=rng.randint(1, 300)) if rng.random() < 0.5 else None
                end = (notified or start) + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.7 else None
                known = None if not spans_ref[eid] and rng.random() < 0.2 else start  # hire date unknown
                span_rows.append({"employee_id": eid, "start": known, "notified_at": notified, "end": end})
                spans_ref[eid].append((known, notified, end))
                if end is None:
                    break
                start = end + timedelta(days=rng.randint(1, 90))
        logins = {f"L{n}": people[n % len(people)] for n in range(16)}
        link_rows = [
            {"system": "insurer", "login_id": k, "employee_id": v, "situation": "linked"}
            for k, v in logins.items()
            if rng.random() < 0.85
        ]
        ev_rows = [
            ("2016-01-01T00:00:00+00:00", f"L{rng.randint(0, 19)}", "login", None, "s") for _ in range(300)
        ]
        frame = events(*ev_rows).with_columns(
            (
                pl.col("ts")
                + pl.duration(minutes=pl.Series([rng.randint(0, 900 * 24 * 60) for _ in range(300)]))
            ).alias("ts")
        )
        spans = pl.DataFrame(
            span_rows, schema={"employee_id": pl.Utf8, "start": TS, "notified_at": TS, "end": TS}
        )
        links = pl.DataFrame(
            link_rows,
            schema={"system": pl.Utf8, "login_id": pl.Utf8, "employee_id": pl.Utf8, "situation": pl.Utf8},
        )
        fast = dict(det.attribute(frame, links, spans).select("event_key", "state").rows())
        ref = det.reference_states(
            frame.to_dicts(),
            {("insurer", r["login_id"].lower()): r["employee_id"] for r in link_rows},
            spans_ref,
        )
        assert [fast[k] for k in frame["event_key"]] == ref, f"seed {seed}"
