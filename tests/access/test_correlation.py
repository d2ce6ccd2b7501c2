"""Correlation: strong identifiers link, names propose, people decide, and nothing wrong is silent."""

from __future__ import annotations

import csv
import random
import tarfile
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from proctor.access import correlation, matching, people, systems
from proctor.access.accounts import import_roster
from proctor.store.schema import journal_events
from tests.access.firm import add_staff, at, hr_csv, roster_csv, t
from tests.conftest import SHARED_DATA

PEOPLE = pl.DataFrame(
    {
        "employee_id": ["E1", "E2", "E3", "E4", "E5"],
        "first_name": ["Calvin", "Ana", "John", "John", "Zoë"],
        "middle_name": ["Edward", "", "A", "B", ""],
        "last_name": ["Rios", "López", "Smith", "Smith", "Ng"],
        "work_email": [
            "calvin.rios@harborstreet.com",
            "ana.lopez@harborstreet.com",
            "js1@harborstreet.com",
            "js2@harborstreet.com",
            "zoe.ng@harborstreet.com",
        ],
    }
)


def _accounts(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "system": ["insurer"] * len(rows),
            "login_id": [r[0] for r in rows],
            "display_name": [r[1] for r in rows],
            "email": [r[2] for r in rows],
            "external_id": [""] * len(rows),
        }
    )


def test_situations_by_rule() -> None:
    accounts = _accounts(
        ("e1", "", ""),  # employee id as login
        ("MSI002", "Ana Lopez", "ANA.LOPEZ@harborstreet.com"),  # e-mail, any case
        ("MSI003", "NG, ZOE", ""),  # every name token, accents and order aside
        ("MSI004", "John Smith", ""),  # two Johns Smith: disputed
        ("MSI005", "Calvn Rios", ""),  # misspelt: a candidate, never a link
        ("MSI006", "Jan Kowalski", "jk@mail.example"),  # nobody
    )
    result = {r["login_id"]: r for r in matching.correlate(accounts, PEOPLE).iter_rows(named=True)}
    assert (result["e1"]["situation"], result["e1"]["employee_id"], result["e1"]["rule"]) == (
        "linked",
        "E1",
        "employee_id",
    )
    assert (result["MSI002"]["employee_id"], result["MSI002"]["rule"]) == ("E2", "email")
    assert (result["MSI003"]["employee_id"], result["MSI003"]["rule"]) == ("E5", "name_full")
    assert (result["MSI004"]["situation"], result["MSI004"]["candidates"]) == ("disputed", ["E3", "E4"])
    assert (
        result["MSI005"]["situation"],
        result["MSI005"]["candidates"],
        result["MSI005"]["employee_id"],
    ) == ("unlinked", ["E1"], None)
    assert (result["MSI006"]["situation"], result["MSI006"]["candidates"]) == ("unmatched", [])


def test_one_person_named_on_two_accounts_is_left_to_a_reviewer() -> None:
    accounts = _accounts(("MSI1", "Calvin Edward Rios", ""), ("MSI2", "Rios, Calvin Edward", ""))
    result = matching.correlate(accounts, PEOPLE)
    assert set(result["situation"]) == {"unlinked"}


def test_decisions_come_first_and_a_rejected_pair_never_returns() -> None:
    accounts = _accounts(
        ("MSI005", "Calvn Rios", ""), ("svc-batch", "Batch", ""), ("MSI007", "Ana Lopez", "")
    )
    decisions = pl.DataFrame(
        {
            "system": ["insurer"] * 3,
            "login_id": ["MSI005", "svc-batch", "MSI007"],
            "employee_id": ["E1", None, "E2"],
            "decision": ["rejected", "service", "confirmed"],
        }
    )
    result = {r["login_id"]: r for r in matching.correlate(accounts, PEOPLE, decisions).iter_rows(named=True)}
    assert result["MSI005"]["situation"] == "unmatched" and result["MSI005"]["candidates"] == []
    assert result["svc-batch"]["situation"] == "service"
    assert (result["MSI007"]["situation"], result["MSI007"]["rule"]) == ("linked", "decision:confirmed")


