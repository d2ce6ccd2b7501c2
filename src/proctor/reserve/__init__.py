"""Customer and PAB reserve computation under SEA Rule 15c3-3 (Exhibit A).

Public API: the rule table (`RuleTable`), canonical inputs (`load_book`), the gates (`run_gates`),
the computation (`Settings`, `compute`, `compute_both`), the deposit calendar (`FEDERAL_RESERVE`,
the platform's banking-day calendar), variance review (`review`), lineage (`explain`) and the
Exhibit A report. The workflow on a workspace — inputs, computations of record, sign-off, change
control, hindsight re-runs — is in `proctor.reserve.service` and `proctor.reserve.governance`.
"""

from proctor.platform.calendar import FEDERAL_RESERVE, BusinessCalendar
from proctor.reserve.components import Settings
from proctor.reserve.compute import Computation, compute, compute_both
from proctor.reserve.errors import ReserveError
from proctor.reserve.explain import explain
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
    "compute",
    "compute_both",
    "exhibit_html",
    "exhibit_json",
    "exhibit_pdf",
    "explain",
    "load_book",
    "review",
    "run_gates",
]
