"""Reconciliation at scale: 1,000,000 accounts on 50 systems against 200,000 people.

Each run correlates every account (employee id, e-mail, normalised names, fuzzy names blocked on
initials), classifies the midPoint situation (linked / unlinked / disputed / unmatched) and diffs
the result against the previous run. Systems differ the way real ones do: some log in by e-mail,
some by employee id, and vendor systems by their own ids, with a name written LAST, FIRST MIDDLE,
often no e-mail or a personal one, and the odd misspelling. One percent of accounts belong to
nobody in HR; the previous run saw a roster with 1% fewer accounts and 0.5% different e-mails.

The naive approach measured in the same run is the per-account loop a user would write: look the
account up in dictionaries by employee id, e-mail and normalised name, and otherwise score its name
against every person with rapidfuzz. It runs on a sample and is extrapolated to the full count; its
answers on the sample are compared with the columnar engine's.

Usage: python benchmarks/access.py [--people N] [--accounts N] [--systems N] [--naive-sample N]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import time
import unicodedata

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from proctor.access import matching

SYLLABLES = [
    "an",
    "bel",
    "cor",
    "da",
    "el",
    "fa",
    "gar",
    "hal",
    "is",
    "jo",
    "ka",
    "lin",
    "mar",
    "nor",
    "o",
    "pe",
    "quin",
    "ra",
    "sol",
    "ta",
    "ul",
    "ver",
    "wen",
    "xa",
    "yor",
    "zel",
    "bri",
    "cha",
    "dre",
    "fio",
]


def _names(rng: np.random.Generator, count: int, parts: int) -> list[str]:
    out: set[str] = set()
    while len(out) < count:
        picks = rng.integers(0, len(SYLLABLES), size=(count, parts))
        out.update("".join(SYLLABLES[i] for i in row).capitalize() for row in picks)
    return sorted(out)[:count]


def make_people(n: int, rng: np.random.Generator) -> pl.DataFrame:
    firsts, lasts = _names(rng, 3000, 3), _names(rng, 20000, 4)
    f = np.array(firsts)[rng.integers(0, len(firsts), n)]
    m = np.array(firsts)[rng.integers(0, len(firsts), n)]
    la = np.array(lasts)[rng.integers(0, len(lasts), n)]
    eid = [f"E{i:07d}" for i in range(n)]
    df = pl.DataFrame({"employee_id": eid, "first_name": f, "middle_name": m, "last_name": la})
    return df.with_columns(
        work_email=pl.concat_str(
            [
                pl.col("first_name"),
                pl.lit("."),
                pl.col("last_name"),
                pl.lit("."),
                pl.col("employee_id").str.slice(1),
                pl.lit("@firm.example"),
            ]
        ).str.to_lowercase()
    )


def make_accounts(people: pl.DataFrame, n: int, systems: int, rng: np.random.Generator) -> pl.DataFrame:
    pairs = (
        pl.DataFrame(
            {"p": rng.integers(0, people.height, int(n * 1.15)), "s": rng.integers(0, systems, int(n * 1.15))}
        )
        .unique(maintain_order=True)
        .head(n)
    )
    idx = pairs["p"].to_numpy()
    sysno = pairs["s"].to_numpy()
    base = people[idx].with_columns(
        system=pl.Series([f"sys{s:02d}" for s in sysno]),
        s=pl.Series(sysno),
        u=pl.Series(rng.random(n)),
        n=pl.Series(np.arange(n)),
    )
    orphan = base["u"] < 0.01
    kind = (
        pl.when(pl.col("s") < systems * 0.4)
        .then(pl.lit("email"))
        .when(pl.col("s") < systems * 0.7)
        .then(pl.lit("eid"))
        .otherwise(pl.lit("vendor"))
    )
    upper_name = pl.concat_str(
        [
            pl.col("last_name").str.to_uppercase(),
            pl.lit(", "),
            pl.col("first_name").str.to_uppercase(),
            pl.lit(" "),
            pl.col("middle_name").str.to_uppercase(),
        ]
    )
    plain_name = pl.concat_str([pl.col("first_name"), pl.lit(" "), pl.col("last_name")])
    typo = pl.concat_str(
        [
            pl.col("first_name").str.slice(0, 2),
            pl.col("first_name").str.slice(3),
            pl.lit(" "),
            pl.col("last_name"),
        ]
    )
    v = (pl.col("u") * 1000) % 1  # a second uniform draw from the same number
    out = base.with_columns(kind=kind).with_columns(
        login_id=pl.when(pl.col("kind") == "email")
        .then(pl.col("work_email"))
        .when(pl.col("kind") == "eid")
        .then(pl.col("employee_id").str.to_lowercase())
        .otherwise(pl.concat_str([pl.lit("V"), pl.col("n").cast(pl.Utf8)])),
        display_name=pl.when(pl.col("kind") != "vendor")
        .then(plain_name)
        .when(v < 0.6)
        .then(upper_name)
        .when(v < 0.99)
        .then(plain_name)
        .otherwise(typo),
        email=pl.when(pl.col("kind") == "email")
        .then(pl.col("work_email"))
        .when(pl.col("kind") == "eid")
        .then(pl.lit(""))
        .when(v < 0.5)
        .then(pl.col("work_email"))
        .when(v < 0.6)
        .then(pl.concat_str([pl.col("first_name").str.to_lowercase(), pl.lit("@mail.example")]))
        .otherwise(pl.lit("")),
        external_id=pl.lit(""),
        truth=pl.col("employee_id"),
    )
    # orphans: accounts of people HR never had (a name drawn from nobody's combination)
    out = out.with_columns(
        login_id=pl.when(orphan)
        .then(pl.concat_str([pl.lit("X"), pl.col("n").cast(pl.Utf8)]))
        .otherwise(pl.col("login_id")),
        display_name=pl.when(orphan)
        .then(pl.concat_str([pl.lit("Zz"), pl.col("last_name"), pl.lit(" Qq"), pl.col("first_name")]))
        .otherwise(pl.col("display_name")),
        email=pl.when(orphan).then(pl.lit("")).otherwise(pl.col("email")),
        truth=pl.when(orphan).then(pl.lit(None, dtype=pl.Utf8)).otherwise(pl.col("truth")),
    )
    return out.select("system", "login_id", "display_name", "email", "external_id", "truth")


def _norm(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def naive(accounts: list[dict[str, str]], people: list[dict[str, str]]) -> list[tuple[str, str | None]]:
    """The per-account loop: dictionary look-ups, then the name against every person."""
    by_eid = {p["employee_id"].lower(): p["employee_id"] for p in people}
    by_email: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    names, ids = [], []
    for p in people:
        by_email.setdefault(p["work_email"], []).append(p["employee_id"])
        full = " ".join(sorted(_norm(f"{p['first_name']} {p['middle_name']} {p['last_name']}").split()))
        by_name.setdefault(full, []).append(p["employee_id"])
        names.append(" ".join(sorted(_norm(f"{p['first_name']} {p['last_name']}").split())))
        ids.append(p["employee_id"])
    out: list[tuple[str, str | None]] = []
    for a in accounts:
        if a["login_id"].lower() in by_eid:
            out.append(("linked", by_eid[a["login_id"].lower()]))
            continue
        hits = by_email.get((a["email"] or a["login_id"]).lower(), [])
        if len(hits) == 1:
            out.append(("linked", hits[0]))
            continue
        disp = a["display_name"]
        if "," in disp:
            last, _, rest = disp.partition(",")
            disp = f"{rest} {last}"
        tokens = _norm(disp).split()
        hits = by_name.get(" ".join(sorted(tokens)), [])
        if len(hits) == 1:
            out.append(("linked", hits[0]))
            continue
        if len(hits) > 1:
            out.append(("disputed", None))
            continue
        key = " ".join(sorted([tokens[0], tokens[-1]])) if tokens else ""
        found = process.extract(key, names, scorer=fuzz.token_sort_ratio, score_cutoff=88, limit=5)
        out.append(("unlinked" if len(found) == 1 else "disputed" if found else "unmatched", None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--systems", type=int, default=50)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    args = parser.parse_args()
    rng = np.random.default_rng(20260105)

    t0 = time.perf_counter()
    people = make_people(args.people, rng)
    accounts = make_accounts(people, args.accounts, args.systems, rng)
    # the previous run's roster: 1% fewer accounts, 0.5% e-mails since changed
    previous_accounts = accounts.sample(fraction=0.99, seed=7).with_columns(
        email=pl.when(pl.Series(rng.random(int(accounts.height * 0.99)) < 0.005))
        .then(pl.lit(""))
        .otherwise(pl.col("email"))
    )
    generated = time.perf_counter() - t0
    print(
        f"generated {people.height:,} people, {accounts.height:,} accounts in {generated:.1f} s", flush=True
    )

    t1 = time.perf_counter()
    previous = matching.correlate(previous_accounts.drop("truth"), people)
    previous_s = time.perf_counter() - t1

    t2 = time.perf_counter()
    current = matching.correlate(accounts.drop("truth"), people)
    situations = current.group_by("situation").len()
    changed = matching.diff(previous, current)
    reconcile_s = time.perf_counter() - t2
    print(
        f"reconciled in {reconcile_s:.1f} s (previous run {previous_s:.1f} s); {changed.height:,} changes",
        flush=True,
    )

    scored = current.join(accounts.select("system", "login_id", "truth"), on=["system", "login_id"])
    linked = scored.filter(pl.col("situation") == "linked")
    wrong = linked.filter(pl.col("employee_id") != pl.col("truth").fill_null("")).height
    correct = linked.filter(pl.col("employee_id") == pl.col("truth")).height
    real = scored.filter(pl.col("truth").is_not_null()).height

    sample = accounts.sample(n=min(args.naive_sample, accounts.height), seed=11)
    people_rows = people.to_dicts()
    t3 = time.perf_counter()
    naive_out = naive(sample.to_dicts(), people_rows)
    naive_sample_s = time.perf_counter() - t3
    naive_full_s = naive_sample_s * accounts.height / sample.height
    fast = {
        (r["system"], r["login_id"]): (r["situation"], r["employee_id"])
        for r in current.join(sample.select("system", "login_id"), on=["system", "login_id"]).iter_rows(
            named=True
        )
    }
    agree = sum(
        1
        for row, nv in zip(sample.iter_rows(named=True), naive_out, strict=True)
        if (fast[(row["system"], row["login_id"])][0] == "linked") == (nv[0] == "linked")
    )

    figures = {
        "people": people.height,
        "accounts": accounts.height,
        "systems": args.systems,
        "reconcile_seconds": round(reconcile_s, 2),
        "previous_run_seconds": round(previous_s, 2),
        "accounts_per_second": round(accounts.height / reconcile_s),
        "changes_vs_previous": changed.height,
        "situations": {r["situation"]: r["len"] for r in situations.iter_rows(named=True)},
        "linked_correctly_share": round(correct / real, 4),
        "wrong_links": wrong,
        "naive_sample": sample.height,
        "naive_sample_seconds": round(naive_sample_s, 2),
        "naive_extrapolated_seconds": round(naive_full_s, 1),
        "speedup_vs_naive": round(naive_full_s / reconcile_s, 1),
        "naive_agreement_on_link": round(agree / sample.height, 4),
        "within_60s": reconcile_s <= 60,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
