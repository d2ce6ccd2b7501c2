"""Hostile and broken exports, one literal case each: no importer raises, drops or merges.

Every case here was seen in a real fuzzing run: each item ends up a message, a quarantined item
with a reason, or (for parts that are not messages) a listed entry, and nothing else is lost.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from proctor.comms import Message, ParseOptions, Quarantined, iter_items
from proctor.comms.model import Limits, Listed

NY = ParseOptions(timezone="America/New_York")

MAIL = (
    b"Message-ID: <m1@harborstreet.com>\r\nDate: Mon, 4 Mar 2024 09:05:00 -0500\r\n"
    b"From: Dana Whitfield <dana@harborstreet.com>\r\nTo: ops@harborstreet.com\r\nSubject: Allocation\r\n"
    b"\r\nPlease book 500 XYZ.\r\n"
)


def _items(path: Path, fmt: str, options: ParseOptions = NY) -> list[Message | Quarantined | Listed]:
    return list(iter_items(path, fmt, options, listed=True))


def _kinds(items: list[Message | Quarantined | Listed]) -> list[str]:
    return [type(i).__name__ for i in items]


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _zip(path: Path, members: list[tuple[str, bytes | str]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


# --- 1. no crash: one bad item is quarantined with its reason --------------------------------------


def test_whatsapp_latin1_sender_name_is_decoded_not_smuggled_as_surrogates(tmp_path: Path) -> None:
    chat = _write(tmp_path / "chat.txt", "[04/03/2024, 09:05:00] Jos\xe9 Pe\xf1a: ol\xe1\n".encode("latin-1"))
    (item,) = _items(chat, "whatsapp")
    assert isinstance(item, Message)
    assert item.sender.name == "José Peña" and item.body_text == "olá"
    assert item.raw == "[04/03/2024, 09:05:00] Jos\xe9 Pe\xf1a: ol\xe1".encode("latin-1")


def test_bloomberg_superscript_file_size_is_not_a_number(tmp_path: Path) -> None:
    dump = _write(
        tmp_path / "ib.xml",
        "<FileDump><Conversation><RoomID>CHAT:1</RoomID><Attachment><User><LoginName>dana</LoginName>"
        "</User><DateTimeUTC>1709561100</DateTimeUTC><FileName>a.pdf</FileName><FileSize>\u00b2</FileSize>"
        "</Attachment></Conversation></FileDump>",
    )
    (item,) = _items(dump, "bloomberg")
    assert isinstance(item, Message) and item.attachments[0].size is None


@pytest.mark.parametrize("fmt", ["teams", "zendesk", "generic_jsonl"])
def test_json_nested_100000_deep_quarantines_that_element_only(tmp_path: Path, fmt: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    good = {
        "teams": '{"id": "1", "createdDateTime": "2024-03-04T14:05:00Z", "from": {"user": {"id": "u1"}}}',
        "zendesk": '{"id": 7, "via": {}, "comments": [{"id": 1, "author_id": 3, "created_at": '
        '"2024-03-04T14:05:00Z", "body": "hi"}]}',
        "generic_jsonl": '{"sent_at": "2024-03-04T14:05:00Z", "from": "+19175550142", "body": "hi"}',
    }[fmt]
    path = _write(tmp_path / "export.jsonl", f"{good}\n{deep}\n{good.replace('hi', 'again')}\n")
    items = _items(path, fmt)
    assert isinstance(items[1], Quarantined) and "deeper" in items[1].reason
    assert isinstance(items[0], Message) and isinstance(items[-1], Message)


def test_slack_metadata_of_the_wrong_types_does_not_abort_the_export(tmp_path: Path) -> None:
    export = _zip(
        tmp_path / "slack.zip",
        [
            ("users.json", json.dumps([{"id": ["U1"]}, {"id": "U2", "profile": "none"}, 7])),
            ("channels.json", json.dumps([{"name": "general", "members": 5}, {"name": ["x"]}])),
            ("general/2024-03-04.json", json.dumps([{"ts": "1709561100.0001", "user": "U2", "text": "hi"}])),
        ],
    )
    items = _items(export, "slack")
    assert _kinds(items) == ["Listed", "Listed", "Message"]
    assert items[2].sender.address == "U2"  # type: ignore[union-attr]


def test_zendesk_side_loaded_users_of_the_wrong_types(tmp_path: Path) -> None:
    page = {
        "tickets": [
            {
                "id": 7,
                "requester_id": [1],
                "email_cc_ids": 5,
                "comments": [{"id": 1, "author_id": 3, "created_at": "2024-03-04T14:05:00Z", "body": "ok"}],
            }
        ],
        "users": [{"id": {"a": 1}}, {"id": 3, "email": "lee@firm.example"}],
    }
    items = _items(_write(tmp_path / "zd.json", json.dumps(page)), "zendesk")
    assert _kinds(items) == ["Quarantined", "Listed"]  # the ticket's cc ids are not a list
    assert "unexpected structure" in items[0].reason  # type: ignore[union-attr]


def test_whatsapp_media_member_with_a_bad_crc_is_quarantined_alone(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Lee.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("_chat.txt", "[04/03/2024, 09:05:00] Lee: <attached: 0001-PHOTO.jpg>\n")
        zf.writestr("0001-PHOTO.jpg", b"JPEG" * 100)
    data = bytearray(path.read_bytes())
    data[data.index(b"JPEG" * 100) + 7] ^= 0xFF  # one flipped byte: the CRC no longer matches
    path.write_bytes(bytes(data))
    items = _items(path, "whatsapp")
    assert _kinds(items) == ["Quarantined", "Message"]
    assert "0001-PHOTO.jpg: media file: cannot read member: Bad CRC-32" in str(items[0].reason)  # type: ignore[union-attr]
    assert items[1].attachments[0].data is None  # type: ignore[union-attr]  # recorded by reference


@pytest.mark.parametrize("fmt", ["eml", "mbox", "generic_jsonl", "generic_csv", "teams", "zendesk"])
def test_a_date_in_year_9999_west_of_utc_is_an_unparseable_date(tmp_path: Path, fmt: str) -> None:
    stamp = "9999-12-31T23:00:00-05:00"
    data = {
        "eml": MAIL.replace(b"Mon, 4 Mar 2024 09:05:00 -0500", b"Fri, 31 Dec 9999 23:00:00 -0500"),
        "mbox": b"From dana Mon Mar  4 09:05:00 2024\n"
        + MAIL.replace(b"Mon, 4 Mar 2024 09:05:00 -0500", b"Fri, 31 Dec 9999 23:00:00 -0500")
        + b"\n",
        "generic_jsonl": json.dumps({"sent_at": stamp, "from": "+19175550142"}).encode(),
        "generic_csv": f"sent_at,from\n{stamp},+19175550142\n".encode(),
        "teams": json.dumps({"id": "1", "createdDateTime": stamp, "from": {"user": {"id": "u"}}}).encode(),
        "zendesk": json.dumps(
            {"id": 7, "via": {}, "comments": [{"id": 1, "author_id": 3, "created_at": stamp}]}
        ).encode(),
    }[fmt]
    (item,) = _items(_write(tmp_path / "export", data), fmt)
    assert isinstance(item, Quarantined) and "unparseable date" in item.reason


# --- 2. nothing dropped or merged silently ----------------------------------------------------------


def test_slack_zip_with_two_members_of_one_name_reads_both(tmp_path: Path) -> None:
    day = "general/2024-03-04.json"
    with pytest.warns(UserWarning, match="Duplicate name"):
        export = _zip(
            tmp_path / "slack.zip",
            [
                ("channels.json", "[]"),
                (day, json.dumps([{"ts": "1709561100.0001", "user": "U1", "text": "first copy"}])),
                (day, json.dumps([{"ts": "1709561200.0001", "user": "U1", "text": "second copy"}])),
            ],
        )
    texts = [i.body_text for i in _items(export, "slack") if isinstance(i, Message)]
    assert texts == ["first copy", "second copy"]


def test_whatsapp_zip_with_two_chats_and_unreferenced_media(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "export.zip",
        [
            ("WhatsApp Chat with Lee.txt", "[04/03/2024, 09:05:00] Lee: first chat\n"),
            ("WhatsApp Chat with Kim.txt", "[04/03/2024, 10:05:00] Kim: second chat\n"),
            ("0002-VIDEO.mp4", b"\x00\x00\x00\x18ftypmp42"),
        ],
    )
    items = _items(path, "whatsapp")
    assert [i.body_text for i in items if isinstance(i, Message)] == ["second chat", "first chat"]
    (media,) = [i for i in items if isinstance(i, Quarantined)]
    assert media.reason.endswith("0002-VIDEO.mp4: media file that no message refers to")
    assert media.raw == b"\x00\x00\x00\x18ftypmp42"


@pytest.mark.parametrize(
    "xml, reason",
    [
        (
            "<FileDump><Message><User><LoginName>dana</LoginName></User><DateTimeUTC>1709561100"
            "</DateTimeUTC><Content>stray</Content></Message></FileDump>",
            "<Message> outside any <Conversation>",
        ),
        (
            "<FileDump><Conversation><RoomID>CHAT:1</RoomID><Conversation><RoomID>CHAT:2</RoomID>"
            "</Conversation></Conversation></FileDump>",
            "<Conversation> nested inside conversation CHAT:1",
        ),
    ],
)
def test_bloomberg_elements_outside_a_conversation_are_quarantined(
    tmp_path: Path, xml: str, reason: str
) -> None:
    (item,) = _items(_write(tmp_path / "ib.xml", xml), "bloomberg")
    assert isinstance(item, Quarantined) and reason in item.reason


def test_csv_unterminated_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    csv_text = (
        "id,sent_at,from,body\n"
        'c1,2024-03-04T14:05:00Z,+19175550142,"Is my order filled?\n'
        "c2,2024-03-04T14:06:00Z,agent.lee@firm.example,Filled at 101.25\n"
        "c3,2024-03-04T14:07:00Z,+19175550142,Thanks\n"
    )
    items = _items(_write(tmp_path / "sms.csv", csv_text), "generic_csv")
    assert _kinds(items) == ["Quarantined", "Message", "Message"]
    assert "unterminated quote" in items[0].reason  # type: ignore[union-attr]
    assert [i.body_text for i in items[1:]] == ["Filled at 101.25", "Thanks"]  # type: ignore[union-attr]


def test_eml_folder_follows_a_symlinked_folder_once(tmp_path: Path) -> None:
    real = _write(tmp_path / "elsewhere" / "a.eml", MAIL).parent
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "linked").symlink_to(real, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (item,) = _items(folder, "eml")
    assert isinstance(item, Message) and item.origin.endswith("linked/a.eml")


def test_maildir_reads_a_message_in_a_folder_below_cur_and_lists_bookkeeping(tmp_path: Path) -> None:
    box = tmp_path / "Maildir"
    _write(box / "cur" / "archive-2019" / "1709561100.M1.host:2,S", MAIL)
    (box / "new").mkdir()
    _write(box / "dovecot-uidlist", b"3 V1 N2\n")
    items = _items(box, "maildir")
    assert _kinds(items) == ["Listed", "Message"]
    assert items[0].size == 8  # type: ignore[union-attr]


def test_zendesk_ticket_with_comments_twice_reads_both_arrays(tmp_path: Path) -> None:
    ticket = (
        '{"id": 7, "via": {}, "comments": [{"id": 1, "author_id": 3, "created_at": "2024-03-04T14:05:00Z",'
        ' "body": "first"}], "comments": [{"id": 2, "author_id": 3, "created_at": "2024-03-04T14:06:00Z",'
        ' "body": "second"}]}'
    )
    items = _items(_write(tmp_path / "zd.jsonl", ticket), "zendesk")
    assert [i.body_text for i in items if isinstance(i, Message)] == ["first", "second"]


@pytest.mark.parametrize("fmt", ["mbox", "teams", "zendesk", "whatsapp", "generic_jsonl", "generic_csv"])
@pytest.mark.parametrize("data", [b"", b"\x0b", b"\xef\xbb\xbf\r\n"])
def test_a_zero_byte_export_file_is_reported(tmp_path: Path, fmt: str, data: bytes) -> None:
    (item,) = _items(_write(tmp_path / "export", data), fmt)
    assert isinstance(item, Quarantined) and "empty file" in item.reason


def test_mbox_message_cut_mid_line_is_not_stored_as_complete(tmp_path: Path) -> None:
    envelope = b"From dana Mon Mar  4 09:05:00 2024\n"
    mbox = envelope + MAIL + b"\n" + envelope + MAIL[:-9]
    items = _items(_write(tmp_path / "dana.mbox", mbox), "mbox")
    assert _kinds(items) == ["Message", "Quarantined"]
    assert "truncated" in items[1].reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body, reason",
    [
        (
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\nWe will wire the full amount of =\r\n",
            "truncated: ends in a soft line break",
        ),
        (b"Content-Length: 400\r\n\r\nWe will wire the full amount\r\n", "truncated: Content-Length is 400"),
    ],
)
def test_plain_text_mail_cut_mid_body_is_not_stored_as_complete(
    tmp_path: Path, body: bytes, reason: str
) -> None:
    head = MAIL.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    (item,) = _items(_write(tmp_path / "cut.eml", head + body), "eml")
    assert isinstance(item, Quarantined) and reason in item.reason


# --- 3. one bad byte quarantines one item ----------------------------------------------------------


def test_teams_invalid_utf8_byte_quarantines_only_its_message(tmp_path: Path) -> None:
    messages = [
        b'{"id": "1", "createdDateTime": "2024-03-04T14:05:00Z", "from": {"user": {"id": "u1"}}, '
        b'"body": {"content": "bad \xff byte"}}',
        b'{"id": "2", "createdDateTime": "2024-03-04T14:06:00Z", "from": {"user": {"id": "u1"}}, '
        b'"body": {"content": "fine"}}',
    ]
    items = _items(_write(tmp_path / "page.json", b"[" + b",".join(messages) + b"]"), "teams")
    assert _kinds(items) == ["Quarantined", "Message"]
    assert items[0].raw == messages[0]  # type: ignore[union-attr]
    assert "not valid text" in items[0].reason  # type: ignore[union-attr]


def test_zendesk_invalid_utf8_byte_quarantines_only_its_comment(tmp_path: Path) -> None:
    ticket = (
        b'{"id": 7, "via": {}, "comments": [{"id": 1, "author_id": 3, "created_at": "2024-03-04T14:05:00Z", '
        b'"body": "caf\xe9"}, {"id": 2, "author_id": 3, "created_at": "2024-03-04T14:06:00Z", "body": "ok"}]}'
    )
    items = _items(_write(tmp_path / "zd.jsonl", ticket), "zendesk")
    assert _kinds(items) == ["Quarantined", "Message"]
    assert b"caf\xe9" in items[0].raw  # type: ignore[union-attr]


# --- 4. hostile sizes -----------------------------------------------------------------------------


def test_zip_bomb_member_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    export = _zip(
        tmp_path / "slack.zip",
        [("channels.json", "[]"), ("general/2024-03-04.json", b"[" + b" " * (8 << 20) + b"]")],
    )
    items = _items(export, "slack")
    (bomb,) = [i for i in items if isinstance(i, Quarantined)]
    assert "over the compression-ratio limit of 200" in bomb.reason
    small = ParseOptions(limits=Limits(max_member_bytes=1 << 20))
    (big,) = [i for i in _items(export, "slack", small) if isinstance(i, Quarantined)]
    assert "over the 1,048,576-byte limit" in big.reason


def test_attachment_over_the_limit_quarantines_its_message(tmp_path: Path) -> None:
    record = {
        "sent_at": "2024-03-04T14:05:00Z",
        "from": "+19175550142",
        "attachments": [{"name": "statement.pdf", "data_base64": "QUJDREVGR0g="}],
    }
    path = _write(tmp_path / "sms.jsonl", json.dumps(record))
    (item,) = _items(path, "generic_jsonl", ParseOptions(limits=Limits(max_attachment_bytes=4)))
    assert isinstance(item, Quarantined) and "over the 4-byte attachment limit" in item.reason


def test_line_longer_than_the_limit_is_quarantined_alone(tmp_path: Path) -> None:
    lines = "\n".join(
        json.dumps({"sent_at": "2024-03-04T14:05:00Z", "from": "+19175550142", "body": body})
        for body in ("x" * 200, "short")
    )
    narrow = ParseOptions(limits=Limits(max_line_bytes=100))
    items = _items(_write(tmp_path / "sms.jsonl", lines), "generic_jsonl", narrow)
    assert _kinds(items) == ["Quarantined", "Message"]
    assert "over the 100-byte line limit" in items[0].reason  # type: ignore[union-attr]


def test_bloomberg_billion_laughs_is_refused_not_expanded(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE FileDump [<!ENTITY l0 "lol">'
        + "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
        + "]><FileDump><Conversation><RoomID>&l9;</RoomID></Conversation></FileDump>"
    )
    (item,) = _items(_write(tmp_path / "ib.xml", laughs), "bloomberg")
    assert isinstance(item, Quarantined) and "entity declarations are refused" in item.reason


def test_bloomberg_long_message_text_is_read_whole(tmp_path: Path) -> None:
    # 200,000 lines in one Content element: character data arrives in one callback per line and
    # is gathered in parts, joined once (the time it takes is measured in the closing figures).
    content = "buy 100\n" * 200_000
    dump = _write(
        tmp_path / "ib.xml",
        "<FileDump><Conversation><RoomID>CHAT:1</RoomID><Message><User><LoginName>dana</LoginName>"
        f"</User><DateTimeUTC>1709561100</DateTimeUTC><Content>{content}</Content></Message>"
        "</Conversation></FileDump>",
    )
    (item,) = _items(dump, "bloomberg")
    assert isinstance(item, Message) and item.body_text.count("buy 100") == 200_000
