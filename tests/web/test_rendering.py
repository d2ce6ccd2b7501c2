"""Evidence and charts as the reviewer sees them: highlighted messages, tables, timelines, SVG."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.clock import FixedClock
from proctor.core.evidence import TimelinePoint
from proctor.platform import Workspace
from proctor.web.charts import Bar, bar_list, column_chart, run_strip, timeline
from proctor.web.evidence import segments

from .conftest import TestClient
from .firm import EMAIL, Firm

Clients = Callable[[str], tuple[TestClient, str]]


def test_segments_split_text_into_plain_and_highlighted_runs() -> None:
    text = "I guarantee no risk."
    assert segments(text, [(2, 11, "promise"), (12, 19, "risk")]) == [
        ("I ", None),
        ("guarantee", "promise"),
        (" ", None),
        ("no risk", "risk"),
        (".", None),
    ]


def test_overlapping_and_out_of_range_spans_are_clamped_and_merged() -> None:
    text = "guaranteed returns"
    runs = segments(text, [(0, 10, "promise"), (0, 18, "performance"), (15, 99, "tail"), (5, 5, "empty")])
    assert "".join(t for t, _ in runs) == text
    assert runs[0] == ("guaranteed", "performance, promise")
    assert runs[-1] == ("rns", "performance, tail")


def test_a_message_is_escaped_and_its_hits_are_marked(client_for: Clients, ws: Workspace, firm: Firm) -> None:
    client, _ = client_for("paula")
    page = client.get(f"/alerts/{firm.ids['guarantee']}").text
    message = re.search(r'<pre class="message">(.*?)</pre>', page, re.S)
    assert message
    marks = re.findall(r'<mark title="([^"]+)" data-label="[^"]+">([^<]+)</mark>', message.group(1))
    assert marks == [("guarantee", "guarantee"), ("no risk", "no risk"), ("off the books", "off the books")]
    assert "Mr. Alvarez" in message.group(1) and EMAIL.count("\n") == message.group(1).count("\n")
    assert "<dt>Subject</dt><dd>Your bond</dd>" in page


def test_hostile_evidence_text_is_shown_not_run(client_for: Clients, ws: Workspace) -> None:
    body = "<script>alert(1)</script> wire it </pre><img src=x onerror=alert(2)>"
    alert_id = ws.alerts.raise_alert(
        AlertDraft(
            control="comms.lexicon",
            rule_id="FINRA 2210",
            rule_version="1",
            title='Hit "<b>wire</b>"',
            severity=Severity.LOW,
            subjects=(Subject("person", "x@harborstreet.com"),),
            evidence={
                "headers": {"From": "<x@evil>"},
                "body": body,
                "hits": [{"term": "wire", "start": body.index("wire"), "end": body.index("wire") + 4}],
            },
            evidence_type="test.message",
        ),
        actor="ada",
    )
    client, _ = client_for("paula")
    page = client.get(f"/alerts/{alert_id}").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<mark title="wire" data-label="wire">wire</mark>' in page
    assert "&lt;b&gt;wire&lt;/b&gt;" in page


def test_quotes_around_a_trade_are_drawn_as_a_timeline(client_for: Clients, firm: Firm) -> None:
    client, _ = client_for("paula")
    page = client.get(f"/alerts/{firm.ids['trade_through']}").text
    svg = re.search(r'<svg class="chart chart-timeline".*?</svg>', page, re.S)
    assert svg and 'data-points="4"' in svg.group(0)
    assert svg.group(0).count("<circle") == 4 and 'class="point emphasis' in svg.group(0)
    assert "<polyline" in svg.group(0)
    assert "<dt>price</dt><dd>24.91</dd>" in page


def test_the_api_returns_evidence_blocks_as_data(client_for: Clients, firm: Firm) -> None:
    client, _ = client_for("paula")
    data = client.get(f"/api/alerts/{firm.ids['trade_through']}").json()
    kinds = [b["kind"] for b in data["blocks"]]
    assert kinds == ["keyvalues", "timeline"]
    assert data["blocks"][1]["points"][2]["emphasis"] is True
    assert data["actions"]["close"] is True and data["history"][0]["event"] == "alert.raised"
    table = client.get(f"/api/alerts/{firm.ids['reserve']}").json()["blocks"]
    assert [b["kind"] for b in table] == ["keyvalues", "table"]
    assert table[1]["columns"] == ["amount", "item", "line"]
    assert table[1]["rows"][1] == ["MISSING", "Short market value", "2"]


def test_timeline_without_values_marks_events_on_an_axis() -> None:
    svg = timeline(
        [
            TimelinePoint("2026-01-05T09:00:00Z", "hired"),
            TimelinePoint("2026-03-01T17:00:00Z", "terminated", emphasis=True),
        ],
        "Employment",
    )
    assert 'data-points="2"' in svg and "<polyline" not in svg and "terminated" in svg


def test_charts_escape_labels_and_carry_their_values() -> None:
    chart = column_chart([Bar("<day>", 3), Bar("d2", 0)], 'Alerts "raised"')
    assert "&lt;day&gt;" in chart and "<day>" not in chart
    assert 'data-value="3"' in chart and 'aria-label="Alerts &#34;raised&#34;"' in chart
    bars = bar_list([Bar("high", 2, "sev-high")], "By severity")
    assert 'class="bar sev-high"' in bars
    strip = run_strip([], "never")
    assert "never ran" in strip


def test_dashboard_counts_open_alerts_and_draws_charts_with_data(client_for: Clients, ws: Workspace) -> None:
    client, _ = client_for("paula")
    data = client.get("/api/dashboard").json()
    assert data["open"]["severity"] == {"critical": 1, "high": 2, "medium": 1, "low": 3}
    assert data["open"]["module"] == {"access": 1, "comms": 1, "reserve": 1, "review": 3, "trading": 1}
    assert data["open"]["age"]["< 1 day"] == 7
    assert data["raised_per_day"][-1] == {"day": "2026-01-05", "count": 7}
    assert len(data["controls"]) == len(ws.registry.all()) and data["controls_missed"] == 0
    page = client.get("/").text
    per_day = re.search(r'<figure class="chart-wide" id="chart-per-day">(.*?)</figure>', page, re.S)
    assert per_day and 'data-value="7"' in per_day.group(1)
    assert page.count('class="chart chart-bars"') == 3
    assert page.count('class="chart chart-strip"') == len(ws.registry.all())


def test_late_alerts_and_missed_controls_show_in_red(
    client_for: Clients, clock: FixedClock, firm: Firm
) -> None:
    clock.advance(timedelta(days=4))
    client, _ = client_for("paula")
    data = client.get("/api/dashboard").json()
    assert data["overdue"]["total"] == 3  # critical (1 day) and both highs (3 days) are past due
    assert {a["id"] for a in data["overdue"]["alerts"]} == {
        firm.ids[k] for k in ("reserve", "trade_through", "access")
    }
    missed = {c["control"] for c in data["controls"] if c["missed"]}
    assert {"platform.journal_integrity", "platform.control_health"} <= missed  # daily, last ran 4 days ago
    assert data["controls_missed"] == len(missed)
    page = client.get("/").text
    assert page.count('<tr class="missed">') == len(missed) and "MISSED" in page
    assert page.count('<tr class="overdue">') == 3
    assert data["open"]["age"]["3–7 days"] == 7
