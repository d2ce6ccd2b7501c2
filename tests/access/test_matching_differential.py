"""The columnar correlation engine against a plain per-account reference, on randomised firms."""

from __future__ import annotations

import random
import unicodedata

import polars as pl
import pytest
from rapidfuzz import fuzz

from proctor.access import matching

FIRST = [
    "Ana",
    "Bo",
    "Calvin",
    "Dana",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "José",
    "Kim",
    "Luis",
    "Mei",
    "Noor",
]
LAST = [
    "Lopez",
    "Kim",
    "Rios",
    "Brooks",
    "Osei",
    "Grant",
    "Chen",
    "Nair",
    "Haddad",
    "Ortega",
    "Smith",
    "Müller",
]


def _norm(text: str) -> list[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return "".join(ch if ch.isalnum() or ch == "," else " " for ch in plain).split()


def _display_tokens(display: str) -> tuple[list[str], list[str]]:
    """(all tokens, [first, last]) of a display name, honouring LAST, FIRST."""
    if "," in display:
        last, _, rest = display.partition(",")
        tokens = _norm(rest) + _norm(last)
        first_last = [(_norm(rest) or [""])[0], (_norm(last) or [""])[-1]]
    else:
        tokens = _norm(display)
        first_last = [tokens[0], tokens[-1]] if tokens else ["", ""]
    return [t for t in tokens if t != ","], first_last


def reference(
    accounts: list[dict[str, str]], people: list[dict[str, str]]
) -> dict[str, tuple[str, str | None]]:
    """Rule by rule, account by account: the behaviour `matching.correlate` must reproduce."""

    def full(p: dict[str, str]) -> str:
        return " ".join(sorted(_norm(f"{p['first_name']} {p['middle_name']} {p['last_name']}")))

    def first_last(p: dict[str, str]) -> str:
        return " ".join(sorted([_norm(p["first_name"])[0], _norm(p["last_name"])[-1]]))

    def initials(key: str) -> str:  # fuzzy candidates share the initials of first and last name
        return "".join(sorted(t[0] for t in key.split()))

    out: dict[str, tuple[str, str | None]] = {}
    name_links: dict[str, list[str]] = {}
    for a in accounts:
        tokens, fl = _display_tokens(a["display_name"])
        key_full, key_fl = " ".join(sorted(tokens)), " ".join(sorted(fl))
        rules = [
            (
                "employee_id",
                True,
                [p["employee_id"] for p in people if p["employee_id"].lower() == a["login_id"].lower()],
            ),
            (
                "email",
                True,
                [
                    p["employee_id"]
                    for p in people
                    if p["work_email"] == (a["email"] or a["login_id"]).lower()
                ],
            ),
            (
                "name_full",
                True,
                [p["employee_id"] for p in people if " " in key_full and full(p) == key_full],
            ),
            (
                "name_first_last",
                False,
                [p["employee_id"] for p in people if " " in key_fl and first_last(p) == key_fl],
            ),
            (
                "name_fuzzy",
                False,
                [
                    p["employee_id"]
                    for p in people
                    if " " in key_fl
                    and initials(key_fl) == initials(first_last(p))
                    and fuzz.token_sort_ratio(key_fl, first_last(p)) >= 88
                ],
            ),
        ]
        for name, auto, hits in rules:
            if not hits:
                continue
            if len(hits) == 1 and auto:
                out[a["login_id"]] = ("linked", hits[0])
                if name == "name_full":
                    name_links.setdefault(hits[0], []).append(a["login_id"])
            else:
                out[a["login_id"]] = ("unlinked" if len(hits) == 1 else "disputed", None)
            break
        else:
            out[a["login_id"]] = ("unmatched", None)
    for logins in name_links.values():
        if len(logins) > 1:
            for login in logins:
                out[login] = ("unlinked", None)
    return out


def _firm(seed: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(seed)
    people = []
    for i in range(60):
        f, m, la = rng.choice(FIRST), rng.choice([*FIRST, ""]), rng.choice(LAST)
        people.append(
            {
                "employee_id": f"E{i:03d}",
                "first_name": f,
                "middle_name": m,
                "last_name": la,
                "work_email": f"{f}.{la}.{i}@harborstreet.com".lower(),
            }
        )
    accounts = []
    for n in range(120):
        p = rng.choice(people)
        form = rng.randrange(6)
        login, email = f"V{n:04d}", ""
        display = f"{p['first_name']} {p['middle_name']} {p['last_name']}".replace("  ", " ")
        if form == 0:
            login = p["employee_id"].lower()
        elif form == 1:
            email = p["work_email"].upper()
        elif form == 2:
            display = (
                f"{p['last_name'].upper()}, {p['first_name'].upper()} {p['middle_name'].upper()}".strip()
            )
        elif form == 3:
            display = f"{p['first_name']} {p['last_name']}"
        elif form == 4:
            display = (
                f"{p['first_name'][0]}{p['first_name'][2:]}x {p['last_name']}"  # misspelt, same initials
            )
        else:
            display = f"{rng.choice(['Zed', 'Yara'])} {rng.choice(['Quill', 'Voss'])}"  # nobody in HR
        accounts.append(
            {
                "system": "vendor",
                "login_id": login if form else f"{login}",
                "display_name": display,
                "email": email,
                "external_id": "",
            }
        )
    unique = {a["login_id"]: a for a in accounts}
    return list(unique.values()), people


@pytest.mark.parametrize("seed", range(1, 21))
def test_columnar_engine_matches_the_reference(seed: int) -> None:
    accounts, people = _firm(seed)
    fast = matching.correlate(pl.DataFrame(accounts), pl.DataFrame(people))
    got = {r["login_id"]: (r["situation"], r["employee_id"]) for r in fast.iter_rows(named=True)}
    want = reference(accounts, people)
    assert got == want
