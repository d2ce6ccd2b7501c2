"""The one parameter object of the Rule 611 kernel and trade-through check, for one symbol-day.

Everything the check depends on that a firm or a rule change can alter is here, so a result can
be regenerated from stored inputs plus this object (it is built from the versioned rule table and
recorded with every alert through `as_dict`). Why each field exists:

- `round_lot`: Rule 600(b) defines a protected bid/offer as a quotation that is the best bid or
  offer of an automated trading center *displayed through the SIP*; the SIP's best quotes are
  round-lot quotes, so a displayed size below the round lot for that date and price tier (100
  shares before 3 Nov 2025; 100/40/10/1 after the MDI round-lot change) is not protected.
- `protected_venues`: only automated trading centers' quotations are protected (Rule 600(b)
  "automated quotation" / "protected quotation"); quotes of other venues are ignored, not guessed.
- `flicker_ns`: Rule 611(b)(8), the one-second window before execution.
- `tolerance_ns`: FINRA Rule 4590 clock-synchronisation tolerance (50 ms) used for the clock class
  (is a violation robust to any ordering of clocks within tolerance, or does it depend on it).
- `modifier_codes`: trade-report modifier code -> meaning; the mapping is firm data.
- `firm_quote_conditions` / `bid_only_firm_conditions` / `ask_only_firm_conditions`: SIP quote
  conditions under which the venue's quote (or one side of it) is automated and firm. Defaults follow
  the UTP Quotation Data Feed (UQDF 7.5.2.2): R regular two-sided, Y regular one-sided and O opening
  quote are firm; A (manual ask, automatic bid) keeps only the bid; B (manual bid, automatic ask)
  keeps only the ask; every other condition (H manual, N non-firm, L closed, Z no open, ...)
  neutralises the venue's quote — it stops being protected, it is not deleted.
- `customer_capacities`: Rule 611(b)(9)(i) requires the stopped order be for a customer's account.
- `regular_hours_ns`: Rule 611 applies during regular trading hours only; `None` = the caller
  has already limited trades to regular hours (no filtering here).
- `rule_version`: the rule-table version the object was built from, carried into every result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Meanings the check understands. A code mapped to any other meaning is carried but inert.
MEANINGS = frozenset(
    {
        "iso_outbound",  # 611(b)(6): firm routed ISOs simultaneously to every better protected quote
        "iso_inbound",  # 611(b)(5): execution of an order received as an ISO
        "self_help",  # 611(b)(1): declared self-help against a venue (evidence decides)
        "benchmark",  # 611(b)(7): price not based on the quote at execution (VWAP, derivatively priced)
        "error_correction",  # 611(d) exemption: bona fide error correction
        "print_protection",  # 611(d) exemption: print protection for a customer
        "qct",  # 611(d) exemption: qualified contingent trade
        "opening",  # 611(b)(3): single-priced opening transaction
        "reopening",  # 611(b)(3): single-priced reopening transaction (after a halt)
        "closing",  # 611(b)(3): single-priced closing transaction
    }
)

DEFAULT_MODIFIER_CODES: dict[str, str] = {
    "3": "iso_outbound",
    "F": "iso_inbound",
    "2": "self_help",
    "4": "benchmark",
    "7": "error_correction",
    "8": "print_protection",
    "V": "qct",
    # UTP/CTA sale-condition letters for market-center single-price crosses (611(b)(3)).
    "O": "opening",
    "5": "reopening",
    "6": "closing",
}

MAX_VENUES = 63  # venues at the best are reported as a bitmask in one int64


@dataclass(frozen=True)
class KernelParams:
    """Versioned parameters for one symbol-day. Treat `modifier_codes` as read-only."""

    round_lot: int
    protected_venues: tuple[str, ...]
    flicker_ns: int = 1_000_000_000
    tolerance_ns: int = 50_000_000
    modifier_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MODIFIER_CODES))
    firm_quote_conditions: tuple[str, ...] = ("R", "Y", "O")
    bid_only_firm_conditions: tuple[str, ...] = ("A",)
    ask_only_firm_conditions: tuple[str, ...] = ("B",)
    customer_capacities: tuple[str, ...] = ("agency", "riskless_principal", "A", "R")
    regular_hours_ns: tuple[int, int] | None = None
    rule_version: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.round_lot, int) or self.round_lot < 1:
            raise ValueError(f"round_lot must be a positive number of shares, got {self.round_lot!r}")
        if self.flicker_ns < 0 or self.tolerance_ns < 0:
            raise ValueError("flicker_ns and tolerance_ns must not be negative")
        venues = tuple(self.protected_venues)
        if not venues:
            raise ValueError("protected_venues is empty: no automated trading center to protect")
        if len(set(venues)) != len(venues) or len(venues) > MAX_VENUES:
            raise ValueError(f"protected_venues must be unique and at most {MAX_VENUES}: {venues!r}")
        unknown = sorted(set(self.modifier_codes.values()) - MEANINGS)
        if unknown:
            raise ValueError(f"modifier_codes has meanings the check does not know: {unknown}")
        overlap = (
            set(self.firm_quote_conditions) & set(self.bid_only_firm_conditions)
            | set(self.firm_quote_conditions) & set(self.ask_only_firm_conditions)
            | set(self.bid_only_firm_conditions) & set(self.ask_only_firm_conditions)
        )
        if overlap:
            raise ValueError(f"quote conditions listed in more than one firmness class: {sorted(overlap)}")
        if self.regular_hours_ns is not None and self.regular_hours_ns[0] >= self.regular_hours_ns[1]:
            raise ValueError("regular_hours_ns must be (start, end) with start < end")
        object.__setattr__(self, "protected_venues", venues)
        object.__setattr__(self, "modifier_codes", dict(self.modifier_codes))

    def __hash__(self) -> int:  # the mapping field is a dict; hash the recorded form instead
        return hash(json.dumps(self.as_dict(), sort_keys=True))

    def meanings_of(self, codes: list[str] | tuple[str, ...] | None) -> set[str]:
        """The meanings of a trade's modifier codes (unknown codes carry no meaning)."""
        return {self.modifier_codes[c] for c in codes or () if c in self.modifier_codes}

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, recorded with results so they regenerate identically."""
        return {
            "round_lot": self.round_lot,
            "protected_venues": list(self.protected_venues),
            "flicker_ns": self.flicker_ns,
            "tolerance_ns": self.tolerance_ns,
            "modifier_codes": dict(sorted(self.modifier_codes.items())),
            "firm_quote_conditions": list(self.firm_quote_conditions),
            "bid_only_firm_conditions": list(self.bid_only_firm_conditions),
            "ask_only_firm_conditions": list(self.ask_only_firm_conditions),
            "customer_capacities": list(self.customer_capacities),
            "regular_hours_ns": list(self.regular_hours_ns) if self.regular_hours_ns else None,
            "rule_version": self.rule_version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KernelParams:
        """Inverse of `as_dict`."""
        hours = data.get("regular_hours_ns")
        return cls(
            round_lot=int(data["round_lot"]),
            protected_venues=tuple(data["protected_venues"]),
            flicker_ns=int(data["flicker_ns"]),
            tolerance_ns=int(data["tolerance_ns"]),
            modifier_codes=dict(data["modifier_codes"]),
            firm_quote_conditions=tuple(data["firm_quote_conditions"]),
            bid_only_firm_conditions=tuple(data["bid_only_firm_conditions"]),
            ask_only_firm_conditions=tuple(data["ask_only_firm_conditions"]),
            customer_capacities=tuple(data["customer_capacities"]),
            regular_hours_ns=(int(hours[0]), int(hours[1])) if hours else None,
            rule_version=str(data.get("rule_version", "")),
        )
