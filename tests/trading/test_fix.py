"""FIX logs: framing checked on the SOH form, ISO child orders linked, bad messages quarantined."""

from proctor.trading import fix

NOS = [
    (35, "D"),
    (49, "FIRM"),
    (56, "ARCA"),
    (34, "7"),
    (52, "20260302-14:30:00.123456"),
    (11, "C1"),
    (583, "P1"),
    (55, "IBM"),
    (54, "1"),
    (38, "300"),
    (44, "101.25"),
    (40, "2"),
    (59, "3"),
    (18, "f"),
    (100, "ARCX"),
    (60, "20260302-14:30:00.123456789"),
    (453, "1"),
    (448, "CLR1"),
    (447, "D"),
    (452, "4"),
]


def test_pipe_log_with_prefix_reads_iso_and_parent():
    line = "2026-03-02T14:30:00.124Z OUT " + fix.encode(NOS)
    log = fix.parse_lines([line, ""])
    assert log.quarantine == []
    route = log.routes.row(0, named=True)
    assert route["is_iso"] and route["parent_order_id"] == "P1" and route["venue"] == "P"
    assert route["price"] == 101_250_000 and route["qty"] == 300 and route["clearing_firm"] == "CLR1"
    assert route["transact_ts"] % 1_000_000_000 == 123_456_789
    assert log.counts()["skipped_lines"] == 1


def test_soh_and_pipe_give_the_same_checksum():
    assert fix.encode(NOS, delimiter="\x01").replace("\x01", "|") == fix.encode(NOS)
    log = fix.parse_lines([fix.encode(NOS, delimiter="\x01")])
    assert log.routes.height == 1


def test_quarantine_names_line_and_reason():
    good = fix.encode(NOS)
    tampered = good.replace("38=300", "38=301")
    no_parent = fix.encode([p for p in NOS if p[0] != 583])
    unknown = fix.encode([(t, "XXXX" if t == 100 else v) for t, v in NOS])
    log = fix.parse_lines([good, tampered, no_parent, unknown])
    reasons = {q.line: (q.reason, q.tag) for q in log.quarantine}
    assert reasons == {2: ("bad_checksum", 10), 3: ("missing_tag", 583), 4: ("unknown_venue", 100)}
    assert log.routes.height == 1


def test_exec_inst_is_multiple_char_value():
    assert fix.exec_inst_tokens("f G") == ["f", "G"]
    assert fix.exec_inst_tokens("G") == ["G"]
    assert fix.exec_inst_tokens(None) == []


def test_rejects_and_fills_link_to_routes():
    fill = fix.encode(
        [
            (35, "8"),
            (52, "20260302-14:30:00.200"),
            (11, "C1"),
            (150, "F"),
            (39, "2"),
            (55, "IBM"),
            (31, "101.20"),
            (32, "300"),
            (30, "ARCX"),
        ]
    )
    nos2 = [(t, "C2" if t == 11 else "9" if t == 34 else v) for t, v in NOS]
    bmr = fix.encode(
        [
            (35, "j"),
            (52, "20260302-14:30:00.210"),
            (45, "9"),
            (372, "D"),
            (380, "5"),
            (58, "ClearingFirm not allowed"),
        ]
    )
    rej = fix.encode(
        [
            (35, "8"),
            (52, "20260302-14:30:00.220"),
            (11, "C3"),
            (150, "8"),
            (39, "8"),
            (55, "IBM"),
            (103, "99"),
            (58, "Invalid ClearingFirm"),
        ]
    )
    nos3 = [(t, "C3" if t == 11 else "11" if t == 34 else v) for t, v in NOS]
    log = fix.parse_lines([fix.encode(NOS), fill, fix.encode(nos2), bmr, fix.encode(nos3), rej])
    out = {r["cl_ord_id"]: r for r in fix.route_outcomes(log).iter_rows(named=True)}
    assert out["C1"]["filled_qty"] == 300 and not out["C1"]["rejected"]
    assert out["C2"]["rejected"] and out["C2"]["reject_text"] == "ClearingFirm not allowed"
    assert out["C3"]["rejected"] and out["C3"]["reject_reason"] == "99"


def test_fix_time_round_trip():
    ns = fix.parse_fix_time("20260302-14:30:00.123456")
    assert fix.parse_fix_time(fix.fix_time(ns)) == ns


def test_an_order_routed_after_the_import_time_is_quarantined_as_future(ws, tmp_path):
    from proctor.trading import iso_service, store

    now = ws.clock.now()
    today = [(t, now.strftime("%Y%m%d-%H:%M:%S.000") if t in (52, 60) else v) for t, v in NOS]
    later = f"{now.year + 1}0302-14:30:00.123456"
    next_year = [(t, later if t in (52, 60) else "C9" if t == 11 else "8" if t == 34 else v) for t, v in NOS]
    path = tmp_path / "orders.fix"
    path.write_text(fix.encode(today) + "\n" + fix.encode(next_year) + "\n", "latin-1")
    row = iso_service.import_fix(ws, path, actor="ada")
    held = store.quarantine(ws, row["id"])
    assert [(q["row"], q["field"]) for q in held] == [(2, "60")]
    assert "a future time is not today" in held[0]["reason"]
    assert row["rows_stored"] == 1
