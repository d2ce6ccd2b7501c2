"""The correlation engine: accounts against people, as columnar joins (pure; no database).

Rules are data (`Rule`): strong identifiers first (employee id, e-mail), then normalised names,
then fuzzy names. Only a rule marked `auto_link` with exactly one candidate links by itself; every
other match is a candidate for a person to confirm or reject, so no doubtful link is accepted
silently. Decisions already taken (confirmed, rejected, service account, no person) are applied
before any rule and a rejected pair never comes back as a candidate.

Situations follow midPoint: linked, unlinked (one candidate), disputed (several), unmatched (none);
plus service for accounts a reviewer tagged as not belonging to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

SITUATIONS = ("linked", "unlinked", "disputed", "unmatched", "service")


@dataclass(frozen=True)
class Rule:
    name: str
    key: str  # employee_id | email | name_full | name_first_last | name_fuzzy
    auto_link: bool
    threshold: float = 0.0  # fuzzy score cut-off (0-100)


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("employee_id", "employee_id", True),
    Rule("email", "email", True),
    Rule("name_full", "name_full", True),
    Rule("name_first_last", "name_first_last", False),
    Rule("name_fuzzy", "name_fuzzy", False, 88.0),
)

ACCOUNT_SCHEMA: dict[str, Any] = {
    "system": pl.Utf8,
    "login_id": pl.Utf8,
    "display_name": pl.Utf8,
    "email": pl.Utf8,
    "external_id": pl.Utf8,
}
PEOPLE_SCHEMA: dict[str, Any] = {
    "employee_id": pl.Utf8,
    "first_name": pl.Utf8,
    "middle_name": pl.Utf8,
    "last_name": pl.Utf8,
    "work_email": pl.Utf8,
}
DECISION_SCHEMA: dict[str, Any] = {
    "system": pl.Utf8,
    "login_id": pl.Utf8,
    "employee_id": pl.Utf8,
    "decision": pl.Utf8,
}
RESULT_SCHEMA: dict[str, Any] = {
    "system": pl.Utf8,
    "login_id": pl.Utf8,
    "situation": pl.Utf8,
    "employee_id": pl.Utf8,
    "rule": pl.Utf8,
    "candidates": pl.List(pl.Utf8),
}


def _norm(expr: pl.Expr) -> pl.Expr:
    """Lower case, accents off, punctuation to spaces, single spaces."""
    return (
        expr.fill_null("")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9,]+", " ")
        .str.strip_chars()
    )


def _sorted_tokens(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all(",", " ")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.sort()
        .list.join(" ")
    )


def prepare_people(people: pl.DataFrame) -> pl.DataFrame:
    p = people.select(*[pl.col(c).cast(pl.Utf8).fill_null("") for c in PEOPLE_SCHEMA])
    first, middle, last = (
        _norm(pl.col("first_name")),
        _norm(pl.col("middle_name")),
        _norm(pl.col("last_name")),
    )
    return p.with_columns(
        k_employee_id=pl.col("employee_id").str.to_lowercase().str.strip_chars(),
        k_email=pl.col("work_email").str.to_lowercase().str.strip_chars(),
        k_name_full=_sorted_tokens(pl.concat_str([first, middle, last], separator=" ")),
        k_name_first_last=_sorted_tokens(
            pl.concat_str([first.str.split(" ").list.first(), last.str.split(" ").list.last()], separator=" ")
        ),
    )


def prepare_accounts(accounts: pl.DataFrame) -> pl.DataFrame:
    a = accounts.select(*[pl.col(c).cast(pl.Utf8).fill_null("") for c in ACCOUNT_SCHEMA])
    disp = _norm(pl.col("display_name"))
    has_comma = disp.str.contains(",")
    before, after = disp.str.split(",").list.first(), disp.str.split(",").list.get(1, null_on_oob=True)
    first = (
        pl.when(has_comma)
        .then(after.str.strip_chars().str.split(" ").list.first())
        .otherwise(disp.str.split(" ").list.first())
    )
    last = (
        pl.when(has_comma)
        .then(before.str.strip_chars().str.split(" ").list.last())
        .otherwise(disp.str.split(" ").list.last())
    )
    return a.with_columns(
        k_employee_id=pl.when(pl.col("external_id") != "")
        .then(pl.col("external_id"))
        .otherwise(pl.col("login_id"))
        .str.to_lowercase()
        .str.strip_chars(),
        k_email=pl.when(pl.col("email") != "")
        .then(pl.col("email"))
        .otherwise(pl.col("login_id"))
        .str.to_lowercase()
        .str.strip_chars(),
        k_name_full=_sorted_tokens(disp),
        k_name_first_last=_sorted_tokens(
            pl.concat_str([first.fill_null(""), last.fill_null("")], separator=" ")
        ),
    )


def _exact(acc: pl.DataFrame, ppl: pl.DataFrame, key: str) -> pl.DataFrame:
    col = f"k_{key}"
    usable = pl.col(col).str.contains(" ") if key.startswith("name") else pl.col(col) != ""
    left = acc.filter(usable).select("system", "login_id", col)
    right = ppl.filter(usable).select("employee_id", col)
    return left.join(right, on=col, how="inner").select("system", "login_id", "employee_id")


def _fuzzy(acc: pl.DataFrame, ppl: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Token-sorted name similarity, blocked on the first letter of the surname to stay near-linear."""
    out_sys: list[str] = []
    out_login: list[str] = []
    out_eid: list[str] = []
    a = acc.filter(pl.col("k_name_first_last").str.contains(" ")).with_columns(
        block=pl.col("k_name_first_last")
        .str.split(" ")
        .list.eval(pl.element().str.slice(0, 1))
        .list.sort()
        .list.join("")
    )
    p = ppl.filter(pl.col("k_name_first_last").str.contains(" ")).with_columns(
        block=pl.col("k_name_first_last")
        .str.split(" ")
        .list.eval(pl.element().str.slice(0, 1))
        .list.sort()
        .list.join("")
    )
    p_groups = {k[0]: g for k, g in p.group_by("block")}
    for (block,), group in a.group_by("block"):
        choices = p_groups.get(block)
        if choices is None:
            continue
        scores = process.cdist(
            group["k_name_first_last"].to_list(),
            choices["k_name_first_last"].to_list(),
            scorer=fuzz.token_sort_ratio,
            score_cutoff=threshold,
            dtype=np.uint8,
            workers=1,
        )
        rows, cols = np.nonzero(scores)
        systems, logins, eids = (
            group["system"].to_list(),
            group["login_id"].to_list(),
            choices["employee_id"].to_list(),
        )
        out_sys += [systems[i] for i in rows]
        out_login += [logins[i] for i in rows]
        out_eid += [eids[j] for j in cols]
    return pl.DataFrame(
        {"system": out_sys, "login_id": out_login, "employee_id": out_eid},
        schema={"system": pl.Utf8, "login_id": pl.Utf8, "employee_id": pl.Utf8},
    )


