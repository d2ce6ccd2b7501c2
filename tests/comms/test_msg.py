"""Outlook .msg files: MAPI properties, transport headers, attachments, damaged files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from proctor.comms import Message, Quarantined, detect_format, iter_items
from tests.comms.msgfile import MsgAttachment, MsgRecipient, MsgSpec, build_msg

SPEC = MsgSpec(
    subject="ACC-1 allocation",
    body="Please confirm the allocation of 500 ACC-1 at 101.25.\r\n\r\nDana",
    sender_name="Dana Whitfield",
    sender_address="Dana.Whitfield@firm.example",
    sent=datetime(2024, 3, 4, 14, 5, tzinfo=UTC),
    recipients=[
        MsgRecipient("Jane Doe", "j.doe@gmail.example", 1),
        MsgRecipient("Compliance", "cco@firm.example", 2),
        MsgRecipient("Archive", "journal@firm.example", 3),
    ],
    attachments=[MsgAttachment("terms.txt", b"Settlement: T+1\r\n", "text/plain")],
    message_id="<AM0PR04MB1234.4711@firm.example>",
)


def test_properties_become_the_view_and_the_file_is_the_record(tmp_path: Path) -> None:
    path = tmp_path / "ACC-1 allocation.msg"
    path.write_bytes(build_msg(SPEC))
    assert detect_format(path) == "msg"
    (item,) = iter_items(path)
    assert isinstance(item, Message)
    assert item.raw == path.read_bytes()
    assert (item.sender.address, item.sender.name) == ("dana.whitfield@firm.example", "Dana Whitfield")
    assert [(p.role, p.address) for p in item.recipients] == [
        ("to", "j.doe@gmail.example"),
        ("cc", "cco@firm.example"),
        ("bcc", "journal@firm.example"),
    ]
    assert item.subject == "ACC-1 allocation"
    assert item.body_text == "Please confirm the allocation of 500 ACC-1 at 101.25.\n\nDana"
    assert item.sent_at == datetime(2024, 3, 4, 14, 5, tzinfo=UTC)
    assert item.message_id == item.thread_id == "AM0PR04MB1234.4711@firm.example"
    (terms,) = item.attachments
    assert (terms.name, terms.data, terms.extracted_text) == (
        "terms.txt",
        b"Settlement: T+1\r\n",
        "Settlement: T+1",
    )


def test_transport_headers_give_the_original_zone_and_thread(tmp_path: Path) -> None:
    headers = (
        "Received: from mail.gmail.example by mx.firm.example; Mon, 4 Mar 2024 09:05:02 -0500\r\n"
        "Date: Mon, 4 Mar 2024 09:05:00 -0500\r\n"
        "From: Jane Doe <j.doe@gmail.example>\r\n"
        "To: Dana Whitfield <Dana.Whitfield@firm.example>\r\n"
        "Subject: RE: ACC-1 allocation\r\n"
        "References: <AM0PR04MB1234.4711@firm.example>\r\n"
        "In-Reply-To: <AM0PR04MB1234.4711@firm.example>\r\n"
        "Message-ID: <CAF=reply.1@mail.gmail.example>\r\n\r\n"
    )
    spec = MsgSpec(**{**SPEC.__dict__, "headers": headers, "message_id": "<CAF=reply.1@mail.gmail.example>"})
    path = tmp_path / "reply.msg"
    path.write_bytes(build_msg(spec))
    (item,) = iter_items(path)
    assert isinstance(item, Message)
    assert item.sent_at_original == "2024-03-04T09:05:00-05:00"
    assert item.thread_id == "AM0PR04MB1234.4711@firm.example"


def test_truncated_and_foreign_files_quarantine(tmp_path: Path) -> None:
    whole = build_msg(SPEC)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a-truncated.msg").write_bytes(whole[: len(whole) // 2])
    (folder / "b-renamed.msg").write_bytes(b"%PDF-1.4 not outlook")
    (folder / "c-good.msg").write_bytes(whole)
    assert detect_format(folder) == "msg"
    truncated, renamed, good = list(iter_items(folder))
    assert isinstance(truncated, Quarantined) and "not a readable Outlook message" in truncated.reason
    assert truncated.raw == whole[: len(whole) // 2]
    assert isinstance(renamed, Quarantined) and "no OLE compound file header" in renamed.reason
    assert isinstance(good, Message)
