"""Packet captures of order entry and market data: Cboe BOE order messages and Nasdaq ITCH.

Why: when an exchange rejects an ISO, the firm's FIX log holds its own gateway's translation; the
capture holds the venue's own words. The Cboe BOE OrderRejected message carries the venue's reject
text (e.g. "ClearingFirm not allowed (for trading firm CFAA)"), which names the tag the pre-route
validation rules must catch. ITCH packets carry the depth a router should have seen.
Packets are read with `dpkt` (classic libpcap, µs or ns timestamps, Ethernet with or without VLAN).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dpkt

from proctor.trading import itch

BOE_START = b"\xba\xba"
#: BOE v2 message types (Cboe US Options/Equities BOE specification).
BOE_TYPES = {
    0x37: "LoginRequest",
    0x24: "LoginResponse",
    0x38: "NewOrder",
    0x39: "CancelOrder",
    0x3A: "ModifyOrder",
    0x25: "OrderAcknowledgement",
    0x26: "OrderRejected",
    0x27: "OrderModified",
    0x28: "OrderRestated",
    0x29: "UserModifyRejected",
    0x2A: "OrderCancelled",
    0x2B: "CancelRejected",
    0x2C: "OrderExecution",
    0x2D: "TradeCancelOrCorrect",
}
#: OrderRejectReason codes of BOE (A = admin, D = duplicate ClOrdID, ...).
BOE_REJECT_REASONS = {
    "A": "admin",
    "D": "duplicate_clordid",
    "H": "halted",
    "I": "incorrect_data_center",
    "J": "too_late_to_cancel",
    "K": "order_rate_threshold_exceeded",
    "L": "price_exceeds_cross_range",
    "N": "ran_out_of_liquidity",
    "O": "clordid_doesnt_match_known_order",
    "P": "cant_modify_an_order_pending_fill",
    "Q": "waiting_for_first_trade",
    "R": "routing_unavailable",
    "U": "user_requested",
    "V": "would_wash",
    "W": "add_liquidity_only_order_would_remove",
    "X": "order_expired",
    "Y": "symbol_not_supported",
    "Z": "unforeseen_reason",
    "m": "market_access_risk_limit_exceeded",
    "o": "max_open_orders_exceeded",
    "x": "crossed_market",
    "y": "order_received_by_bats_during_replay",
}
_FIELD_IN_TEXT = re.compile(r"^\s*([A-Z][A-Za-z]+)\s+not allowed")
_FIRM_IN_TEXT = re.compile(r"trading firm\s+([A-Z0-9]{2,8})")


@dataclass(frozen=True)
class Packet:
    ts_ns: int
    protocol: str  # tcp or udp
    src_port: int
    dst_port: int
    payload: bytes


def read_packets(path: Path) -> list[Packet]:
    """Every TCP/UDP payload of a capture, with its capture time in ns since the epoch."""
    out: list[Packet] = []
    with path.open("rb") as handle:
        reader = dpkt.pcap.Reader(handle)
        for ts, buf in reader:
            frame = dpkt.ethernet.Ethernet(buf)
            ip = frame.data
            if not isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)):
                continue
            seg = ip.data
            if isinstance(seg, dpkt.tcp.TCP):
                proto = "tcp"
            elif isinstance(seg, dpkt.udp.UDP):
                proto = "udp"
            else:
                continue
            out.append(Packet(round(float(ts) * 1e9), proto, int(seg.sport), int(seg.dport), bytes(seg.data)))
    return out


def boe_messages(payload: bytes) -> list[dict[str, Any]]:
    """BOE messages in a TCP payload: StartOfMessage 0xBABA, length (LE, excludes the start bytes)."""
    out: list[dict[str, Any]] = []
    pos = payload.find(BOE_START)
    while pos >= 0 and pos + 10 <= len(payload):
        length = struct.unpack("<H", payload[pos + 2 : pos + 4])[0]
        body = payload[pos + 2 : pos + 2 + length]
        if len(body) < length:
            raise ValueError(f"BOE message at byte {pos} claims {length} bytes, {len(body)} present")
        out.append(decode_boe(body))
        pos = payload.find(BOE_START, pos + 2 + length)
    return out


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("ascii", "replace").strip()


def decode_boe(body: bytes) -> dict[str, Any]:
    """One BOE message from its MessageLength field on; OrderRejected is decoded field by field."""
    kind = body[2]
    out: dict[str, Any] = {
        "message_type": BOE_TYPES.get(kind, f"0x{kind:02X}"),
        "matching_unit": body[3],
        "sequence": struct.unpack("<I", body[4:8])[0],
    }
    if kind == 0x26 and len(body) >= 8 + 8 + 20 + 1 + 60:
        pos = 8
        out["transaction_time_ns"] = struct.unpack("<Q", body[pos : pos + 8])[0]
        out["cl_ord_id"] = _text(body[pos + 8 : pos + 28])
        reason = chr(body[pos + 28])
        out["reject_reason"] = reason
        out["reject_reason_name"] = BOE_REJECT_REASONS.get(reason, "unknown")
        text = _text(body[pos + 29 : pos + 89])
        out["text"] = text
        field = _FIELD_IN_TEXT.match(text)
        firm = _FIRM_IN_TEXT.search(text)
        out["rejected_field"] = field.group(1) if field else None
        out["trading_firm"] = firm.group(1) if firm else None
    return out


def boe_rejects(path: Path) -> list[dict[str, Any]]:
    """The OrderRejected messages of a BOE capture, each with its capture time."""
    found = []
    for packet in read_packets(path):
        for msg in boe_messages(packet.payload):
            if msg["message_type"] == "OrderRejected":
                found.append({**msg, "captured_ns": packet.ts_ns})
    return found


def itch_messages(path: Path) -> list[dict[str, Any]]:
    """Decoded ITCH messages of a MoldUDP64 capture, in capture order, with the Mold header."""
    out = []
    for packet in read_packets(path):
        if packet.protocol != "udp":
            continue
        header = itch.mold_header(packet.payload)
        for raw in itch.iter_mold(packet.payload):
            out.append({**itch.decode(raw), "mold_session": header["session"], "captured_ns": packet.ts_ns})
    return out
