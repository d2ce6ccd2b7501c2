"""The daily Rule 611 report a desk head and an examiner read.

Per desk: trades, compliant, exempt by clause, exempt pending ISO validation, violations; per
symbol-day: the market-data verdict (an UNFIT day says why, with figures), the round lot and how
it was assigned (flagged when not from a reference price), and the rule version. It is computed
from the stored inputs every time, so it always agrees with the alerts.
"""

from __future__ import annotations

import html
from typing import Any

from proctor.trading.daily import DayResult

NO_DESK = "(no desk)"


def summarise(result: DayResult) -> dict[str, Any]:
    desks: dict[str, dict[str, Any]] = {}
    for row in result.results.to_dicts():
        desk = row["desk"] or NO_DESK
        d = desks.setdefault(
            desk,
            {
                "desk": desk,
                "trades": 0,
                "compliant": 0,
                "exempt": 0,
                "exempt_by_clause": {},
                "exempt_claimed": 0,
                "violations": 0,
                "no_protected_quote": 0,
                "outside_hours": 0,
                "odd_lot_only_better": 0,
            },
        )
        d["trades"] += 1
        status = row["status"]
        if status == "compliant":
            d["compliant"] += 1
        elif status == "exempt":
            d["exempt"] += 1
            clause = row["exempt_clause"] or "?"
            d["exempt_by_clause"][clause] = d["exempt_by_clause"].get(clause, 0) + 1
        elif status == "exempt_claimed":
            d["exempt_claimed"] += 1
        elif status == "violation":
            d["violations"] += 1
        elif status in ("no_protected_quote", "outside_hours"):
            d[status] += 1
        if row["note"] == "odd_lot_only_better":
            d["odd_lot_only_better"] += 1
    return {
        "date": result.day.isoformat(),
        "rule_version": result.rule_version,
        "rule_611_applies": result.applies,
        "why": result.why,
        "input_hash": result.input_hash,
        "no_data": not result.symbols,  # nothing stored for the day: not a clean day
        "desks": [desks[k] for k in sorted(desks)],
        "symbol_days": [s.as_dict() for s in result.symbols],
        "violations": [
            {
                k: row[k]
                for k in ("trade_id", "symbol", "desk", "trader", "side", "quantity", "price", "clock_class")
            }
            | {"through_venues": list(row["through_venues"] or [])}
            for row in result.results.to_dicts()
            if row["status"] == "violation"
        ],
    }


def _px(value: Any) -> str:
    from proctor.trading.tradethrough import px

    return px(value)


def _row(cells: list[Any], head: bool = False, classes: dict[int, str] | None = None) -> str:
    tag = "th" if head else "td"
    parts = []
    for i, c in enumerate(cells):
        cls = f" class='{html.escape((classes or {}).get(i, ''))}'" if (classes or {}).get(i) else ""
        parts.append(f"<{tag}{cls}>{html.escape(str(c))}</{tag}>")
    return "<tr>" + "".join(parts) + "</tr>"


STYLE = (
    "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
    ".FAIL,.UNFIT{color:#b00;font-weight:bold}"
)


def to_html(summary: dict[str, Any]) -> str:
    esc = html.escape
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Rule 611 report {esc(summary['date'])}"
        f"</title><style>{STYLE}</style></head><body>",
        f"<h1>Order protection (Reg NMS Rule 611) — {esc(summary['date'])}</h1>",
        f"<p>Rule version {esc(summary['rule_version'])}. {esc(summary['why'])}</p>",
        "<h2>By desk</h2><table>",
        _row(
            [
                "desk",
                "trades",
                "compliant",
                "exempt (by clause)",
                "ISO claimed, pending validation",
                "violations",
                "no protected quote",
                "outside hours",
            ],
            head=True,
        ),
    ]
    for d in summary["desks"]:
        by = ", ".join(f"{k}: {v}" for k, v in sorted(d["exempt_by_clause"].items())) or "—"
        out.append(
            _row(
                [
                    d["desk"],
                    d["trades"],
                    d["compliant"],
                    f"{d['exempt']} ({by})",
                    d["exempt_claimed"],
                    d["violations"],
                    d["no_protected_quote"],
                    d["outside_hours"],
                ]
            )
        )
    out.append("</table><h2>Market data by symbol</h2>")
    if not summary["symbol_days"]:
        out.append("<p class='UNFIT'>NO DATA: no quotes or trades are stored for this day.</p>")
    for s in summary["symbol_days"]:
        lot = s["round_lot"]
        flag = ", FLAGGED: not from a reference price" if lot["flagged"] else ""
        state = "checked" if s["checked"] else "NOT checked: " + s["not_checked_reason"]
        out.append(
            f"<h3>{esc(s['symbol'])}: <span class='{s['verdict']}'>{s['verdict']}</span></h3>"
            f"<p>round lot {lot['shares']} ({esc(lot['basis'])}{flag}); {s['trades']} trades; "
            f"{esc(state)}</p>"
            "<table>" + _row(["gate", "status", "finding"], head=True)
        )
        for g in s["gates"]["gates"]:
            out.append(_row([g["name"], g["status"], g["reason"]], classes={1: g["status"]}))
        out.append("</table>")
    out.append("<h2>Violations</h2><table>")
    out.append(
        _row(
            ["trade", "symbol", "desk", "trader", "side", "qty", "price", "through", "clock class"], head=True
        )
    )
    for v in summary["violations"]:
        out.append(
            _row(
                [
                    v["trade_id"],
                    v["symbol"],
                    v["desk"],
                    v["trader"],
                    v["side"],
                    v["quantity"],
                    _px(v["price"]),
                    ", ".join(v["through_venues"]),
                    v["clock_class"],
                ]
            )
        )
    out.append("</table></body></html>\n")
    return "".join(out)
