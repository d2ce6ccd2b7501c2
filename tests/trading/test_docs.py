"""docs/trading.md documents every command, input column, gate, exception and rule-table entry."""

from __future__ import annotations

from pathlib import Path

from proctor.cli import trading_cmd
from proctor.trading import fix, modifiers
from proctor.trading.importers import clock, evidence, quotes, refprices, trades
from proctor.trading.iso_controls import CONTROLS as ISO_CONTROLS
from proctor.trading.ruletable import load_baseline
from proctor.trading.tradethrough import CLAUSES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "trading.md").read_text("utf-8")
GATES = ("quotes_present", "crossed_market", "missing_venues", "stale_quotes", "quote_coverage", "clock_sync")
RULE_611 = {
    "run",
    "report",
    "quarantine",
    "import quotes",
    "import trades",
    "import evidence",
    "import clock",
    "import refprices",
}
ISO = {
    "import fix",
    "import depth",
    "reportcard import",
    "modifiers",
    "tags propose",
    "tags approve",
    "tags reject",
    "tags list",
}
#: Every FIX tag the importer reads (the fields of issue-level order and route records), by number.
FIX_TAGS = (8, 9, 10, 35, 34, 49, 56, 52, 11, 583, 55, 54, 38, 44, 40, 59, 18, 100, 60, 439, 448, 452)
FIX_TAGS += (150, 39, 103, 58, 31, 32, 30, 45, 372, 379, 380, 373)
QUARANTINE_REASONS = ("bad_checksum", "bad_body_length", "missing_tag", "unknown_venue", "bad_value")


def _commands() -> list[str]:
    names = [c.name or "" for c in trading_cmd.app.registered_commands]
    for group in trading_cmd.app.registered_groups:
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


def test_every_command_is_documented() -> None:
    commands = _commands()
    assert set(commands) >= RULE_611 | ISO
    assert [c for c in sorted(commands) if f"proctor trading {c}" not in DOC] == []


def test_fix_fields_quarantine_reasons_and_detectors_are_documented() -> None:
    assert [t for t in FIX_TAGS if f"({t})" not in DOC] == []
    for tags in fix.REQUIRED.values():
        assert [t for t in tags if f"({t})" not in DOC] == []
    assert [r for r in QUARANTINE_REASONS if f"`{r}`" not in DOC] == []
    assert [c.name for c in ISO_CONTROLS if f"`{c.name}`" not in DOC] == []
    for phrase in ("default **100 ms**", "default **8**", "**1, 5, 8 and 10**", "`customer_iso_consent`"):
        assert phrase in DOC
    report_card_names = [a for aliases in modifiers.ALIASES.values() for a in aliases]
    assert [a for a in report_card_names if a not in DOC.lower()] == []


def test_the_documented_fix_line_is_a_valid_iso_route() -> None:
    line = next(x for x in DOC.splitlines() if "8=FIX.4.4|" in x and "35=D" in x)
    log = fix.parse_lines([line])
    assert log.quarantine == [] and log.counts()["isos"] == 1
    route = log.routes.row(0, named=True)
    assert (route["parent_order_id"], route["venue"], route["clearing_firm"]) == ("ORD-77", "Q", "CLR1")


def test_every_input_column_is_documented_with_an_example() -> None:
    columns = quotes.CANONICAL + quotes.TAQ + trades.CANONICAL + trades.TAQ + evidence.CANONICAL
    columns += clock.CANONICAL + refprices.CANONICAL
    header_lines = {line for line in DOC.splitlines() if "," in line and " " not in line.split(",")[0]}
    missing = [c for c in columns if not any(c in line.split(",") for line in header_lines)]
    assert missing == []


def test_every_gate_exception_evidence_kind_and_rule_parameter_is_documented() -> None:
    assert [g for g in GATES if f"`{g}`" not in DOC] == []
    assert [k for k in evidence.KINDS if f"`{k}`" not in DOC] == []
    titles = [t.split(" ", 1)[0] for t in CLAUSES.values()]
    assert [t for t in titles if t not in DOC] == []
    rules = load_baseline()
    assert [k for k in rules.quality if k != "citation" and f"`{k}`" not in DOC] == []
    for phrase in (
        "Flicker window",
        "Clock tolerance",
        "Round lot from 2025-11-03",
        "Rescission proposal",
        "Automated trading centers",
        "Regular trading hours",
        "Modifier codes",
    ):
        assert phrase in DOC
