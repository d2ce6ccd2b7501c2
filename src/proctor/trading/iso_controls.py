"""ISO and routing controls: outbound-ISO validation, depth blindness, rejects, modifier review.

Each control is pure: it reads the trading store through `iso_service.load_day` and returns a
`ControlOutcome` with alert drafts; the runner writes them. Every alert names the trade ids, the
venues, the time gap where there is one, and the desk and trader with the supervisors the firm
directory names for them. Days with ISO-outbound trades but no FIX routes, or routes but no
trades, are a HOLD alert: missing records are never read as "no ISOs".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.core.canonical import digest
from proctor.core.controls import ControlContext, ControlOutcome, ControlSpec, hash_inputs
from proctor.core.errors import InputError
from proctor.core.evidence import Block, KeyValues, TableBlock
from proctor.trading.iso_routing import route_new
from proctor.trading.params import DEFAULT_MODIFIER_CODES

if TYPE_CHECKING:
    import polars as pl

    from proctor.trading import iso

# Each control imports the readers and kernels it runs (Polars, the FIX parser) when it runs: the
# spec is read by every command that opens a workspace, the kernels only by a control run.


def _days(ctx: ControlContext, kinds: tuple[str, ...]) -> list[date]:
    """The `date` run parameter, else every stored day up to the as-of date (as `trading.trade_through`
    does): a day imported late is still judged, and alerts of days already judged dedupe."""
    from proctor.trading import iso_service

    given = ctx.params.get("date")
    if given:
        try:
            return [given if isinstance(given, date) else date.fromisoformat(str(given))]
        except ValueError:
            raise InputError(f"not a date (YYYY-MM-DD): {given!r}", field="date") from None
    today = ctx.as_of.date()
    return [d for d in iso_service.days_with(ctx.workspace, kinds) if d <= today]


def _people(ws: Any, directory: Any, row: dict[str, Any]) -> dict[str, Any]:
    from proctor.trading import modifiers

    sups, how = modifiers.supervisors_for(directory, row.get("trader"), row.get("desk"))
    return {"desk": row.get("desk"), "trader": row.get("trader"), "supervisors": sups, "routed_by": how}


def _subjects(row: dict[str, Any], venues: list[str]) -> tuple[Subject, ...]:
    subs = [Subject("trading.trade", str(row["trade_id"]))]
    if row.get("desk"):
        subs.append(Subject("trading.desk", str(row["desk"])))
    if row.get("trader"):
        subs.append(Subject("user", str(row["trader"])))
    subs += [Subject("trading.venue", v) for v in venues]
    return tuple(subs)


def _directory(ws: Any) -> Any:
    from proctor.trading import modifiers

    try:
        return modifiers.load_directory(ws)
    except Exception:  # a workspace without the directory tables routes nothing, and says so
        return None


def _hold(control: str, day: date, reason: str) -> AlertDraft:
    return AlertDraft(
        control=control,
        rule_id=f"{control}.hold",
        rule_version="1",
        title=f"{control} on {day}: HOLD — {reason}",
        severity=Severity.HIGH,
        subjects=(Subject("trading.day", day.isoformat()),),
        evidence={"day": day.isoformat(), "reason": reason},
        evidence_type="trading.hold",
        dedupe_key=digest({"c": control, "hold": day.isoformat(), "r": reason}),
    )


def _ladder(ws: Any, day: date, trades: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    from proctor.trading import iso, store
    from proctor.trading.ruletable import load_baseline

    rules = load_baseline()
    frames = []
    for symbol in trades["symbol"].unique().sort().to_list():
        quotes = store.load(ws, "quotes", day, symbol)
        if quotes is None:
            continue
        t = trades.filter(pl.col("symbol") == symbol).sort("ts")
        lot = rules.round_lot(day, store.reference_price(ws, symbol, day), int(t["price"][0]))
        frames.append(iso.ladder_from_quotes(quotes, t, rules.params_for(day, lot)))
    return pl.concat(frames) if frames else pl.DataFrame(schema=iso.LADDER_SCHEMA)


# --------------------------------------------------------------------------- iso_outbound


def iso_outbound(ctx: ControlContext) -> ControlOutcome:
    from proctor.trading import iso, iso_service

    ws = ctx.workspace
    params = iso.IsoParams(**{k: v for k, v in ctx.params.items() if k in ("tolerance_ns", "iso_code")})
    directory = _directory(ws)
    findings: list[AlertDraft] = []
    summary: dict[str, Any] = {"params": params.as_dict(), "days": {}}
    inputs: list[str] = []
    count = 0
    for day in _days(ctx, ("trades", "routes")):
        d = iso_service.load_day(ws, day)
        inputs += [p.sha256 for p in d.parts]
        if d.trades is None:
            findings.append(_hold("trading.iso_outbound", day, "FIX routes but no trade reports for the day"))
            continue
        count += d.trades.height
        marked = int(iso.has_code(d.trades, params.iso_code).sum())
        if d.routes is None:
            if marked:
                findings.append(
                    _hold("trading.iso_outbound", day, f"{marked} ISO-outbound trades and no FIX routes")
                )
            continue
        failures, reverse, counts = iso.check_iso_outbound(
            d.trades, _ladder(ws, day, d.trades), d.routes, params, d.evidence
        )
        summary["days"][day.isoformat()] = counts
        for f in failures:
            findings.append(_iso_alert(f, _people(ws, directory, f), params, day))
        for r in reverse:
            findings.append(_reverse_alert(r, _people(ws, directory, r), params, day))
    return ControlOutcome(count, hash_inputs(inputs), findings, summary)


def _iso_alert(f: dict[str, Any], who: dict[str, Any], params: iso.IsoParams, day: date) -> AlertDraft:
    venues = [v for v in f.get("venues") or [] if isinstance(v, dict)]
    late = [v["venue"] for v in venues if v.get("status") == "late"]
    missed = [m for m in f["missed"] if m not in late]
    parts = []
    if "late" in f["kinds"] and f["max_gap_ms"] is not None:
        parts.append(
            f"ISOs to {', '.join(late) or 'the venues'} {abs(f['max_gap_ms']):g} ms from the execution "
            f"(tolerance {params.tolerance_ns / 1e6:g} ms)"
        )
    if missed:
        parts.append(f"no valid ISO to {', '.join(missed)}")
    title = f"Trade {f['trade_id']} reported ISO-outbound: " + "; ".join(parts or ["ISO claim not backed"])
    return AlertDraft(
        control="trading.iso_outbound",
        rule_id="reg_nms.611.b.6",
        rule_version=params.rule_version,
        title=title,
        severity=Severity.HIGH,
        subjects=_subjects(f, f["missed"]),
        evidence={**f, **who, "day": day.isoformat(), "tolerance_ms": params.tolerance_ns / 1e6},
        evidence_type="trading.iso_outbound",
        params=params.as_dict(),
        dedupe_key=digest({"c": "iso_outbound", "t": f["trade_id"]}),
    )


def _reverse_alert(r: dict[str, Any], who: dict[str, Any], params: iso.IsoParams, day: date) -> AlertDraft:
    return AlertDraft(
        control="trading.iso_outbound",
        rule_id="reg_nms.611.b.6.unmarked",
        rule_version=params.rule_version,
        title=f"ISOs routed for trade {r['trade_id']}, reported without the ISO-outbound modifier",
        severity=Severity.MEDIUM,
        subjects=_subjects(r, r["venues"]),
        evidence={**r, **who, "day": day.isoformat()},
        evidence_type="trading.iso_outbound",
        params=params.as_dict(),
        dedupe_key=digest({"c": "iso_unmarked", "t": r["trade_id"]}),
    )


# --------------------------------------------------------------------------- depth


def depth_blindness(ctx: ControlContext) -> ControlOutcome:
    import polars as pl

    from proctor.trading import depth as depth_mod
    from proctor.trading import iso_service

    ws = ctx.workspace
    params = depth_mod.DepthParams(
        **{k: v for k, v in ctx.params.items() if k in ("router_depth", "tolerance_ns")}
    )
    directory = _directory(ws)
    findings: list[AlertDraft] = []
    summary: dict[str, Any] = {"params": params.as_dict(), "days": {}, "figures": {}}
    inputs: list[str] = []
    count = 0
    for day in _days(ctx, ("depth",)):
        d = iso_service.load_day(ws, day)
        inputs += [p.sha256 for p in d.parts]
        if d.depth is None:
            continue
        count += d.depth.height
        summary["figures"][day.isoformat()] = depth_mod.daily_depth_figures(d.depth)
        if d.trades is None:
            continue
        routes = (
            d.routes
            if d.routes is not None
            else pl.DataFrame(
                schema={
                    "is_iso": pl.Boolean,
                    "parent_order_id": pl.Utf8,
                    "venue": pl.Utf8,
                    "route_ts": pl.Int64,
                }
            )
        )
        found, counts = depth_mod.check_depth_blindness(d.trades, d.depth, routes, params)
        summary["days"][day.isoformat()] = counts
        for f in found:
            level = "beyond the file's depth" if f["beyond_file_depth"] else f"level {f['protected_level']}"
            findings.append(
                AlertDraft(
                    control="trading.depth_blindness",
                    rule_id="reg_nms.611.a.1.depth",
                    rule_version=params.rule_version,
                    title=f"Trade {f['trade_id']}: protected quote on {f['venue']} at {level}, "
                    f"deeper than the router's "
                    f"{params.router_depth} levels, and no ISO went there",
                    severity=Severity.HIGH,
                    subjects=_subjects(f, [f["venue"]]),
                    evidence={**f, **_people(ws, directory, f), "day": day.isoformat()},
                    evidence_type="trading.depth_blindness",
                    params=params.as_dict(),
                    dedupe_key=digest({"c": "depth", "t": f["trade_id"], "v": f["venue"]}),
                )
            )
    return ControlOutcome(count, hash_inputs(inputs), findings, summary)


# --------------------------------------------------------------------------- rejects


def iso_rejects(ctx: ControlContext) -> ControlOutcome:
    import polars as pl

    from proctor.trading import iso_service, rejects

    ws = ctx.workspace
    params = rejects.RejectParams(
        **{k: v for k, v in ctx.params.items() if k in rejects.RejectParams.__dataclass_fields__}
    )
    directory = _directory(ws)
    rules = iso_service.active_tag_rules(ws)
    findings: list[AlertDraft] = []
    summary: dict[str, Any] = {"params": params.as_dict(), "days": {}}
    inputs: list[str] = []
    count = 0
    all_days = iso_service.days_with(ws, ("routes",))
    for day in _days(ctx, ("routes",)):
        d = iso_service.load_day(ws, day)
        inputs += [p.sha256 for p in d.parts]
        if d.routes is None:
            continue
        count += d.routes.height
        prior = [p for p in all_days if p < day][-params.baseline_days :]
        hist_frames = [iso_service.load_day(ws, p).routes for p in prior]
        history = (
            pl.concat([rejects.daily_counts(h) for h in hist_frames if h is not None])
            if any(h is not None for h in hist_frames)
            else None
        )
        for s in rejects.spikes(d.routes, history, params):
            base = "none" if s["baseline_rate"] is None else f"{s['baseline_rate']:.1%}"
            findings.append(
                AlertDraft(
                    control="trading.iso_rejects",
                    rule_id="finra.3110.iso_rejects.spike",
                    rule_version=params.rule_version,
                    title=f"ISO reject spike: {s['cut']} {s['value']} "
                    f"rejected {s['rejects']} of {s['orders']} "
                    f"({s['rate']:.0%}; baseline {base})",
                    severity=Severity.HIGH,
                    subjects=(Subject("trading.reject_cut", f"{s['cut']}:{s['value']}"),),
                    evidence={**s, "day": day.isoformat()},
                    evidence_type="trading.iso_reject",
                    params=params.as_dict(),
                    dedupe_key=digest(
                        {"c": "spike", "cut": s["cut"], "v": s["value"], "b": s["bucket_start_ts"]}
                    ),
                )
            )
        if d.trades is not None:
            for p in rejects.presumptive_trade_throughs(d.trades, d.routes, params):
                findings.append(
                    AlertDraft(
                        control="trading.iso_rejects",
                        rule_id="reg_nms.611.a.1.rejected_iso",
                        rule_version=params.rule_version,
                        title=f"Presumptive trade-through: trade {p['trade_id']} reported ISO-outbound, "
                        f"its ISO to "
                        f"{p['venue']} was rejected and not re-routed",
                        severity=Severity.CRITICAL,
                        subjects=_subjects(p, [p["venue"]]),
                        evidence={**p, **_people(ws, directory, p), "day": day.isoformat()},
                        evidence_type="trading.iso_reject",
                        params=params.as_dict(),
                        dedupe_key=digest({"c": "presumptive", "t": p["trade_id"], "v": p["venue"]}),
                    )
                )
        blocked = rejects.prevalidate(d.routes.iter_rows(named=True), rules)
        proposals = rejects.propose_rules(d.routes)
        summary["days"][day.isoformat()] = {
            "routes": d.routes.height,
            "rejected": int(d.routes["rejected"].sum()),
            "blocked_by_active_rules": len(blocked.blocked),
            "proposed_rules": [r.as_dict() for r in proposals],
        }
        if blocked.blocked:
            findings.append(
                AlertDraft(
                    control="trading.iso_rejects",
                    rule_id="finra.3110.iso_rejects.tag_rule",
                    rule_version=params.rule_version,
                    title=f"{len(blocked.blocked)} routes on {day} broke an active pre-route tag rule",
                    severity=Severity.HIGH,
                    subjects=(Subject("trading.day", day.isoformat()),),
                    evidence={
                        "day": day.isoformat(),
                        "routes": blocked.blocked[:200],
                        "count": len(blocked.blocked),
                    },
                    evidence_type="trading.iso_reject",
                    dedupe_key=digest({"c": "tagrule", "d": day.isoformat()}),
                )
            )
    return ControlOutcome(count, hash_inputs(inputs), findings, summary)


# --------------------------------------------------------------------------- modifier review


def modifier_review(ctx: ControlContext) -> ControlOutcome:
    import polars as pl

    from proctor.trading import iso_service, modifiers

    ws = ctx.workspace
    directory = _directory(ws)
    findings: list[AlertDraft] = []
    inputs: list[str] = []
    count = 0
    summary: dict[str, Any] = {"days": {}}
    for day in _days(ctx, ("trades",)):
        d = iso_service.load_day(ws, day)
        inputs += [p.sha256 for p in d.parts]
        if d.trades is None:
            continue
        count += d.trades.height
        routes = (
            d.routes
            if d.routes is not None
            else pl.DataFrame(schema={"is_iso": pl.Boolean, "parent_order_id": pl.Utf8, "cl_ord_id": pl.Utf8})
        )
        rows = modifiers.reconcile_modifiers(d.trades, routes, d.evidence, DEFAULT_MODIFIER_CODES)
        summary["days"][day.isoformat()] = {"trades": d.trades.height, "lacking_evidence": len(rows)}
        for r in rows:
            findings.append(
                AlertDraft(
                    control="trading.modifier_review",
                    rule_id="finra.3110.modifier_review",
                    rule_version="1",
                    title=f"Trade {r['trade_id']} carries modifier {r['modifier']} ({r['clause']}) "
                    f"without {r['missing']}",
                    severity=Severity.MEDIUM,
                    subjects=_subjects(r, []),
                    evidence={**r, **_people(ws, directory, r), "day": day.isoformat()},
                    evidence_type="trading.modifier",
                    dedupe_key=digest({"c": "mod", "t": r["trade_id"], "m": r["modifier"]}),
                )
            )
    return ControlOutcome(count, hash_inputs(inputs), findings, summary)


# --------------------------------------------------------------------------- renderers


def _who_block(ev: dict[str, Any]) -> KeyValues:
    return KeyValues(
        "Attribution",
        [
            ("Desk", ev.get("desk")),
            ("Trader", ev.get("trader")),
            ("Supervisors", ", ".join(ev.get("supervisors") or []) or "none found"),
            ("Routed by", ev.get("routed_by")),
        ],
    )


PRICE_FIELDS = frozenset({"price", "quote_px", "protected_px"})


def _show(key: str, value: Any) -> Any:
    """Micro-dollar prices as dollars and lists as words: a reviewer reads evidence as a trader would."""
    if key in PRICE_FIELDS and isinstance(value, int):
        return f"{value / 1_000_000:.2f}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) or "none"
    return value


def render_iso(ev: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        KeyValues(
            "Trade",
            [
                (k, _show(k, ev.get(k)))
                for k in (
                    "trade_id",
                    "symbol",
                    "side",
                    "price",
                    "quantity",
                    "order_id",
                    "max_gap_ms",
                    "tolerance_ms",
                    "consent",
                    "kinds",
                )
            ],
        ),
        _who_block(ev),
    ]
    venues = ev.get("venues") or []
    if venues and isinstance(venues[0], dict):
        cols = ["venue", "quote_px", "quote_size", "status", "iso_qty", "isos", "gap_ms"]
        bad = frozenset(i for i, v in enumerate(venues) if v["status"] != "covered")
        blocks.append(
            TableBlock(
                "Better protected quotes at execution",
                cols,
                [[_show(c, v.get(c)) for c in cols] for v in venues],
                bad,
            )
        )
    return blocks


def render_depth(ev: dict[str, Any]) -> list[Block]:
    return [
        KeyValues(
            "Depth blindness",
            [
                (k, _show(k, ev.get(k)))
                for k in (
                    "trade_id",
                    "symbol",
                    "side",
                    "price",
                    "venue",
                    "protected_px",
                    "protected_size",
                    "protected_level",
                    "beyond_file_depth",
                    "router_depth",
                )
            ],
        ),
        _who_block(ev),
    ]


def render_reject(ev: dict[str, Any]) -> list[Block]:
    scalars = [(k, v) for k, v in ev.items() if not isinstance(v, (list, dict))]
    blocks: list[Block] = [KeyValues("Reject monitor", scalars)]
    if ev.get("trader") or ev.get("desk"):
        blocks.append(_who_block(ev))
    return blocks


def render_modifier(ev: dict[str, Any]) -> list[Block]:
    return [
        KeyValues(
            "Modifier without evidence",
            [
                (k, _show(k, ev.get(k)))
                for k in ("trade_id", "symbol", "modifier", "meaning", "clause", "missing", "order_id")
            ],
        ),
        _who_block(ev),
    ]


def render_hold(ev: dict[str, Any]) -> list[Block]:
    return [KeyValues("HOLD", [("Day", ev.get("day")), ("Reason", ev.get("reason"))])]


CONTROLS: tuple[ControlSpec, ...] = (
    ControlSpec(
        "trading.iso_outbound",
        "Outbound-ISO claims backed by simultaneous ISOs",
        "trading",
        timedelta(days=1),
        iso_outbound,
        rule="Reg NMS 611(b)(6); FINRA 6380A(a)(5)",
        after_raise=route_new,
        description="Every ISO-outbound trade: ISOs to every better protected quote, full size, within "
        "the tolerance (default 100 ms) unless customer consent covers a pre-routed block; "
        "and ISOs under trades reported without the modifier.",
    ),
    ControlSpec(
        "trading.depth_blindness",
        "Protected quotes beyond the router's depth",
        "trading",
        timedelta(days=1),
        depth_blindness,
        rule="Reg NMS 611(a)(1); FINRA 3110",
        after_raise=route_new,
        description="Protected quotes deeper than the router's configured depth (default 8) with no ISO; "
        "daily figures of depth beyond 1, 5, 8 and 10 levels per price band.",
    ),
    ControlSpec(
        "trading.iso_rejects",
        "ISO rejects monitored",
        "trading",
        timedelta(days=1),
        iso_rejects,
        rule="Reg NMS 611(a)(1); FINRA 3110(a)",
        after_raise=route_new,
        description="Reject rate spikes by venue, reason, session and clearing firm against a rolling "
        "baseline; rejected ISOs under ISO-outbound trades; pre-route tag rules.",
    ),
    ControlSpec(
        "trading.modifier_review",
        "Exemption modifiers reviewed",
        "trading",
        timedelta(days=1),
        modifier_review,
        rule="FINRA 3110(b); Reg NMS 611(b), (d)",
        after_raise=route_new,
        description="Every trade whose exemption modifier lacks the evidence its clause needs.",
    ),
)

EVIDENCE_RENDERERS: dict[str, Any] = {
    "trading.iso_outbound": render_iso,
    "trading.depth_blindness": render_depth,
    "trading.iso_reject": render_reject,
    "trading.modifier": render_modifier,
    "trading.hold": render_hold,
}
