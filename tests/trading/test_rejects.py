"""Reject monitor: bursts, rejected ISOs under ISO-outbound trades, pre-route tag rules."""

from datetime import date

from proctor.trading import rejects
from proctor.trading.iso_synthetic import BAD_FIRM, generate_day


def test_burst_from_one_venue_alerts_in_one_run():
    day = generate_day(3_000, 200)
    prior = generate_day(3_000, 0, day=date(2026, 2, 27), seed=3)
    found = rejects.spikes(day.routes, rejects.daily_counts(prior.routes), rejects.RejectParams())
    k = {
        s["bucket_start_ts"] // rejects.RejectParams().bucket_ns
        for s in found
        if s["cut"] == "venue" and s["value"] == "K"
    }
    assert k == day.burst_buckets
    assert any(s["cut"] == "clearing_firm" and s["value"] == BAD_FIRM for s in found)


def test_lawful_day_has_no_spike_against_its_baseline():
    day = generate_day(3_000, 0, seed=5)
    prior = generate_day(3_000, 0, day=date(2026, 2, 27), seed=3)
    assert rejects.spikes(day.routes, rejects.daily_counts(prior.routes), rejects.RejectParams()) == []


def test_rejected_iso_without_reroute_is_presumptive_and_reroute_is_not():
    day = generate_day(2_000, 40)
    found = rejects.presumptive_trade_throughs(day.trades, day.routes, rejects.RejectParams())
    assert {p["trade_id"] for p in found} == day.seeded["rejected_no_reroute"]
    assert all(p["clearing_firm"] == [BAD_FIRM] for p in found)


def test_tag_rules_catch_the_bad_firm_before_the_next_order():
    day = generate_day(500, 20)
    (rule,) = [r for r in rejects.propose_rules(day.routes) if r.venue == "Z"]
    assert rule.tag == "clearing_firm" and rule.denied == (BAD_FIRM,)
    nxt = {"cl_ord_id": "N1", "venue": "Z", "clearing_firm": BAD_FIRM}
    assert rejects.prevalidate([nxt], [rule]).blocked[0]["problems"] == [
        f"clearing_firm '{BAD_FIRM}' is refused by venue Z"
    ]
    assert rejects.prevalidate([{**nxt, "clearing_firm": "CLR1"}], [rule]).blocked == []
    allow = rejects.TagRule("K", "clearing_firm", allowed=("CLR1",))
    assert rejects.prevalidate([{"venue": "K", "clearing_firm": None}], [allow]).blocked[0]["problems"] == [
        "clearing_firm is missing"
    ]
