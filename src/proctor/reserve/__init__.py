"""Customer and PAB reserve computation under SEA Rule 15c3-3 (Exhibit A).

Public API: the rule table (`RuleTable`), canonical inputs (`load_book`), the gates (`run_gates`),
the computation (`Settings`, `compute_both`; one book alone: `proctor.reserve.compute.compute`), the
deposit calendar (`FEDERAL_RESERVE`, the platform's banking-day calendar), variance review
(`review`), lineage (`proctor.reserve.explain.explain`) and the Exhibit A report. The workflow on a
workspace — inputs, computations of record, sign-off, change control, hindsight re-runs — is in
`proctor.reserve.service` and `proctor.reserve.governance`.

The names load on first use, so opening a workspace loads neither Polars nor the report writers;
`compute` and `explain` are read from their modules because each shares its name with its module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from proctor.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from proctor.platform.calendar import FEDERAL_RESERVE, BusinessCalendar
    from proctor.reserve.components import Settings
    from proctor.reserve.compute import Computation, compute_both
    from proctor.reserve.errors import ReserveError
    from proctor.reserve.gates import GateReport, run_gates
    from proctor.reserve.loaders import Book, load_book
    from proctor.reserve.report import exhibit_html, exhibit_json, exhibit_pdf
    from proctor.reserve.ruletable import RuleTable
    from proctor.reserve.variance import review

__all__ = [
    "FEDERAL_RESERVE",
    "Book",
    "BusinessCalendar",
    "Computation",
    "GateReport",
    "ReserveError",
    "RuleTable",
    "Settings",
    "compute_both",
    "exhibit_html",
    "exhibit_json",
    "exhibit_pdf",
    "load_book",
    "review",
    "run_gates",
]

_HOME = {
    "Book": "proctor.reserve.loaders",
    "BusinessCalendar": "proctor.platform.calendar",
    "Computation": "proctor.reserve.compute",
    "FEDERAL_RESERVE": "proctor.platform.calendar",
    "GateReport": "proctor.reserve.gates",
    "ReserveError": "proctor.reserve.errors",
    "RuleTable": "proctor.reserve.ruletable",
    "Settings": "proctor.reserve.components",
    "compute_both": "proctor.reserve.compute",
    "exhibit_html": "proctor.reserve.report",
    "exhibit_json": "proctor.reserve.report",
    "exhibit_pdf": "proctor.reserve.report",
    "load_book": "proctor.reserve.loaders",
    "review": "proctor.reserve.variance",
    "run_gates": "proctor.reserve.gates",
}


__getattr__ = lazy_exports(__name__, _HOME)
