"""Rule 611 parameters as versioned data, resolved for one symbol-day.

The check of a trade in 2018 must use the round lot, clock tolerance and venue list of 2018, and a
check in 2026 those of 2026: every value carries its effective date and citation, and
`params_for(day, ...)` picks the ones in force that day. A version is named and content-digested,
so every alert records exactly which table it was judged under. The June 2026 proposal to rescind
Rule 611 is recorded as data: the rule applies until a final rule takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from proctor.core.errors import InputError
from proctor.platform.ruletables import citations_of, content_digest, packaged_document
from proctor.trading.params import DEFAULT_MODIFIER_CODES, KernelParams

BASELINE = "rule611.v1.yaml"
MICROS = 1_000_000


@dataclass(frozen=True)
class RoundLot:
    """The round lot assigned to a symbol-day and how it was assigned (reported with the check)."""

    shares: int
    basis: str  # fixed | reference_price | first_prices_of_day | no_price
    reference_price: int | None  # micro-dollars
    flagged: bool  # true when the tier was not assigned from a reference price file

    def as_dict(self) -> dict[str, Any]:
        return {
            "shares": self.shares,
            "basis": self.basis,
            "reference_price": self.reference_price,
            "flagged": self.flagged,
        }


def _day(text: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise InputError(f"not a date: {text!r}", file=BASELINE, field=where) from None


def _in_force(versions: list[dict[str, Any]], day: date, where: str) -> dict[str, Any]:
    chosen = [v for v in versions if _day(v["effective_from"], where) <= day]
    if not chosen:
        raise InputError(f"no version in force on {day}", file=BASELINE, field=where)
    return max(chosen, key=lambda v: _day(v["effective_from"], where))


def _micros(text: str) -> int:
    return int(Decimal(text) * MICROS)


class RuleTable:
    """One validated version of the Rule 611 table."""

    def __init__(self, data: dict[str, Any]) -> None:
        for key in (
            "version",
            "rule_611",
            "venues",
            "round_lot",
            "flicker",
            "clock_tolerance",
            "trading_hours",
        ):
            if key not in data:
                raise InputError(f"rule table lacks {key!r}", file=BASELINE, field=key)
        self.data = data
        self.version = str(data["version"])
        self.digest = content_digest(data)
        self.effective_from = _day(data["rule_611"]["effective_from"], "rule_611.effective_from")
        self.tz = ZoneInfo(str(data["trading_hours"]["timezone"]))
        self.quality: dict[str, Any] = dict(data.get("data_quality") or {})

    def citations(self) -> list[str]:
        """Every rule the table cites (the platform's rule-table contract)."""
        sections = [
            self.data[k] for k in ("rule_611", "round_lot", "flicker", "clock_tolerance", "trading_hours")
        ]
        sections += list(self.data.get("definitions", {}).values())
        return citations_of(sections)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)

    @property
    def label(self) -> str:
        """Version name plus digest prefix: what an alert records as the rule version."""
        return f"{self.version}@{self.digest[:12]}"

    # ------------------------------------------------------------------ in force on a date

    def applies(self, day: date) -> tuple[bool, str]:
        """Whether Rule 611 governs trades of `day`, and why (a rescission counts only once effective)."""
        start = _day(self.data["rule_611"]["effective_from"], "rule_611.effective_from")
        if day < start:
            return False, f"Rule 611 compliance began {start}"
        for p in self.data["rule_611"].get("proposals") or []:
            eff = p.get("final_rule_effective")
            if p.get("status") == "adopted" and eff and _day(eff, "final_rule_effective") <= day:
                return False, f"{p['title']}: final rule effective {eff}"
        pending = [
            p["id"] for p in self.data["rule_611"].get("proposals") or [] if p.get("status") == "proposed"
        ]
        note = (
            f"; pending proposal(s) {', '.join(pending)} do not change the rule until adopted"
            if pending
            else ""
        )
        return True, f"{self.data['rule_611']['citation']} in force{note}"

    def venues(self, day: date) -> tuple[str, ...]:
        return tuple(
            str(v["code"]) for v in self.data["venues"] if _day(v["from"], f"venues.{v['code']}") <= day
        )

    def venue_names(self) -> dict[str, str]:
        return {str(v["code"]): str(v["name"]) for v in self.data["venues"]}

    def flicker_ns(self, day: date) -> int:
        v = _in_force(self.data["flicker"]["versions"], day, "flicker")
        return int(Decimal(str(v["seconds"])) * 1_000_000_000)

    def tolerance_ns(self, day: date) -> int:
        v = _in_force(self.data["clock_tolerance"]["versions"], day, "clock_tolerance")
        return int(Decimal(str(v["milliseconds"])) * 1_000_000)

    def hours_ns(self, day: date) -> tuple[int, int]:
        """Regular trading hours of `day` as UTC nanoseconds (DST handled by the zone)."""
        hours = self.data["trading_hours"]
        out = []
        for key in ("open", "close"):
            local = datetime.combine(day, time.fromisoformat(str(hours[key])), self.tz)
            out.append(int(local.timestamp()) * 1_000_000_000)
        return out[0], out[1]

    def round_lot_version(self, day: date) -> dict[str, Any]:
        return _in_force(self.data["round_lot"]["versions"], day, "round_lot")

    def round_lot(self, day: date, reference: int | None, first_price: int | None) -> RoundLot:
        """Round lot for a symbol-day: fixed, or the price tier of the reference (else first) price."""
        version = self.round_lot_version(day)
        tiers = version["tiers"]
        if version["basis"] == "fixed":
            return RoundLot(int(tiers[0]["shares"]), "fixed", None, False)
        if reference is not None:
            price, basis, flagged = reference, "reference_price", False
        elif first_price is not None:
            price, basis, flagged = first_price, "first_prices_of_day", True
        else:
            return RoundLot(int(tiers[0]["shares"]), "no_price", None, True)
        for tier in tiers:
            if tier["max_price"] is None or price <= _micros(str(tier["max_price"])):
                return RoundLot(int(tier["shares"]), basis, price, flagged)
        raise InputError("round-lot tiers do not cover every price", file=BASELINE, field="round_lot")

    def params_for(self, day: date, round_lot: RoundLot) -> KernelParams:
        codes = dict((self.data.get("modifier_codes") or {}).get("codes") or {})
        return KernelParams(
            round_lot=round_lot.shares,
            protected_venues=self.venues(day),
            flicker_ns=self.flicker_ns(day),
            tolerance_ns=self.tolerance_ns(day),
            modifier_codes={str(k): str(v) for k, v in codes.items()} if codes else DEFAULT_MODIFIER_CODES,
            regular_hours_ns=self.hours_ns(day),
            rule_version=self.label,
        )

    def summary(self, day: date) -> dict[str, Any]:
        """What was in force on `day`, for the report and docs."""
        applies, why = self.applies(day)
        lot = self.round_lot_version(day)
        return {
            "version": self.label,
            "rule_611_applies": applies,
            "why": why,
            "protected_venues": list(self.venues(day)),
            "round_lot": {
                "basis": lot["basis"],
                "tiers": lot["tiers"],
                "citation": self.data["round_lot"]["citation"],
            },
            "flicker_ns": self.flicker_ns(day),
            "clock_tolerance_ns": self.tolerance_ns(day),
            "regular_hours_utc_ns": list(self.hours_ns(day)),
        }


def load_baseline() -> RuleTable:
    """The packaged table (firm-approved versions would be chosen with `platform.ruletables.in_force`)."""
    return RuleTable(packaged_document("proctor.trading.rules", BASELINE))
