"""Bloomberg IB chat XML (Vault FileDump / Conversation)."""

from __future__ import annotations

from pathlib import Path

from proctor.comms import Message, ParseOptions, Quarantined, detect_format, iter_items

USER_DANA = (
    "<User><LoginName>DWHITFIELD2</LoginName><FirstName>Dana</FirstName><LastName>Whitfield</LastName>"
    "<CompanyName>FIRM SECURITIES LLC</CompanyName><EmailAddress>dwhitfield2@bloomberg.net</EmailAddress>"
    "<CorporateEmailAddress>Dana.Whitfield@firm.example</CorporateEmailAddress></User>"
)
USER_PAT = (
    "<User><LoginName>PKLEIN7</LoginName><FirstName>Pat</FirstName><LastName>Klein</LastName>"
    "<CompanyName>NORTHWIND CAPITAL</CompanyName><EmailAddress>pklein7@bloomberg.net</EmailAddress></User>"
)
MESSAGE_1 = (
    f"<Message>{USER_DANA}<DateTime>03/04/2024 09:05:00</DateTime><DateTimeUTC>1709561100</DateTimeUTC>"
    "<Content>can do 500 ACC-1 @ 101.25 &amp; settle T+1</Content></Message>"
)


def _event(tag: str, user: str, local: str, utc: str | None, inner: str = "") -> str:
    stamp = f"<DateTime>03/04/2024 {local}</DateTime>"
    if utc is not None:
        stamp += f"<DateTimeUTC>{utc}</DateTimeUTC>"
    return f"<{tag}>{user}{stamp}{inner}</{tag}>"


FILE = "<FileName>allocation.xls</FileName><FileID>ATT-77</FileID><FileSize>18432</FileSize>"
EVENTS = [
    _event("ParticipantEntered", USER_DANA, "09:03:20", "1709561000"),
    _event("ParticipantEntered", USER_PAT, "09:03:40", "1709561020"),
    MESSAGE_1,
    _event("Message", USER_PAT, "09:06:00", "1709561160", "<Content>done, thx</Content>"),
    _event("Attachment", USER_PAT, "09:07:00", "1709561220", FILE),
    _event("Message", "", "09:08:00", "1709561280", "<Content>who?</Content>"),
    _event("Message", USER_PAT, "09:09:00", None, "<Content>no UTC stamp</Content>"),
    f"<Poll>{USER_PAT}<Question>lunch?</Question></Poll>",
    _event("ParticipantLeft", USER_PAT, "09:10:00", "1709561400"),
]
BODY = "\n    ".join(EVENTS)
DUMP = f"""<?xml version="1.0" encoding="UTF-8"?>
<FileDump>
  <Conversation Perspective="DWHITFIELD2">
    <RoomID>CHAT:0x1F2C3A4B</RoomID>
    <StartTimeUTC>1709561000</StartTimeUTC>
    {BODY}
    <EndTimeUTC>1709561400</EndTimeUTC>
  </Conversation>
</FileDump>
"""


def _items(tmp_path: Path, text: str, options: ParseOptions | None = None) -> list[Message | Quarantined]:
    path = tmp_path / "f123456.dump.240304.xml"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path) == "bloomberg"
    return list(iter_items(path, options=options))


def test_each_message_is_an_item_wrapped_with_its_room(tmp_path: Path) -> None:
    items = _items(tmp_path, DUMP)
    assert len(items) == 6
    first = items[0]
    assert isinstance(first, Message)
    assert first.raw == f"<Conversation><RoomID>CHAT:0x1F2C3A4B</RoomID>{MESSAGE_1}</Conversation>".encode()
    assert first.body_text == "can do 500 ACC-1 @ 101.25 & settle T+1"
    assert (first.sender.address, first.sender.name) == ("dana.whitfield@firm.example", "Dana Whitfield")
    assert [(p.role, p.address) for p in first.recipients] == [("member", "pklein7@bloomberg.net")]
    assert first.sent_at.isoformat() == "2024-03-04T14:05:00+00:00"
    assert first.sent_at_original == "2024-03-04T09:05:00-05:00"
    assert first.direction(["firm.example"]) == "external"
    assert (first.thread_id, first.channel) == ("CHAT:0x1F2C3A4B", "CHAT:0x1F2C3A4B")


def test_file_transfers_are_items_with_referenced_attachments(tmp_path: Path) -> None:
    attachment = _items(tmp_path, DUMP)[2]
    assert isinstance(attachment, Message)
    (file,) = attachment.attachments
    assert (file.name, file.size, file.data, file.url) == ("allocation.xls", 18432, None, "ATT-77")


def test_missing_sender_local_time_only_and_unknown_elements_quarantine(tmp_path: Path) -> None:
    items = _items(tmp_path, DUMP)
    no_user, local_only, poll = items[3:]
    assert isinstance(no_user, Quarantined) and no_user.reason.endswith("#8: User: missing sender")
    assert isinstance(local_only, Quarantined) and "no zone and no DateTimeUTC" in local_only.reason
    assert isinstance(poll, Quarantined) and poll.reason.endswith("unrecognised element <Poll>")
    assert b"<Question>lunch?</Question>" in poll.raw
    zoned = _items(tmp_path, DUMP, ParseOptions(timezone="America/New_York"))[4]
    assert isinstance(zoned, Message) and zoned.sent_at_original == "2024-03-04T09:09:00-05:00"


def test_xml_that_breaks_keeps_completed_conversations_and_quarantines_the_rest(tmp_path: Path) -> None:
    second = DUMP.split("<FileDump>")[1].split("</FileDump>")[0].replace("CHAT:0x1F2C3A4B", "CHAT:0x2")
    broken = DUMP.replace(
        "</FileDump>", second.replace("done, thx</Content>", "done, thx</Conten") + "</FileDump>"
    )
    items = _items(tmp_path, broken)
    assert len(items) == 7
    tail = items[-1]
    assert isinstance(tail, Quarantined)
    assert "not well-formed XML at line 24 column 306" in tail.reason
    assert tail.raw.startswith(b'<Conversation Perspective="DWHITFIELD2">\n    <RoomID>CHAT:0x2</RoomID>')
