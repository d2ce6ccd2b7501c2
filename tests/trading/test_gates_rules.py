"""The rule table: values in force by date, round-lot tiers, the rescission proposal, look-back."""

from __future__ import annotations

import copy
from datetime import date

from proctor.trading.ruletable import RuleTable, load_baseline

RULES = load_baseline()


def test_round_lot_is_100_before_the_mdi_change_and_tiered_after() -> None:
    before, after = date(2025, 10, 31), date(2025, 11, 3)
    assert RULES.round_lot(before, 612_000_000, None).shares == 100
    tiers = [
        (250_000_000, 100),
        (250_010_000, 40),
        (1_000_000_000, 40),
        (1_000_010_000, 10),
        (10_000_010_000, 1),
    ]
    for price, shares in tiers:
        assert RULES.round_lot(after, price, None).shares == shares, price
    lot = RULES.round_lot(after, None, 612_000_000)
    assert (lot.shares, lot.basis, lot.flagged) == (40, "first_prices_of_day", True)
    assert RULES.round_lot(after, None, None).basis == "no_price"


def test_values_in_force_follow_their_effective_dates() -> None:
    assert RULES.tolerance_ns(date(2016, 6, 1)) == 1_000_000_000
    assert RULES.tolerance_ns(date(2018, 1, 2)) == 50_000_000
    assert RULES.flicker_ns(date(2018, 1, 2)) == 1_000_000_000
    assert "V" not in RULES.venues(date(2016, 1, 4)) and "V" in RULES.venues(date(2018, 1, 2))
    open_, close = RULES.hours_ns(date(2018, 1, 2))  # EST
    assert (close - open_) == 6 * 3600 * 10**9 + 1800 * 10**9
    assert open_ == 1514903400 * 10**9  # 09:30 -05:00
    assert RULES.hours_ns(date(2025, 10, 31))[0] == 1761917400 * 10**9  # 09:30 -04:00 (EDT)


def test_the_rescission_proposal_does_not_stop_the_rule_until_a_final_rule_takes_effect() -> None:
    applies, why = RULES.applies(date(2026, 12, 1))
    assert applies and "rescind-611-2026-06" in why
    assert not RULES.applies(date(2006, 1, 3))[0]
    data = copy.deepcopy(RULES.data)
    data["rule_611"]["proposals"][0].update(status="adopted", final_rule_effective="2027-06-01")
    adopted = RuleTable(data)
    assert adopted.applies(date(2027, 5, 28))[0] and not adopted.applies(date(2027, 6, 1))[0]
    assert adopted.applies(date(2025, 11, 3))[0]  # look-back: past days stay under the rule
    assert adopted.digest != RULES.digest


def test_params_carry_the_rule_version() -> None:
    params = RULES.params_for(date(2025, 11, 3), RULES.round_lot(date(2025, 11, 3), 608_400_000, None))
    assert params.round_lot == 40 and params.rule_version == RULES.label
    assert params.modifier_codes["3"] == "iso_outbound" and params.tolerance_ns == 50_000_000
