"""Detection kernels: pure Polars functions from events, links and HR history to findings as data.

The question every kernel answers is the one the case's firm could not: for this event on this
system, who was the person behind the login, and were they still with the firm at that instant?
`attribute` answers it for millions of events at once (a join to the account links, then an
as-of join to each person's employment spans, so a rehire starts a new span and a notice period is
the part of a span after "notified"); the other kernels group what it returns into findings.

No kernel reads the database or the clock: the controls pass frames in and turn the frames that
come back into alerts. `reference_states` is the plain per-event implementation the fast path is
tested (and benchmarked) against.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from proctor.access.activity_formats import EXFIL_ACTIONS, USE_ACTIONS
from proctor.access.detection_params import PARAMS, Params

TS = pl.Datetime("us", "UTC")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
CUSTOMER_TYPES = ("customer", "customer_record", "client", "policy", "account")


def _login_key(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase()


def keyed(events: pl.DataFrame) -> pl.DataFrame:
    """Events with `login_key` (the case-folded login); the store writes it, so this is usually free."""
    if "login_key" in events.columns:
        return events
    return events.with_columns(_login_key(pl.col("login_id")).alias("login_key"))


def _spans(spans: pl.DataFrame) -> pl.DataFrame:
    return spans.select(
        pl.col("employee_id"),
        pl.col("start").cast(TS).fill_null(EARLIEST).alias("span_start"),  # unknown hire: since ever
        pl.col("notified_at").cast(TS),
        pl.col("end").cast(TS).alias("term_end"),
    ).sort("span_start")


def attribute(events: pl.DataFrame, links: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """Each event with its person and employment state at the event's instant.

    `state`: employed / notice / terminated / not_hired (before the first hire) / unlinked (the
    account is not linked to a person: orphan, service or awaiting review). Only a narrow frame
    (row, time, person) is sorted and as-of joined; the result is joined back by row number, so
    the wide event columns are never sorted.
    """
    linked = (
        links.filter(pl.col("situation") == "linked")
        .select(pl.col("system"), _login_key(pl.col("login_id")).alias("login_key"), pl.col("employee_id"))
        .unique(subset=["system", "login_key"], keep="first")
    )
    ev = keyed(events).with_row_index("_row").join(linked, on=["system", "login_key"], how="left")
    narrow = ev.select("_row", "ts", "employee_id").filter(pl.col("employee_id").is_not_null()).sort("ts")
    joined = narrow.join_asof(
        _spans(spans),
        left_on="ts",
        right_on="span_start",
        by="employee_id",
        strategy="backward",
        check_sortedness=False,  # both sides are sorted globally by time, hence within each person
    )
    state = (
        pl.when(pl.col("span_start").is_null())
        .then(pl.lit("not_hired"))
        .when(pl.col("term_end").is_not_null() & (pl.col("ts") >= pl.col("term_end")))
        .then(pl.lit("terminated"))
        .when(pl.col("notified_at").is_not_null() & (pl.col("ts") >= pl.col("notified_at")))
        .then(pl.lit("notice"))
        .otherwise(pl.lit("employed"))
    )
    found = joined.select("_row", "span_start", "notified_at", "term_end", state.alias("state"))
    return (
        ev.join(found, on="_row", how="left")
        .with_columns(pl.col("state").fill_null("unlinked"))
        .drop("_row", "login_key")
    )


def _is_customer_record(npi_systems: pl.Expr) -> pl.Expr:
    return pl.col("record_id").is_not_null() & (
        npi_systems | pl.col("record_type").str.to_lowercase().is_in(list(CUSTOMER_TYPES))
    )


def _with_npi(frame: pl.DataFrame, systems: pl.DataFrame) -> pl.DataFrame:
    npi = systems.filter(pl.col("npi").cast(pl.Boolean))["system"].to_list()
    return frame.with_columns(pl.col("system").is_in(npi).alias("npi"))


_TIMELINE = pl.struct(
    "ts", "login_id", "action", "record_id", "record_type", "client_ip", "session_id", "event_key"
)


def post_termination(attributed: pl.DataFrame, systems: pl.DataFrame) -> pl.DataFrame:
    """One row per person, system and day with successful use after termination (or, on an NPI
    system, a download/export/print of a customer record during the notice period)."""
    ev = _with_npi(attributed, systems).filter(pl.col("outcome") == "success")
    after = (pl.col("state") == "terminated") & pl.col("action").is_in(list(USE_ACTIONS))
    notice = (
        (pl.col("state") == "notice")
        & pl.col("action").is_in(list(EXFIL_ACTIONS))
        & _is_customer_record(pl.col("npi"))
    )
    hits = ev.filter(after | notice).with_columns(
        pl.when(after)
        .then(pl.lit("after_termination"))
        .otherwise(pl.lit("notice_period_export"))
        .alias("basis"),
        pl.col("ts").dt.date().alias("day"),
    )
    return (
        hits.sort("ts")
        .group_by("employee_id", "system", "day")
        .agg(
            pl.len().alias("events"),
            pl.col("ts").min().alias("first_ts"),
            pl.col("ts").max().alias("last_ts"),
            pl.col("term_end").first(),
            pl.col("notified_at").first(),
            pl.col("basis").unique().sort().alias("bases"),
            pl.col("login_id").unique().sort().alias("logins"),
            pl.col("action").unique().sort().alias("actions"),
            pl.col("record_id").drop_nulls().unique().sort().alias("records"),
            _TIMELINE.alias("timeline"),
            pl.col("npi").first(),
        )
        .sort("employee_id", "system", "day")
    )


def npi_exposure(attributed: pl.DataFrame, systems: pl.DataFrame) -> pl.DataFrame:
    """Downloads, exports and prints of customer records by leavers: critical whatever the volume
    (after termination) or high (during notice). One row per person, system and day."""
    ev = _with_npi(attributed, systems).filter(
        (pl.col("outcome") == "success")
        & pl.col("action").is_in(list(EXFIL_ACTIONS))
        & pl.col("state").is_in(["terminated", "notice"])
        & _is_customer_record(pl.col("npi"))
    )
    return (
        ev.with_columns(pl.col("ts").dt.date().alias("day"))
        .sort("ts")
        .group_by("employee_id", "system", "day")
        .agg(
            pl.len().alias("events"),
            pl.col("state").unique().sort().alias("states"),
            pl.col("term_end").first(),
            pl.col("record_id").unique().sort().alias("records"),
            pl.col("action").unique().sort().alias("actions"),
            _TIMELINE.alias("timeline"),
        )
        .with_columns(
            pl.when(pl.col("states").list.contains("terminated"))
            .then(pl.lit("critical"))
            .otherwise(pl.lit("high"))
            .alias("severity")
        )
        .sort("employee_id", "system", "day")
    )


def bulk_access(attributed: pl.DataFrame, params: Params = PARAMS) -> pl.DataFrame:
    """User-days touching more customer records than the system's baseline (anyone, employed too).

    The baseline is `bulk_multiplier` times the system's 90th percentile of record touches per
    user-day (never below `bulk_floor`); a user-day over it is then counted exactly, in distinct
    records, so a re-read of the same record is not "bulk".
    """
    touched = attributed.filter(
        (pl.col("outcome") == "success")
        & pl.col("record_id").is_not_null()
        & pl.col("action").is_in(["view", "download", "export", "print"])
    ).with_columns(pl.col("ts").dt.date().alias("day"))
    per_day = touched.group_by("system", "login_id", "day").agg(pl.len().alias("touches"))
    baseline = (
        per_day.group_by("system")
        .agg(pl.col("touches").quantile(0.9, "nearest").alias("p90"), pl.len().alias("user_days"))
        .with_columns(
            pl.max_horizontal(
                pl.lit(float(params.bulk_floor)), pl.col("p90").cast(pl.Float64) * params.bulk_multiplier
            ).alias("baseline")
        )
    )
    candidates = per_day.join(baseline, on="system").filter(pl.col("touches") > pl.col("baseline"))
    exact = (
        touched.join(
            candidates.select("system", "login_id", "day"), on=["system", "login_id", "day"], how="semi"
        )
        .group_by("system", "login_id", "day")
        .agg(
            pl.col("record_id").n_unique().alias("records"),
            pl.col("employee_id").first(),
            pl.col("state").last(),
        )
    )
    return (
        exact.join(candidates, on=["system", "login_id", "day"])
        .filter(pl.col("records") > pl.col("baseline"))
        .sort("system", "login_id", "day")
    )


def disabled_activity(events: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Successful use of an account after the roster showed it disabled or removed.

    `kind` is session_outlived_disable when the event belongs to a session that began before the
    disable (the token was not revoked), login_after_disable for a new login, and
    activity_after_disable otherwise. Only the disabled accounts' events are looked at.
    """
    disabled = accounts.filter(pl.col("disabled_at").is_not_null()).select(
        pl.col("system"), _login_key(pl.col("login_id")).alias("login_key"), pl.col("disabled_at").cast(TS)
    )
    theirs = keyed(events).join(disabled, on=["system", "login_key"], how="inner")
    sessions = (
        theirs.filter(pl.col("session_id").is_not_null())
        .group_by("system", "login_key", "session_id")
        .agg(pl.col("ts").min().alias("session_start"))
    )
    ev = theirs.filter(
        (pl.col("outcome") == "success")
        & pl.col("action").is_in(list(USE_ACTIONS))
        & (pl.col("ts") > pl.col("disabled_at"))
    ).join(sessions, on=["system", "login_key", "session_id"], how="left")
    kind = (
        pl.when(pl.col("session_start").is_not_null() & (pl.col("session_start") <= pl.col("disabled_at")))
        .then(pl.lit("session_outlived_disable"))
        .when(pl.col("action") == "login")
        .then(pl.lit("login_after_disable"))
        .otherwise(pl.lit("activity_after_disable"))
    )
    return (
        ev.with_columns(kind.alias("kind"), pl.col("ts").dt.date().alias("day"))
        .sort("ts")
        .group_by("system", "login_id", "kind", "day")
        .agg(
            pl.len().alias("events"),
            pl.col("disabled_at").first(),
            pl.col("ts").min().alias("first_ts"),
            pl.col("ts").max().alias("last_ts"),
            pl.col("session_id").drop_nulls().unique().sort().alias("sessions"),
            _TIMELINE.alias("timeline"),
        )
        .sort("system", "login_id", "kind", "day")
    )


