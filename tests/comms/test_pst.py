"""PST: the deterministic reconstruction of each message's record bytes, and damaged files.

Building a real .pst needs Outlook; the reconstruction is tested from literal properties and
the libpff reader is tested on files it must refuse.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from proctor.comms import Message, Quarantined, detect_format, iter_items
from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.formats.pst import PstMessage, reconstruct

HEADERS = (
    "Received: from mx.gmail.example by mail.firm.example; Mon, 4 Mar 2024 09:05:02 -0500\r\n"
    "Date: Mon, 4 Mar 2024 09:05:00 -0500\r\n"
    "From: Jane Doe <j.doe@gmail.example>\r\n"
    "To: Dana Whitfield <dana@firm.example>\r\n"
    "Subject: wire instructions\r\n"
    "Message-ID: <CAF=1@mail.gmail.example>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative;\r\n\tboundary="000000000000original"\r\n'
    "\r\n"
)


def test_transport_headers_lose_their_mime_fields_and_the_body_is_rebuilt() -> None:
    stored = PstMessage(
        transport_headers=HEADERS,
        sender_name="Jane Doe",
        sender_address="j.doe@gmail.example",
        subject="wire instructions",
        sent=datetime(2024, 3, 4, 14, 5),
        plain=b"Please wire to account 12-3456.\r\n",
        html=b"<p>Please wire to account <b>12-3456</b>.</p>",
        attachments=(("form.txt", b"beneficiary: J. Doe\r\n"),),
    )
    raw = reconstruct(stored)
    assert raw == reconstruct(stored)
    assert b"000000000000original" not in raw
    item = parse_rfc5322(raw, "jane.pst:/Inbox#1", "pst")
    assert isinstance(item, Message)
    assert item.sent_at_original == "2024-03-04T09:05:00-05:00"
    assert item.message_id == "CAF=1@mail.gmail.example"
    assert item.body_text == "Please wire to account 12-3456."
    assert [a.name for a in item.attachments] == ["form.txt"]
    assert item.attachments[0].extracted_text == "beneficiary: J. Doe"


def test_messages_that_never_crossed_smtp_get_headers_from_properties() -> None:
    draft = PstMessage(
        transport_headers=None,
        sender_name="Dana Whitfield",
        sender_address="dana@firm.example",
        subject="draft: client letter",
        sent=datetime(2024, 3, 4, 14, 5, tzinfo=UTC),
        message_id="<draft.7@firm.example>",
        recipients=(("To", "Jane Doe", "j.doe@gmail.example"), ("Cc", "Compliance", "cco@firm.example")),
        html=b"<p>Dear Jane,</p>",
    )
    item = parse_rfc5322(reconstruct(draft), "dana.pst:/Drafts#1", "pst")
    assert isinstance(item, Message)
    assert item.sender.address == "dana@firm.example"
    assert [(p.role, p.address) for p in item.recipients] == [
        ("to", "j.doe@gmail.example"),
        ("cc", "cco@firm.example"),
    ]
    assert item.body_text == "Dear Jane,"
    assert item.sent_at == datetime(2024, 3, 4, 14, 5, tzinfo=UTC)


def test_same_content_gives_same_bytes_different_content_different_boundary() -> None:
    base = PstMessage(
        None, "D", "d@firm.example", "s", datetime(2024, 3, 4, tzinfo=UTC), plain=b"a", html=b"<p>a</p>"
    )
    other = PstMessage(
        None, "D", "d@firm.example", "s", datetime(2024, 3, 4, tzinfo=UTC), plain=b"b", html=b"<p>b</p>"
    )
    assert reconstruct(base) == reconstruct(base)
    assert reconstruct(base).split(b"boundary=")[1][:40] != reconstruct(other).split(b"boundary=")[1][:40]


def test_damaged_pst_is_quarantined_whole(tmp_path: Path) -> None:
    path = tmp_path / "dana.pst"
    path.write_bytes(b"!BDN" + b"\x00" * 508)
    assert detect_format(path) == "pst"
    (item,) = iter_items(path)
    assert isinstance(item, Quarantined)
    assert item.raw == path.read_bytes() and "not a readable PST/OST file" in item.reason