def correlate(
    accounts: pl.DataFrame,
    people: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
) -> pl.DataFrame:
    """One row per account: situation, linked employee id, the rule that decided, candidates."""
    acc = prepare_accounts(accounts)
    ppl = prepare_people(people)
    dec = (decisions if decisions is not None else pl.DataFrame(schema=DECISION_SCHEMA)).select(
        *[pl.col(c).cast(pl.Utf8) for c in DECISION_SCHEMA]
    )
    rejected = dec.filter(pl.col("decision") == "rejected").select("system", "login_id", "employee_id")
    decided = dec.filter(pl.col("decision") != "rejected").unique(["system", "login_id"], keep="last")
    keys = ["system", "login_id"]
    results: list[pl.DataFrame] = [
        decided.select(
            *keys,
            situation=pl.when(pl.col("decision") == "confirmed")
            .then(pl.lit("linked"))
            .when(pl.col("decision") == "service")
            .then(pl.lit("service"))
            .otherwise(pl.lit("unmatched")),
            employee_id=pl.when(pl.col("decision") == "confirmed").then(pl.col("employee_id")),
            rule=pl.concat_str([pl.lit("decision:"), pl.col("decision")]),
            candidates=pl.lit([], dtype=pl.List(pl.Utf8)),
        ).join(acc.select(keys), on=keys, how="semi")
    ]
    pending = acc.join(decided.select(keys), on=keys, how="anti")
    for rule in rules:
        if pending.height == 0:
            break
        pairs = (
            _fuzzy(pending, ppl, rule.threshold)
            if rule.key == "name_fuzzy"
            else _exact(pending, ppl, rule.key)
        )
        pairs = pairs.unique()
        # how many people the rule found before rejections: a name shared by two people stays a
        # question for a reviewer even after one of them was rejected
        found = pairs.group_by(keys).agg(found=pl.len())
        pairs = pairs.join(rejected, on=["system", "login_id", "employee_id"], how="anti")
        if pairs.height == 0:
            continue
        grouped = pairs.group_by(keys).agg(candidates=pl.col("employee_id").sort()).join(found, on=keys)
        n = pl.col("candidates").list.len()
        resolved = grouped.with_columns(
            situation=pl.when((n == 1) & (pl.col("found") == 1) & pl.lit(rule.auto_link))
            .then(pl.lit("linked"))
            .when(n == 1)
            .then(pl.lit("unlinked"))
            .otherwise(pl.lit("disputed")),
            rule=pl.lit(rule.name),
        )
        if rule.key.startswith("name") and rule.auto_link:
            # one person linked by name to two accounts on one system: namesakes, let a person decide
            first = pl.col("candidates").list.first()
            dup = (
                resolved.filter(pl.col("situation") == "linked")
                .group_by("system", first.alias("e"))
                .len()
                .filter(pl.col("len") > 1)
            )
            resolved = (
                resolved.with_columns(e=first)
                .join(dup.select("system", "e", dupl=pl.lit(True)), on=["system", "e"], how="left")
                .with_columns(
                    situation=pl.when(pl.col("dupl").fill_null(False))
                    .then(pl.lit("unlinked"))
                    .otherwise(pl.col("situation"))
                )
                .drop("e", "dupl")
            )
        resolved = resolved.with_columns(
            employee_id=pl.when(pl.col("situation") == "linked").then(pl.col("candidates").list.first()),
            candidates=pl.when(pl.col("situation") == "linked")
            .then(pl.lit([], dtype=pl.List(pl.Utf8)))
            .otherwise(pl.col("candidates")),
        )
        results.append(resolved.select(list(RESULT_SCHEMA)))
        pending = pending.join(grouped.select(keys), on=keys, how="anti")
    results.append(
        pending.select(
            *keys,
            situation=pl.lit("unmatched"),
            employee_id=pl.lit(None, dtype=pl.Utf8),
            rule=pl.lit(""),
            candidates=pl.lit([], dtype=pl.List(pl.Utf8)),
        )
    )
    return pl.concat([r.select([pl.col(c).cast(t) for c, t in RESULT_SCHEMA.items()]) for r in results])


def diff(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Accounts whose situation or link changed since the previous run (new ones included)."""
    keys = ["system", "login_id"]
    joined = current.join(
        previous.select(*keys, "situation", "employee_id"), on=keys, how="left", suffix="_prev"
    )
    return joined.filter(
        pl.col("situation_prev").is_null()
        | (pl.col("situation") != pl.col("situation_prev"))
        | (pl.col("employee_id").fill_null("") != pl.col("employee_id_prev").fill_null(""))
    )