def test_diff_reports_only_what_changed() -> None:
    accounts = _accounts(("MSI002", "Ana Lopez", "ana.lopez@harborstreet.com"), ("MSI009", "Kim Park", ""))
    before = matching.correlate(accounts, PEOPLE)
    grown = pl.concat(
        [
            PEOPLE,
            pl.DataFrame(
                {
                    "employee_id": ["E9"],
                    "first_name": ["Kim"],
                    "middle_name": [""],
                    "last_name": ["Park"],
                    "work_email": ["kim.park@harborstreet.com"],
                }
            ),
        ]
    )
    after = matching.correlate(accounts, grown)
    changed = matching.diff(before, after)
    assert changed["login_id"].to_list() == ["MSI009"] and changed["employee_id"].to_list() == ["E9"]


def test_review_queue_confirm_and_reject_survive_reimport(sqlite_ws, clock, tmp_path: Path) -> None:
    ws = sqlite_ws
    add_staff(ws)
    at(clock, "2026-02-01T12:00:00Z")
    systems.add_system(
        ws, "insurer", kind="vendor", npi=True, actor="ada", vendor_contact="access@insurer.example"
    )
    people.import_hr(
        ws,
        hr_csv(
            tmp_path,
            "hr.csv",
            "E1,Calvin,Rios,calvin.rios@harborstreet.com,active,employee,2016-07-01,,,,,",
            "E3,John,Smith,js1@harborstreet.com,active,employee,2016-07-01,,,,,",
            "E4,John,Smith,js2@harborstreet.com,active,employee,2016-07-01,,,,,",
        ),
        actor="ada",
        as_of=t("2026-01-31T00:00:00Z"),
    )
    roster = roster_csv(tmp_path, "r1.csv", "MSI005,Calvn Rios,,active,,", "MSI004,John Smith,,active,,")
    import_roster(ws, "insurer", roster, actor="ada", as_of=t("2026-02-01T00:00:00Z"))
    queue = {q["login_id"]: q for q in correlation.queue(ws)}
    assert queue["MSI005"]["situation"] == "unlinked" and queue["MSI005"]["candidate_names"] == [
        "Calvin Rios"
    ]
    assert queue["MSI004"]["situation"] == "disputed"
    assert correlation.linked_person(ws, "insurer", "MSI005") is None

    correlation.confirm(ws, "insurer", "MSI005", "E1", actor="paula", rationale="Vendor confirmed by phone")
    correlation.reject(ws, "insurer", "MSI004", "E3", actor="paula", rationale="E3 never worked on insurance")
    linked = correlation.linked_person(ws, "insurer", "MSI005", at=t("2026-02-01T00:00:00Z"))
    assert linked is not None and linked.employee_id == "E1" and linked.status_at() == "employed"
    assert correlation.situation_of(ws, "insurer", "MSI004")["candidates"] == ["E4"]  # type: ignore[index]

    at(clock, "2026-02-08T12:00:00Z")
    import_roster(ws, "insurer", roster, actor="ada", as_of=t("2026-02-08T00:00:00Z"))
    again = correlation.situation_of(ws, "insurer", "MSI004")
    assert again is not None and again["situation"] == "unlinked" and again["candidates"] == ["E4"]
    assert correlation.situation_of(ws, "insurer", "MSI005")["employee_id"] == "E1"  # type: ignore[index]
    frame = correlation.link_frame(ws)
    assert frame.filter(pl.col("login_id") == "MSI005")["employee_id"].to_list() == ["E1"]
    with ws.read() as conn:
        kinds = {r[0] for r in conn.execute(sa.select(journal_events.c.event_type))}
    assert {"access.correlation.confirmed", "access.correlation.rejected", "access.link.recorded"} <= kinds


def _cert_snapshots(tmp_path: Path) -> list[Path]:
    archive = SHARED_DATA / "cert_ldap" / "LDAP.tar.gz"
    if not archive.exists():
        pytest.skip(f"CERT LDAP snapshots not available at {archive}")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "cert", filter="data")
    files = sorted((tmp_path / "cert").rglob("*.csv"))
    assert len(files) == 18
    return files


