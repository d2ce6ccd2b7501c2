"""Safety rails on the commands that change the reserve record (SQLite and PostgreSQL where stored).

Each test is a quiet failure a FINOP met: a blank withholding cell read as zero, a trailer that
ties nothing, a monthly computation the firm was not allowed, today's formula applied to last
year, a second "current" computation or input set for one date, the same alert four times.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from proctor.cli import reserve_cmd
from proctor.core.errors import InputError
from proctor.platform.alerts import AlertQuery
from proctor.reserve import governance, service, supersession
from proctor.reserve.components import Settings
from proctor.reserve.compute import compute_both
from proctor.reserve.errors import ReserveError
from proctor.reserve.gates import run_gates
from proctor.reserve.loaders import load_book
from proctor.reserve.permitted_cadence import monthly_refusal
from proctor.reserve.report import exhibit_html, exhibit_json, exhibit_pdf
from proctor.reserve.ruletable import RuleTable
from proctor.reserve.tables import computations, supersessions
from proctor.reserve.writer import book_from_tables, write_book
from proctor.store.schema import journal_events
from tests.reserve.books import FIRM, carrying_firm

WEEK = date(2025, 12, 26)
EARLIER = date(2025, 12, 19)


@pytest.fixture(scope="module")
def rules() -> RuleTable:
    return RuleTable.baseline()


def _failed(book, rules) -> dict[str, str]:
    return {r.gate: r.reason for r in run_gates(book, rules).results if not r.passed}


def _load(ws, tmp_path: Path, as_of: date, tables=None, name: str = "in", firm=None, **kw):
    folder = tmp_path / name
    write_book(folder, tables or carrying_firm(), firm or FIRM)
    return service.load_inputs(ws, folder, as_of, actor="fiona", **kw)


def _alerts(ws, word: str) -> list[dict]:
    rows, _ = ws.alerts.query(AlertQuery(page_size=500))
    return [r for r in rows if word in r["title"]]


# -- a blank value is never zero ---------------------------------------------------------------
def test_blank_withholding_is_a_hold_naming_the_account(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["accounts"][3]["withholding_payable"] = ""  # C004 carries 150.00 of withholding
    failed = _failed(book_from_tables(tables, FIRM), rules)
    reason = failed["mandatory.accounts.withholding_payable"]
    assert "blank on 1 accounts rows: C004" in reason


def test_blank_credit_balance_component_is_refused_or_held(rules: RuleTable, tmp_path: Path) -> None:
    """Every mandatory component, not only short market value: a present-but-blank short market value
    on an account without shorts is still an unknown amount."""
    tables = carrying_firm()
    tables["accounts"][0]["short_market_value"] = ""
    failed = _failed(book_from_tables(tables, FIRM), rules)
    assert "C001" in failed["mandatory.accounts.short_market_value"]


# -- trailer control totals ----------------------------------------------------------------------
def test_trailer_with_only_a_row_count_is_refused(rules: RuleTable, tmp_path: Path) -> None:
    write_book(tmp_path / "in", carrying_firm(), FIRM)
    path = tmp_path / "in" / "accounts.csv"
    lines = path.read_text("utf-8").rstrip("\n").split("\n")
    rows = len(lines) - 2
    path.write_text("\n".join([*lines[:-1], f"#TRAILER|rows={rows}"]) + "\n", "utf-8")
    failed = _failed(load_book(tmp_path / "in"), rules)
    reason = failed["control_totals.accounts"]
    assert "control totals not stated for credit_balance, debit_balance, short_market_value" in reason
    assert "withholding_payable" in reason


# -- monthly only when permitted ------------------------------------------------------------------
def test_monthly_needs_the_firm_facts_and_the_limits(rules: RuleTable) -> None:
    assert "needs net_capital, aggregate_indebtedness, customer_funds" in (monthly_refusal({}, rules) or "")
    ok = {"net_capital": "100000.00", "aggregate_indebtedness": "800000.00", "customer_funds": "1000000.00"}
    assert monthly_refusal(ok, rules) is None  # exactly 800% and exactly $1,000,000 are permitted
    over = monthly_refusal(dict(ok, aggregate_indebtedness="800000.01"), rules) or ""
    assert "aggregate indebtedness 800,000.01" in over and "over 800%" in over
    rich = monthly_refusal(dict(ok, customer_funds="1000000.01"), rules) or ""
    assert "customer funds 1,000,000.01 exceed 1,000,000.00" in rich


def test_monthly_computation_refused_with_the_reason(ws, tmp_path: Path) -> None:
    firm = dict(FIRM, net_capital="100000.00", aggregate_indebtedness="900000.00", customer_funds="5000.00")
    _load(ws, tmp_path, WEEK, firm=firm)
    with pytest.raises(ReserveError, match=r"monthly computation is not permitted.*over 800%"):
        service.compute_of_record(ws, WEEK, actor="fiona", cadence="monthly")
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(computations)).scalar() == 0
    weekly = service.compute_of_record(ws, WEEK, actor="fiona")
    assert weekly.rows["customer"]["cadence"] == "weekly"


def test_over_the_limits_at_the_last_computation_means_weekly_until_within(ws, tmp_path: Path) -> None:
    """15c3-3(e)(3): the limits are tested as computed at the last required computation."""
    small = dict(FIRM, net_capital="100000.00", aggregate_indebtedness="500000.00", customer_funds="5000.00")
    over = dict(small, aggregate_indebtedness="950000.00")
    _load(ws, tmp_path, EARLIER, firm=over, name="over")
    breached = service.compute_of_record(ws, EARLIER, actor="fiona").rows["customer"]
    _load(ws, tmp_path, WEEK, firm=small, name="small")
    with pytest.raises(ReserveError) as refused:
        service.compute_of_record(ws, WEEK, actor="fiona", cadence="monthly")
    message = str(refused.value)
    assert breached["id"] in message and "as of 2025-12-19" in message
    assert "950%" in message and "compute weekly until a computation of record shows" in message
    assert service.compute_of_record(ws, WEEK, actor="fiona").rows["customer"]["cadence"] == "weekly"
    month_end = date(2025, 12, 31)
    _load(ws, tmp_path, month_end, firm=small, name="month-end")
    monthly = service.compute_of_record(ws, month_end, actor="fiona", cadence="monthly")
    assert monthly.rows["customer"]["cadence"] == "monthly"  # the last computation was within the limits


def test_monthly_after_a_computation_that_stated_no_figures_is_refused(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, EARLIER)
    service.compute_of_record(ws, EARLIER, actor="fiona")
    small = dict(FIRM, net_capital="100000.00", aggregate_indebtedness="500000.00", customer_funds="5000.00")
    _load(ws, tmp_path, WEEK, firm=small, name="small")
    stated = "did not state net_capital, aggregate_indebtedness, customer_funds"
    with pytest.raises(ReserveError, match=stated):
        service.compute_of_record(ws, WEEK, actor="fiona", cadence="monthly")


# -- the formula in force on the as-of date ---------------------------------------------------
def test_a_date_before_the_first_formula_is_refused(ws, tmp_path: Path) -> None:
    old = date(2025, 3, 7)  # the baseline is effective 14 March 2025
    _load(ws, tmp_path, old)
    with pytest.raises(ReserveError, match="no formula version was in force on 2025-03-07"):
        service.compute_of_record(ws, old, actor="fiona")


def test_an_earlier_date_uses_the_formula_in_force_then(ws, tmp_path: Path, clock) -> None:
    baseline = service.rules_of_record(ws)
    prop = governance.propose(
        ws,
        actor="fiona",
        kind="mapping",
        changes=[{"op": "map_component", "component": "other.dividend_payable", "item": "1"}],
        reason="Unclaimed customer dividends payable are customer credits (Item 1).",
        new_version="firm.2",
    )
    governance.approve(ws, prop["id"], actor="carl")
    governance.approve(ws, prop["id"], actor="paula")  # approved 5 January 2026 (the clock)
    _load(ws, tmp_path, WEEK, name="w")
    late = date(2026, 1, 9)
    _load(ws, tmp_path, late, name="late")
    before = service.compute_of_record(ws, WEEK, actor="fiona").rows["customer"]
    after = service.compute_of_record(ws, late, actor="fiona").rows["customer"]
    assert before["rules_digest"] == baseline.digest
    assert after["rules_digest"] == prop["new_digest"]
    with pytest.raises(ReserveError, match="was not in force on 2025-12-26"):
        service.compute_of_record(ws, WEEK, actor="fiona", rules_digest=prop["new_digest"], reason="x" * 20)


# -- one computation of record per date and book ---------------------------------------------
def test_asking_again_for_the_same_computation_writes_nothing(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, WEEK)
    first = service.compute_of_record(ws, WEEK, actor="fiona")
    with ws.read() as conn:
        events = conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar()
    again = service.compute_of_record(ws, WEEK, actor="fiona")  # e.g. to look at the PAB book
    assert again.rows["pab"]["id"] == first.rows["pab"]["id"]
    with ws.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(journal_events)).scalar() == events


def test_reruns_supersede_with_a_reason_and_alert_once(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, WEEK)
    first = service.compute_of_record(ws, WEEK, actor="fiona")
    with pytest.raises(ReserveError, match="changes its method: say why"):
        service.compute_of_record(ws, WEEK, actor="fiona", method="alternative")
    second = service.compute_of_record(
        ws, WEEK, actor="fiona", reason="Rerun after the bank confirmed the deposit balances."
    )
    third = service.compute_of_record(
        ws, WEEK, actor="fiona", reason="Rerun requested by the CFO before the deposit."
    )
    with ws.read() as conn:
        standing = conn.execute(
            sa.select(computations.c.id).where(
                computations.c.as_of == WEEK, computations.c.status != supersession.SUPERSEDED
            )
        ).all()
        log = conn.execute(sa.select(supersessions).order_by(supersessions.c.decided_at)).all()
        journaled = conn.execute(
            sa.select(journal_events.c.event_type).where(
                journal_events.c.event_type == "reserve.supersession.recorded"
            )
        ).all()
    assert {r.id for r in standing} == {third.rows["customer"]["id"], third.rows["pab"]["id"]}
    assert [r.superseded_id for r in log if r.book == "customer"] == [
        first.rows["customer"]["id"],
        second.rows["customer"]["id"],
    ]
    assert [r.reason for r in log if r.book == "pab"][1] == "Rerun requested by the CFO before the deposit."
    assert len(journaled) == 4
    assert all(first.rows[b]["deficiency"] > 0 for b in ("customer", "pab"))
    # three computations, one shortfall per book: one alert each, not six
    assert sorted(a["title"].split(" reserve")[0].split()[-1] for a in _alerts(ws, "Deficiency of")) == [
        "customer",
        "pab",
    ]


def test_second_input_set_for_a_date_must_name_the_one_it_corrects(ws, tmp_path: Path) -> None:
    first = _load(ws, tmp_path, WEEK, name="a")
    with pytest.raises(ReserveError, match=f"input set {first['id']} is already current.*--supersedes"):
        _load(ws, tmp_path, WEEK, name="b")
    fixed = _load(ws, tmp_path, WEEK, name="c", supersedes=first["id"], reason="Vendor resent the file.")
    assert service.current_input_set(ws, WEEK)["id"] == fixed["id"]


def test_inputs_identical_to_the_previous_week_are_flagged(ws, tmp_path: Path) -> None:
    _load(ws, tmp_path, EARLIER, name="w0")
    fresh = carrying_firm()
    fresh["accounts"][0]["credit_balance"] = "100001.00"
    stale = _load(ws, tmp_path, WEEK, name="w1")
    assert stale["possibly_stale_of"] is not None
    assert _alerts(ws, "possibly a stale feed")[0]["title"].startswith(
        "Reserve inputs as of 2025-12-26 are identical to those of 2025-12-19"
    )
    later = _load(ws, tmp_path, WEEK + timedelta(days=7), fresh, name="w2")
    assert later["possibly_stale_of"] is None


# -- the deficiency notice in compute --json ------------------------------------------------
def test_compute_json_carries_the_deficiency_notice(sqlite_ws, tmp_path: Path) -> None:
    ws = sqlite_ws
    ws.users.add("fiona", "finop", actor="ada", password="correct horse")
    write_book(tmp_path / "in", carrying_firm(), FIRM)
    root = typer.Typer()
    root.add_typer(reserve_cmd.app, name="reserve")
    runner = CliRunner()
    base = ["--workspace", str(ws.path), "--as", "fiona"]
    load = ["reserve", "inputs", "load", str(tmp_path / "in"), "--as-of", WEEK.isoformat()]
    assert runner.invoke(root, [*load, *base]).exit_code == 0
    out = runner.invoke(root, ["reserve", "compute", "--as-of", WEEK.isoformat(), "--json", *base])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["notice"]["rule"] == "SEA Rule 15c3-3(i)"
    assert doc["computation_id"].startswith("RSV")


# -- FOCUS presentation ------------------------------------------------------------------------
def test_focus_lines_in_whole_dollars_beside_the_cents(rules: RuleTable) -> None:
    tables = carrying_firm()
    tables["accounts"][0]["credit_balance"] = "100000.40"  # Item 1 becomes 111,750.40
    tables["accounts"][1]["debit_balance"] = "40000.30"
    customer, _ = compute_both(
        book_from_tables(tables, FIRM), rules, Settings("customer", WEEK, "basic", "weekly")
    )
    doc = exhibit_json(customer, rules, firm=FIRM["name"])
    by_line = {r["focus_line"]: r for r in doc["focus"]}
    assert (by_line["1"]["exact"], by_line["1"]["whole_dollars"], by_line["1"]["rounding_cents"]) == (
        "111750.40",
        111751,
        60,
    )
    assert by_line["12"]["rounded"] == "down" and by_line["12"]["rounding_cents"] <= 0
    assert by_line["22"]["whole_dollars"] * 100 >= customer.requirement  # never understated
    assert by_line["26"]["name"] == "new_amount_on_deposit"
    assert by_line["26"]["whole_dollars"] * 100 >= customer.requirement
    assert by_line["27"]["name"] == "date_of_deposit" and by_line["27"]["date"] is None
    assert by_line["27"]["deadline"] == customer.deadline.isoformat()
    assert [r["focus_line"] for r in doc["focus"]].count("22") == 1
    html = exhibit_html(doc)  # the filed figures are in the reports a FINOP files from, too
    table = html.split('id="focus-lines"', 1)[1].split("</table>", 1)[0]
    assert "111,751" in table and "111750.40" in table and "up 0.60" in table
    assert "date_of_deposit" in table and f"due by {customer.deadline.isoformat()}" in table
    text = _pdf_text(exhibit_pdf(doc))
    assert "FOCUS Part II, as filed" in text and "111,751" in text and "up 0.60" in text


def _pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages (fpdf2 deflates each content stream)."""
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(chunks)


