"""Writes small Outlook .msg files for the tests, in the layout Outlook itself saves ([MS-OXMSG]).

No .msg fixture can be committed that a reader could check by eye, so the tests build their own
from readable Python values: an OLE compound file with a property stream, one stream per
string or binary property, one storage per recipient and per attachment.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from extract_msg.ole_writer import OleWriter

PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_UNICODE = 0x001F
PT_BINARY = 0x0102
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _filetime(moment: datetime) -> int:
    return int((moment - _FILETIME_EPOCH).total_seconds() * 10_000_000)


@dataclass
class MsgRecipient:
    name: str
    address: str
    kind: int = 1  # 1 To, 2 Cc, 3 Bcc


@dataclass
class MsgAttachment:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass
class MsgSpec:
    subject: str
    body: str
    sender_name: str
    sender_address: str
    sent: datetime
    recipients: list[MsgRecipient] = field(default_factory=list)
    attachments: list[MsgAttachment] = field(default_factory=list)
    headers: str | None = None
    message_id: str | None = None
    html: bytes | None = None


class _Props:
    def __init__(self) -> None:
        self.fixed: list[bytes] = []
        self.streams: dict[str, bytes] = {}

    def string(self, prop: int, value: str) -> None:
        data = value.encode("utf-16-le") + b"\x00\x00"
        self._variable(prop, PT_UNICODE, data)

    def binary(self, prop: int, value: bytes) -> None:
        self._variable(prop, PT_BINARY, value)

    def _variable(self, prop: int, ptype: int, data: bytes) -> None:
        tag = (prop << 16) | ptype
        self.fixed.append(struct.pack("<IIII", tag, 0x6, len(data), 0))
        self.streams[f"__substg1.0_{tag:08X}"] = data if ptype != PT_UNICODE else data[:-2]

    def long(self, prop: int, value: int) -> None:
        self.fixed.append(struct.pack("<IIiI", (prop << 16) | PT_LONG, 0x6, value, 0))

    def time(self, prop: int, value: datetime) -> None:
        self.fixed.append(struct.pack("<IIQ", (prop << 16) | PT_SYSTIME, 0x6, _filetime(value)))

    def write(self, writer: OleWriter, prefix: list[str], header: bytes) -> None:
        writer.addEntry([*prefix, "__properties_version1.0"], header + b"".join(self.fixed))
        for name, data in self.streams.items():
            writer.addEntry([*prefix, name], data)


def build_msg(spec: MsgSpec) -> bytes:
    """The bytes of an Outlook message file holding ``spec``."""
    writer = OleWriter()
    top = _Props()
    top.string(0x001A, "IPM.Note")
    top.string(0x0037, spec.subject)
    top.string(0x1000, spec.body)
    top.string(0x0C1A, spec.sender_name)
    top.string(0x0C1F, spec.sender_address)
    top.string(0x5D01, spec.sender_address)
    top.string(0x0E04, "; ".join(r.name for r in spec.recipients if r.kind == 1))
    top.time(0x0039, spec.sent)
    top.time(0x0E06, spec.sent)
    if spec.headers is not None:
        top.string(0x007D, spec.headers)
    if spec.message_id is not None:
        top.string(0x1035, spec.message_id)
    if spec.html is not None:
        top.binary(0x1013, spec.html)
    writer.addEntry(["__nameid_version1.0"], storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(["__nameid_version1.0", stream], b"")
    for i, recipient in enumerate(spec.recipients):
        storage = f"__recip_version1.0_#{i:08X}"
        writer.addEntry([storage], storage=True)
        props = _Props()
        props.long(0x0C15, recipient.kind)
        props.string(0x3001, recipient.name)
        props.string(0x3002, "SMTP")
        props.string(0x3003, recipient.address)
        props.string(0x39FE, recipient.address)
        props.write(writer, [storage], b"\x00" * 8)
    for i, attachment in enumerate(spec.attachments):
        storage = f"__attach_version1.0_#{i:08X}"
        writer.addEntry([storage], storage=True)
        props = _Props()
        props.long(0x3705, 1)
        props.binary(0x3701, attachment.data)
        props.string(0x3707, attachment.filename)
        props.string(0x3704, attachment.filename[:12])
        props.string(0x370E, attachment.mime)
        props.write(writer, [storage], b"\x00" * 8)
    count_r, count_a = len(spec.recipients), len(spec.attachments)
    header = b"\x00" * 8 + struct.pack("<IIII", count_r, count_a, count_r, count_a) + b"\x00" * 8
    top.write(writer, [], header)
    import io

    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_msg(path: Path, spec: MsgSpec) -> Path:
    path.write_bytes(build_msg(spec))
    return path
