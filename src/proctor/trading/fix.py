"""The firm's FIX order and route records, read from tag=value logs.

Why this exists: an outbound-ISO claim (Rule 611(b)(6)) is only as good as the routes behind it.
The trade report says "ISO sent"; the FIX log says to which venue, for how many shares, at what
price, when, and whether the venue rejected it. So every NewOrderSingle, ExecutionReport,
BusinessMessageReject and session Reject is read into plain columns, every child ISO keeps its
parent order id (ClOrdLinkID 583, the id the trade reports carry), and every message that cannot
be trusted is quarantined with its line number and the reason, never dropped.

A log line is one message. SOH or `|` may delimit fields; a `|` log is a rendering of SOH, so
BodyLength(9) and CheckSum(10) are checked against the SOH form. Anything before `8=FIX` on a
line (a logger's timestamp, a direction arrow) is a prefix and is ignored. Tokenising uses the
maintained `simplefix` parser; the length and checksum arithmetic it does not do is done here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import simplefix

SOH = b"\x01"

#: ExDestination(100) / LastMkt(30) codes -> TAQ participant letter. Firm data: extend per venue.
DEFAULT_VENUE_CODES: dict[str, str] = {
    "XNYS": "N",
    "NYSE": "N",
    "N": "N",
    "ARCX": "P",
    "ARCA": "P",
    "P": "P",
    "XNAS": "Q",
    "XNGS": "Q",
    "NSDQ": "Q",
    "NASDAQ": "Q",
    "Q": "Q",
    "T": "Q",
    "BATS": "Z",
    "BZX": "Z",
    "XCBO": "Z",
    "Z": "Z",
    "BATY": "Y",
    "BYX": "Y",
    "Y": "Y",
    "EDGX": "K",
    "K": "K",
    "EDGA": "J",
    "J": "J",
    "IEXG": "V",
    "IEX": "V",
    "V": "V",
    "XASE": "A",
    "AMEX": "A",
    "A": "A",
    "XCHI": "M",
    "CHX": "M",
    "M": "M",
    "XBOS": "B",
    "BX": "B",
    "B": "B",
    "XPHL": "X",
    "PSX": "X",
    "X": "X",
    "MEMX": "U",
    "U": "U",
    "EPRL": "H",
    "MIAX": "H",
    "H": "H",
    "LTSE": "L",
    "L": "L",
    "XCIS": "C",
    "NSX": "C",
    "C": "C",
}

_SIDES = {"1": "B", "2": "S", "5": "S", "6": "S", "3": "B"}
_TS = re.compile(r"^(\d{8})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}|\d{6}|\d{9}))?$")
#: ExecType(150) values that are a fill: 1/2 (FIX 4.2 partial/fill) and F (4.4 Trade).
FILL_EXEC_TYPES = frozenset({"1", "2", "F"})
REJECT_EXEC_TYPE = "8"

REQUIRED: dict[str, tuple[int, ...]] = {
    "D": (11, 52, 54, 55, 38, 40, 60),
    "8": (11, 52, 150, 39, 55),
    "j": (52, 372, 380),
    "3": (52, 45),
}
ISO_REQUIRED = (583, 100, 44)  # an ISO must name its parent, its venue and its limit price

ROUTE_SCHEMA: dict[str, Any] = {
    "line": pl.Int64,
    "msg_seq": pl.Int64,
    "cl_ord_id": pl.Utf8,
    "parent_order_id": pl.Utf8,
    "symbol": pl.Utf8,
    "side": pl.Utf8,
    "qty": pl.Int64,
    "price": pl.Int64,
    "ord_type": pl.Utf8,
    "tif": pl.Utf8,
    "exec_inst": pl.List(pl.Utf8),
    "is_iso": pl.Boolean,
    "destination": pl.Utf8,
    "venue": pl.Utf8,
    "transact_ts": pl.Int64,
    "sending_ts": pl.Int64,
    "clearing_firm": pl.Utf8,
    "sender": pl.Utf8,
    "target": pl.Utf8,
}
EXEC_SCHEMA: dict[str, Any] = {
    "line": pl.Int64,
    "cl_ord_id": pl.Utf8,
    "exec_type": pl.Utf8,
    "ord_status": pl.Utf8,
    "last_px": pl.Int64,
    "last_qty": pl.Int64,
    "venue": pl.Utf8,
    "reject_reason": pl.Utf8,
    "text": pl.Utf8,
    "ts": pl.Int64,
}
REJECT_SCHEMA: dict[str, Any] = {
    "line": pl.Int64,
    "kind": pl.Utf8,
    "ref_seq_num": pl.Int64,
    "ref_msg_type": pl.Utf8,
    "ref_id": pl.Utf8,
    "cl_ord_id": pl.Utf8,
    "reason": pl.Utf8,
    "text": pl.Utf8,
    "ts": pl.Int64,
}


class FixError(ValueError):
    """One message that cannot be trusted; `reason` is one of the quarantine reasons."""

    def __init__(self, reason: str, detail: str, tag: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.tag = tag


@dataclass(frozen=True)
class Quarantined:
    line: int
    reason: str  # bad_checksum, bad_body_length, missing_tag, unknown_venue, bad_value, unparseable
    detail: str
    tag: int | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "detail": self.detail, "tag": self.tag}


@dataclass
class FixLog:
    """What one log file held: route (35=D) rows, execution reports, rejects and the quarantine."""

    source: str
    routes: pl.DataFrame
    executions: pl.DataFrame
    rejects: pl.DataFrame
    quarantine: list[Quarantined] = field(default_factory=list)
    lines: int = 0
    skipped: int = 0  # lines without `8=FIX` (blank lines, logger banners): counted, not messages

    def counts(self) -> dict[str, int]:
        return {
            "lines": self.lines,
            "skipped_lines": self.skipped,
            "orders": self.routes.height,
            "isos": int(self.routes["is_iso"].sum()) if self.routes.height else 0,
            "executions": self.executions.height,
            "rejects": self.rejects.height,
            "quarantined": len(self.quarantine),
        }


def parse_fix_time(text: str) -> int:
    """`YYYYMMDD-HH:MM:SS[.sss[sss[sss]]]` (UTC) -> ns since the epoch."""
    m = _TS.match(text.strip())
    if m is None:
        raise ValueError(f"not a FIX UTC timestamp: {text!r}")
    day, hh, mm, ss, frac = m.groups()
    moment = datetime(
        int(day[:4]), int(day[4:6]), int(day[6:]), int(hh), int(mm), int(ss), tzinfo=UTC
    )  # validates the calendar
    whole = int(moment.timestamp()) * 1_000_000_000
    return whole + (int((frac or "0").ljust(9, "0")) if frac else 0)


def to_micros(text: str) -> int:
    """A decimal price -> exact integer micro-dollars (no float on the way)."""
    s = text.strip()
    neg = s.startswith("-")
    whole, _, frac = s.lstrip("+-").partition(".")
    if not (whole.isdigit() or (whole == "" and frac)) or (frac and not frac.isdigit()):
        raise ValueError(f"not a price: {text!r}")
    if len(frac) > 6 and frac[6:].strip("0"):
        raise ValueError(f"price {text!r} has more than 6 decimal places")
    value = int(whole or "0") * 1_000_000 + int((frac[:6] or "0").ljust(6, "0"))
    return -value if neg else value


def soh_form(line: str) -> bytes:
    """The message as sent: from `8=FIX` on, with `|` read as SOH when the line has no SOH."""
    start = line.find("8=FIX")
    if start < 0:
        raise FixError("unparseable", "no 8=FIX begin string on the line")
    text = line[start:].rstrip("\r\n")
    data = text.encode("latin-1")
    if SOH not in data:
        data = data.replace(b"|", SOH)
    if not data.endswith(SOH):
        data += SOH
    return data


def check_framing(data: bytes) -> None:
    """BodyLength(9) and CheckSum(10) must be those of the SOH message."""
    first = data.find(SOH)
    second = data.find(SOH, first + 1)
    if first < 0 or second < 0 or not data[first + 1 :].startswith(b"9="):
        raise FixError("missing_tag", "BodyLength(9) must be the second field", 9)
    trailer = data.rfind(SOH + b"10=")
    if trailer < 0:
        raise FixError("missing_tag", "CheckSum(10) is missing", 10)
    try:
        declared_len = int(data[first + 3 : second])
        declared_sum = int(data[trailer + 4 : -1])
    except ValueError:
        raise FixError("bad_value", "BodyLength(9) or CheckSum(10) is not a number") from None
    body_len = trailer + 1 - (second + 1)
    if declared_len != body_len:
        raise FixError("bad_body_length", f"BodyLength(9) is {declared_len}, the body has {body_len}", 9)
    actual = sum(data[: trailer + 1]) % 256
    if declared_sum != actual:
        raise FixError("bad_checksum", f"CheckSum(10) is {declared_sum:03d}, computed {actual:03d}", 10)


def _pairs(data: bytes) -> list[tuple[int, str]]:
    parser = simplefix.FixParser()
    parser.append_buffer(data)
    try:
        msg = parser.get_message()
    except Exception as exc:  # simplefix raises its own error types for malformed fields
        raise FixError("unparseable", f"FIX parser: {exc}") from None
    if msg is None:
        raise FixError("unparseable", "FIX parser found no complete message")
    return [(int(t), bytes(v).decode("latin-1")) for t, v in msg.pairs]


class _Msg:
    def __init__(self, pairs: list[tuple[int, str]]) -> None:
        self.pairs = pairs
        self.first: dict[int, str] = {}
        for tag, value in pairs:
            self.first.setdefault(tag, value)

    def get(self, tag: int) -> str | None:
        return self.first.get(tag)

    def need(self, tag: int, what: str) -> str:
        value = self.first.get(tag)
        if value is None or value == "":
            raise FixError("missing_tag", f"{what} is missing tag {tag}", tag)
        return value

    def time(self, tag: int) -> int | None:
        value = self.first.get(tag)
        if value is None:
            return None
        try:
            return parse_fix_time(value)
        except ValueError as exc:
            raise FixError("bad_value", str(exc), tag) from None

    def integer(self, tag: int) -> int | None:
        value = self.first.get(tag)
        if value is None or value == "":
            return None
        whole, _, frac = value.partition(".")
        if not whole.isdigit() or frac.strip("0"):
            raise FixError("bad_value", f"tag {tag} is not a whole number: {value!r}", tag)
        return int(whole)

    def price(self, tag: int) -> int | None:
        value = self.first.get(tag)
        if value is None or value == "":
            return None
        try:
            return to_micros(value)
        except ValueError as exc:
            raise FixError("bad_value", f"tag {tag}: {exc}", tag) from None

    def clearing_firm(self) -> str | None:
        """ClearingFirm(439), else the Parties group entry with PartyRole(452) = 4 (clearing firm)."""
        if self.first.get(439):
            return self.first[439]
        party: str | None = None
        for tag, value in self.pairs:
            if tag == 448:
                party = value
            elif tag == 452 and value == "4" and party is not None:
                return party
        return None


def exec_inst_tokens(value: str | None) -> list[str]:
    """ExecInst(18) is a MultipleCharValue: space-separated single characters (`f` = ISO)."""
    if not value:
        return []
    tokens = value.split()
    if len(tokens) == 1 and len(tokens[0]) > 1:  # some engines run the characters together
        tokens = list(tokens[0])
    return tokens


def _venue(code: str | None, venue_codes: Mapping[str, str], tag: int) -> str | None:
    if code is None or code == "":
        return None
    venue = venue_codes.get(code.upper())
    if venue is None:
        raise FixError("unknown_venue", f"venue code {code!r} in tag {tag} is not in the venue table", tag)
    return venue


def _route(m: _Msg, line: int, venue_codes: Mapping[str, str]) -> dict[str, Any]:
    for tag in REQUIRED["D"]:
        m.need(tag, "NewOrderSingle")
    tokens = exec_inst_tokens(m.get(18))
    is_iso = "f" in tokens
    if is_iso:
        for tag in ISO_REQUIRED:
            m.need(tag, "an ISO NewOrderSingle")
    side = _SIDES.get(m.need(54, "NewOrderSingle"))
    if side is None:
        raise FixError("bad_value", f"Side(54) {m.get(54)!r} is not buy or sell", 54)
    return {
        "line": line,
        "msg_seq": m.integer(34),
        "cl_ord_id": m.need(11, "NewOrderSingle"),
        "parent_order_id": m.get(583),
        "symbol": m.need(55, "NewOrderSingle"),
        "side": side,
        "qty": m.integer(38),
        "price": m.price(44),
        "ord_type": m.get(40),
        "tif": m.get(59),
        "exec_inst": tokens,
        "is_iso": is_iso,
        "destination": m.get(100),
        "venue": _venue(m.get(100), venue_codes, 100),
        "transact_ts": m.time(60),
        "sending_ts": m.time(52),
        "clearing_firm": m.clearing_firm(),
        "sender": m.get(49),
        "target": m.get(56),
    }


def _execution(m: _Msg, line: int, venue_codes: Mapping[str, str]) -> dict[str, Any]:
    for tag in REQUIRED["8"]:
        m.need(tag, "ExecutionReport")
    exec_type = m.need(150, "ExecutionReport")
    if exec_type in FILL_EXEC_TYPES:
        m.need(31, "a fill ExecutionReport")
        m.need(32, "a fill ExecutionReport")
    return {
        "line": line,
        "cl_ord_id": m.need(11, "ExecutionReport"),
        "exec_type": exec_type,
        "ord_status": m.get(39),
        "last_px": m.price(31),
        "last_qty": m.integer(32),
        "venue": _venue(m.get(30), venue_codes, 30),
        "reject_reason": m.get(103),
        "text": m.get(58),
        "ts": m.time(60) if m.get(60) else m.time(52),
    }


def _reject(m: _Msg, line: int, kind: str) -> dict[str, Any]:
    for tag in REQUIRED["j" if kind == "business" else "3"]:
        m.need(tag, "BusinessMessageReject" if kind == "business" else "Reject")
    return {
        "line": line,
        "kind": kind,
        "ref_seq_num": m.integer(45),
        "ref_msg_type": m.get(372),
        "ref_id": m.get(379),
        "cl_ord_id": None,
        "reason": m.get(380) if kind == "business" else m.get(373),
        "text": m.get(58),
        "ts": m.time(52),
    }


def parse_lines(
    lines: Iterable[str], source: str = "<fix>", venue_codes: Mapping[str, str] | None = None
) -> FixLog:
    """Read a FIX log: every message becomes a row or a quarantine entry naming its line."""
    codes = {k.upper(): v for k, v in (venue_codes or DEFAULT_VENUE_CODES).items()}
    routes: list[dict[str, Any]] = []
    execs: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    quarantine: list[Quarantined] = []
    count = skipped = 0
    for number, raw in enumerate(lines, start=1):
        count += 1
        if "8=FIX" not in raw:
            skipped += 1
            continue
        try:
            data = soh_form(raw)
            check_framing(data)
            m = _Msg(_pairs(data))
            msg_type = m.need(35, "message")
            if msg_type == "D":
                routes.append(_route(m, number, codes))
            elif msg_type == "8":
                execs.append(_execution(m, number, codes))
            elif msg_type == "j":
                rejects.append(_reject(m, number, "business"))
            elif msg_type == "3":
                rejects.append(_reject(m, number, "session"))
        except FixError as exc:
            quarantine.append(Quarantined(number, exc.reason, exc.detail, exc.tag, raw.rstrip("\r\n")))
    route_frame = pl.DataFrame(routes, schema=ROUTE_SCHEMA, orient="row") if routes else _empty(ROUTE_SCHEMA)
    reject_frame = _link_rejects(rejects, route_frame)
    return FixLog(
        source,
        route_frame,
        pl.DataFrame(execs, schema=EXEC_SCHEMA, orient="row") if execs else _empty(EXEC_SCHEMA),
        reject_frame,
        quarantine,
        count,
        skipped,
    )


def _link_rejects(rejects: list[dict[str, Any]], routes: pl.DataFrame) -> pl.DataFrame:
    """A reject names the order by BusinessRejectRefID(379), or only by RefSeqNum(45)."""
    if not rejects:
        return _empty(REJECT_SCHEMA)
    by_id = set(routes["cl_ord_id"].to_list())
    by_seq = {
        int(s): c
        for s, c in zip(routes["msg_seq"].to_list(), routes["cl_ord_id"].to_list(), strict=True)
        if s
    }
    for r in rejects:
        if r["ref_id"] in by_id:
            r["cl_ord_id"] = r["ref_id"]
        elif r["ref_seq_num"] is not None and (r["ref_msg_type"] in (None, "D")):
            r["cl_ord_id"] = by_seq.get(r["ref_seq_num"])
    return pl.DataFrame(rejects, schema=REJECT_SCHEMA, orient="row")


def _empty(schema: Mapping[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def read_fix_log(path: Path, venue_codes: Mapping[str, str] | None = None) -> FixLog:
    """Read a log file (latin-1, so no byte is lost or refused)."""
    with path.open("r", encoding="latin-1", newline="\n") as handle:
        return parse_lines(handle, str(path), venue_codes)


def route_outcomes(log: FixLog) -> pl.DataFrame:
    """Each route with its outcome: filled quantity, rejected (by report or reject message), reason.

    `rejected` means the venue refused the order: ExecType(150)=8, a BusinessMessageReject or a
    session Reject pointing at it. `reject_text` keeps the venue's words (they name the bad tag).
    """
    routes = log.routes
    ex = log.executions
    fills = (
        ex.filter(pl.col("exec_type").is_in(list(FILL_EXEC_TYPES)))
        .group_by("cl_ord_id")
        .agg(pl.col("last_qty").sum().alias("filled_qty"))
    )
    exec_rej = ex.filter(pl.col("exec_type") == REJECT_EXEC_TYPE).select(
        "cl_ord_id",
        pl.col("reject_reason").alias("reason"),
        "text",
        pl.col("ts").alias("reject_ts"),
        pl.lit("execution_report").alias("reject_source"),
    )
    msg_rej = log.rejects.filter(pl.col("cl_ord_id").is_not_null()).select(
        "cl_ord_id", "reason", "text", pl.col("ts").alias("reject_ts"), pl.col("kind").alias("reject_source")
    )
    rej = pl.concat([exec_rej, msg_rej]).unique("cl_ord_id", keep="first", maintain_order=True)
    out = routes.join(fills, on="cl_ord_id", how="left").join(rej, on="cl_ord_id", how="left")
    return out.with_columns(
        pl.col("filled_qty").fill_null(0),
        pl.col("reject_ts").is_not_null().alias("rejected"),
        pl.col("reason").alias("reject_reason"),
        pl.col("text").alias("reject_text"),
        pl.coalesce("transact_ts", "sending_ts").alias("route_ts"),
    ).drop("reason", "text")


def encode(pairs: Iterable[tuple[int, str]], begin: str = "FIX.4.4", delimiter: str = "|") -> str:
    """One log line from body fields, with BodyLength and CheckSum of the SOH form (for fixtures)."""
    body = b"".join(f"{t}={v}".encode("latin-1") + SOH for t, v in pairs)
    head = f"8={begin}".encode() + SOH + f"9={len(body)}".encode() + SOH
    message = head + body
    message += f"10={sum(message) % 256:03d}".encode() + SOH
    text = message.decode("latin-1")
    return text.replace("\x01", delimiter) if delimiter != "\x01" else text


def fix_time(ns: int) -> str:
    """ns since the epoch -> FIX UTC timestamp with microseconds (the inverse of `parse_fix_time`)."""
    seconds, rest = divmod(ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y%m%d-%H:%M:%S")
    return f"{stamp}.{rest // 1000:06d}"