def _vendor_roster(path: Path, snapshot: Path, seed: int = 2010) -> dict[str, str]:
    """Every user of the first month on a vendor system with login ids unlike their e-mails.

    Most accounts carry the work e-mail, many only a name (as `LAST, FIRST MIDDLE` or a shorter
    form), a few a misspelt name; plus service accounts and accounts of people HR never had (one a
    namesake of a real employee with a different middle name). Returns login id -> true user id.
    """
    rng = random.Random(seed)
    with snapshot.open(newline="") as fh:
        users = list(csv.DictReader(fh))
    truth: dict[str, str] = {}
    rows = []
    for n, u in enumerate(users):
        first, middle, last = u["employee_name"].split()
        login = f"INS{100000 + n * 7:06d}"
        draw = rng.random()
        email, name = "", f"{last.upper()}, {first.upper()} {middle.upper()}"
        if draw < 0.55:
            email = u["email"].upper()
        elif draw < 0.75:
            name = f"{first} {middle} {last}"
        elif draw < 0.995:
            email = f"{first[0].lower()}{last.lower()}{n}@mail.example"
        else:
            name = f"{first[:-1]} {last}"  # a typo and no middle name
        truth[login] = u["user_id"]
        rows.append(
            {
                "login_id": login,
                "display_name": name,
                "email": email,
                "status": "active",
                "created": "2009-11-02",
                "last_login": "",
            }
        )
    first, middle, last = users[0]["employee_name"].split()
    rows.append(
        {
            "login_id": "INS999001",
            "display_name": f"{first} Quentin {last}",
            "email": "",
            "status": "active",
            "created": "2009-11-02",
            "last_login": "",
        }
    )
    rows.append(
        {
            "login_id": "INS999002",
            "display_name": "Jan Kowalski",
            "email": "",
            "status": "active",
            "created": "2009-11-02",
            "last_login": "",
        }
    )
    rows.append(
        {
            "login_id": "svc-policy-batch",
            "display_name": "Policy batch",
            "email": "",
            "status": "active",
            "created": "2009-11-02",
            "last_login": "",
        }
    )
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, ["login_id", "display_name", "email", "status", "created", "last_login"])
        writer.writeheader()
        writer.writerows(rows)
    return truth


def test_cert_ldap_history_and_vendor_correlation(sqlite_ws, clock, tmp_path: Path) -> None:
    ws = sqlite_ws
    files = _cert_snapshots(tmp_path)
    at(clock, "2011-06-15T00:00:00Z")
    systems.add_system(
        ws, "insurer", kind="vendor", npi=True, actor="ada", vendor_contact="access@insurer.example"
    )
    for path in files:
        month = path.stem  # YYYY-MM: the snapshot as of the first of that month
        result = people.import_hr(ws, path, actor="ada", as_of=t(f"{month}-01T00:00:00Z"))
        assert result["quarantined"] == 0 and result["rows"] >= 1762
    hist = people.histories(ws)
    assert len(hist) == 2000
    leavers = {e for e, h in hist.items() if h.last_end is not None}
    assert len(leavers) == 238
    assert all(hist[e].spans[-1].end_source == "vanished" for e in leavers)
    assert not any(h.rehired for h in hist.values())

    truth = _vendor_roster(tmp_path / "vendor.csv", files[0])
    import_roster(ws, "insurer", tmp_path / "vendor.csv", actor="ada", as_of=t("2011-06-01T00:00:00Z"))
    rows = {r["login_id"]: r for r in correlation.situations(ws, "insurer")}
    wrong = [
        lg for lg, r in rows.items() if r["employee_id"] is not None and truth.get(lg) != r["employee_id"]
    ]
    assert wrong == []  # no silent wrong link
    correct = sum(1 for lg, user in truth.items() if rows[lg]["employee_id"] == user)
    assert correct / len(truth) >= 0.99
    queued = {q["login_id"] for q in correlation.queue(ws, "insurer")}
    unresolved = {lg for lg in truth if rows[lg]["employee_id"] is None}
    assert unresolved <= queued  # every real user not linked is in the review queue
    assert rows["INS999001"]["situation"] in ("unlinked", "disputed")  # namesake: proposed, not linked
    assert rows["INS999002"]["situation"] == "unmatched"
    # leavers are correlated too: their vendor accounts are the ones that matter
    assert sum(1 for lg, user in truth.items() if user in leavers and rows[lg]["employee_id"] == user) >= 230