def dormant_accounts(
    accounts: pl.DataFrame,
    events: pl.DataFrame,
    systems: pl.DataFrame,
    as_of: datetime,
    params: Params = PARAMS,
) -> pl.DataFrame:
    """Active accounts on NPI systems with no use for `dormant_days` (none on record counts as none)."""
    cutoff = as_of - timedelta(days=params.dormant_days)
    npi_systems = systems.filter(pl.col("npi"))["system"].to_list()
    last_event = (
        keyed(events)
        .filter(pl.col("system").is_in(npi_systems) & (pl.col("outcome") == "success"))
        .group_by("system", "login_key")
        .agg(pl.col("ts").max().alias("last_event"))
    )
    acc = _with_npi(accounts, systems).filter(pl.col("npi") & (pl.col("status") == "active"))
    acc = acc.with_columns(_login_key(pl.col("login_id")).alias("login_key")).join(
        last_event, on=["system", "login_key"], how="left"
    )
    last_used = pl.max_horizontal(pl.col("last_login").cast(TS), pl.col("last_event"))
    existed_since = pl.coalesce(pl.col("created").cast(TS), pl.col("first_seen").cast(TS))
    return (
        acc.with_columns(last_used.alias("last_used"), existed_since.alias("existed_since"))
        .filter(
            (pl.col("existed_since").is_null() | (pl.col("existed_since") <= cutoff))
            & (pl.col("last_used").is_null() | (pl.col("last_used") < cutoff))
        )
        .drop("login_key")
        .sort("system", "login_id")
    )


