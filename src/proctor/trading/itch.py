"""Nasdaq TotalView-ITCH 5.0 messages, decoded to plain dicts.

Why: the depth-blindness check needs a venue's full book, and ITCH is the feed a router's depth
view is built from. Only the messages that move the book, or say why it stopped moving, are
decoded field by field; the others keep their type and timestamp so a count is never silently
short. Layouts follow the Nasdaq TotalView-ITCH 5.0 specification (big-endian, prices with four
implied decimals, timestamps in ns since midnight ET).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

#: message type -> (total length, struct format after the 11-byte common header, field names)
_LAYOUTS: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "S": (12, ">c", ("event_code",)),
    "R": (
        39,
        ">8sccIcc2scccccIc",
        (
            "stock",
            "market_category",
            "financial_status",
            "round_lot",
            "round_lots_only",
            "issue_classification",
            "issue_subtype",
            "authenticity",
            "short_sale_threshold",
            "ipo_flag",
            "luld_tier",
            "etp_flag",
            "etp_leverage",
            "inverse",
        ),
    ),
    "H": (25, ">8scc4s", ("stock", "trading_state", "reserved", "reason")),
    "L": (
        26,
        ">4s8sccc",
        ("mpid", "stock", "primary_market_maker", "market_maker_mode", "participant_state"),
    ),
    "A": (36, ">QcI8sI", ("ref", "side", "shares", "stock", "price")),
    "F": (40, ">QcI8sI4s", ("ref", "side", "shares", "stock", "price", "attribution")),
    "E": (31, ">QIQ", ("ref", "shares", "match")),
    "C": (36, ">QIQcI", ("ref", "shares", "match", "printable", "price")),
    "X": (23, ">QI", ("ref", "shares")),
    "D": (19, ">Q", ("ref",)),
    "U": (35, ">QQII", ("ref", "new_ref", "shares", "price")),
    "P": (44, ">QcI8sIQ", ("ref", "side", "shares", "stock", "price", "match")),
    "Q": (40, ">Q8sIQc", ("shares", "stock", "price", "match", "cross_type")),
    "I": (
        50,
        ">QQc8sIIIcc",
        (
            "paired_shares",
            "imbalance_shares",
            "imbalance_direction",
            "stock",
            "far_price",
            "near_price",
            "current_reference_price",
            "cross_type",
            "price_variation",
        ),
    ),
}
_PRICE_FIELDS = {"price", "far_price", "near_price", "current_reference_price"}


class ItchError(ValueError):
    pass


def decode(message: bytes) -> dict[str, Any]:
    """One ITCH message (without its 2-byte length prefix) -> dict; prices in micro-dollars."""
    if len(message) < 11:
        raise ItchError(f"ITCH message of {len(message)} bytes is shorter than its 11-byte header")
    kind = chr(message[0])
    locate, tracking = struct.unpack(">HH", message[1:5])
    out: dict[str, Any] = {
        "type": kind,
        "stock_locate": locate,
        "tracking": tracking,
        "ts_ns": int.from_bytes(message[5:11], "big"),  # ns since midnight, Eastern time
    }
    layout = _LAYOUTS.get(kind)
    if layout is None:
        out["undecoded"] = True
        return out
    length, fmt, names = layout
    if len(message) < length:
        raise ItchError(f"ITCH {kind} message has {len(message)} bytes, the layout needs {length}")
    for name, value in zip(names, struct.unpack(fmt, message[11:length]), strict=True):
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace").rstrip(" \x00")
        elif name in _PRICE_FIELDS:
            value = int(value) * 100  # four implied decimals -> micro-dollars
        out[name] = value
    return out


def iter_mold(payload: bytes) -> Iterator[bytes]:
    """Messages in one MoldUDP64 packet: session(10) seq(8) count(2), then (len(2), message)*."""
    if len(payload) < 20:
        raise ItchError(f"MoldUDP64 packet of {len(payload)} bytes is shorter than its header")
    count = struct.unpack(">H", payload[18:20])[0]
    pos = 20
    for _ in range(count if count != 0xFFFF else 0):
        if pos + 2 > len(payload):
            raise ItchError("MoldUDP64 packet ends inside a message length")
        size = struct.unpack(">H", payload[pos : pos + 2])[0]
        yield payload[pos + 2 : pos + 2 + size]
        pos += 2 + size


def mold_header(payload: bytes) -> dict[str, Any]:
    session = payload[:10].decode("ascii", "replace")
    seq, count = struct.unpack(">QH", payload[10:20])
    return {"session": session, "sequence": seq, "count": count}


def iter_file(data: bytes) -> Iterator[bytes]:
    """Messages of a binary ITCH file (Nasdaq's daily files: 2-byte big-endian length prefixes)."""
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ItchError(f"ITCH file ends inside a length prefix at byte {pos}")
        size = struct.unpack(">H", data[pos : pos + 2])[0]
        if pos + 2 + size > len(data):
            raise ItchError(f"ITCH file ends inside a message at byte {pos}")
        yield data[pos + 2 : pos + 2 + size]
        pos += 2 + size