# -- history from before Proctor ------------------------------------------------------------------
MONTH_ENDS = [
    "2025-07-31",
    "2025-08-29",
    "2025-09-30",
    "2025-10-31",
    "2025-11-28",
    "2025-12-31",
    "2026-01-30",
    "2026-02-27",
    "2026-03-31",
    "2026-04-30",
    "2026-05-29",
    "2026-06-30",
]


def _month_end_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "focus-month-ends.csv"
    body = "\n".join(rows)
    path.write_text(f"month_end,customer_total_credits,pab_total_credits,filed_report\n{body}\n", "utf-8")
    return path


def test_filed_month_ends_count_toward_the_daily_threshold(ws, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from proctor.core.controls import ControlRegistry
    from proctor.platform import builtin
    from proctor.reserve import focus_history, plugin

    registry = ControlRegistry()
    registry.extend(plugin.CONTROLS)
    registry.extend(builtin.CONTROLS)
    ws.registry = registry
    rows = [f"{d},300000000.00,250000000.00,FOCUS Part II {d[:7]} as filed" for d in MONTH_ENDS]
    path = _month_end_file(tmp_path, rows)
    attest = "Copied from the firm's filed FOCUS Part II reports, line 11."
    with pytest.raises(InputError, match="attestation"):
        focus_history.import_month_ends(ws, path, actor="fiona", attestation="ok")
    stored = focus_history.import_month_ends(ws, path, actor="fiona", attestation=attest)
    assert len(stored) == 12 and stored[0]["attested_by"] == "fiona"
    with pytest.raises(InputError, match="already has an imported month end"):
        focus_history.import_month_ends(ws, path, actor="fiona", attestation=attest)
    run = ws.controls.run(
        "reserve.daily_threshold", actor="fiona", as_of=datetime(2026, 7, 6, 12, tzinfo=UTC)
    )
    assert run["summary"]["month_ends"] == 12 and run["summary"]["cadence"] == "daily"
    assert run["findings"] == 1


def test_month_end_import_refuses_bad_rows_and_writes_nothing(ws, tmp_path: Path) -> None:
    from proctor.reserve import focus_history

    attest = "Copied from the firm's filed FOCUS Part II reports, line 11."
    blank = _month_end_file(tmp_path, ["2025-07-31,300000000.00,,FOCUS July 2025"])
    with pytest.raises(InputError) as err:
        focus_history.import_month_ends(ws, blank, actor="fiona", attestation=attest)
    assert err.value.row == 1 and err.value.field == "pab_total_credits"
    mid = _month_end_file(
        tmp_path, ["2025-07-31,1.00,1.00,FOCUS July 2025", "2025-08-15,1.00,1.00,FOCUS Aug"]
    )
    with pytest.raises(InputError, match="not the last business day"):
        focus_history.import_month_ends(ws, mid, actor="fiona", attestation=attest)
    assert focus_history.list_imported(ws) == []