def silent_sources(
    arrivals: Mapping[str, datetime],
    cadences: Mapping[str, timedelta],
    as_of: datetime,
    params: Params = PARAMS,
) -> list[dict[str, Any]]:
    """Systems whose log has not arrived within its cadence (or never arrived at all)."""
    out = []
    for system, every in sorted(cadences.items()):
        last = arrivals.get(system)
        limit = every * (1 + params.silent_grace)
        if last is None or as_of - last > limit:
            out.append(
                {
                    "system": system,
                    "last_arrival": last,
                    "cadence_seconds": int(every.total_seconds()),
                    "silent_for_seconds": None if last is None else int((as_of - last).total_seconds()),
                }
            )
    return out


def reference_states(
    events: list[dict[str, Any]],
    links: Mapping[tuple[str, str], str],
    spans: Mapping[str, list[tuple[datetime | None, datetime | None, datetime | None]]],
) -> list[str]:
    """The plain per-event lookup: for each event, find the person, then scan their spans.

    `links` maps (system, lower-case login) to an employee id; `spans[employee]` lists
    (start or None when the hire date is unknown, notified_at, end). Used to test `attribute` and as
    the benchmark's naive baseline.
    """
    out = []
    for ev in events:
        eid = links.get((ev["system"], str(ev["login_id"]).strip().lower()))
        if eid is None:
            out.append("unlinked")
            continue
        current = None
        for start, notified, end in spans.get(eid, []):
            begun = start or EARLIEST
            if begun <= ev["ts"] and (current is None or begun >= current[0]):
                current = (begun, notified, end)
        if current is None:
            out.append("not_hired")
        elif current[2] is not None and ev["ts"] >= current[2]:
            out.append("terminated")
        elif current[1] is not None and ev["ts"] >= current[1]:
            out.append("notice")
        else:
            out.append("employed")
    return out
