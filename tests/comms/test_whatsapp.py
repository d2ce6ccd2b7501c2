"""WhatsApp chat exports (iOS and Android layouts), multi-line messages, media, and time zones."""

from __future__ import annotations

import zipfile
from pathlib import Path

from proctor.comms import Message, ParseOptions, Quarantined, detect_format, iter_items

NY = ParseOptions(timezone="America/New_York")
IOS = (
    "[04/03/2024, 09:01:12] Dana Whitfield: Messages and calls are end-to-end encrypted.\n"
    "[04/03/2024, 09:05:00] Dana Whitfield: Morning. Can you do 500 ACC-1 at 101.25?\n"
    "Settle T+1.\n"
    "\n"
    "Thanks\n"
    "[04/03/2024, 09:06:30] +1 (917) 555-0142: ok go ahead\n"
    "\u200e[04/03/2024, 09:07:02] +1 (917) 555-0142: "
    "\u200e<attached: 00000012-PHOTO-2024-03-04-09-07-02.jpg>\n"
    "[04/03/2024, 09:08:00] Dana Whitfield: This message was deleted\n"
    "[13/03/2024, 16:45:10] Dana Whitfield: confirmed <This message was edited>\n"
)
ANDROID = (
    "3/4/24, 9:05 AM - Messages and calls are end-to-end encrypted. No one outside can read them.\n"
    "3/4/24, 9:05 AM - Dana Whitfield: price ok?\n"
    "3/4/24, 2:30 PM - Pat Klein: <Media omitted>\n"
    "3/13/24, 4:45 PM - Pat Klein: yes\n"
)


def test_ios_export_messages_multiline_and_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Pat Klein.txt"
    path.write_text(IOS, encoding="utf-8")
    assert detect_format(path) == "whatsapp"
    items = list(iter_items(path, options=NY))
    assert len(items) == 6 and all(isinstance(i, Message) for i in items)
    notice, order, reply, photo, deleted, edited = (i for i in items if isinstance(i, Message))
    head = "[04/03/2024, 09:05:00] Dana Whitfield: "
    assert order.raw == (head + "Morning. Can you do 500 ACC-1 at 101.25?\nSettle T+1.\n\nThanks").encode()
    assert order.body_text == "Morning. Can you do 500 ACC-1 at 101.25?\nSettle T+1.\n\nThanks"
    assert order.sent_at_original == "2024-03-04T09:05:00-05:00"
    assert order.sent_at.isoformat() == "2024-03-04T14:05:00+00:00"
    assert order.channel == "Pat Klein" and order.kind == "chat"
    assert [(p.role, p.address) for p in order.recipients] == [("member", "+19175550142")]
    assert reply.sender.address == "+19175550142" and reply.sender.name == "+1 (917) 555-0142"
    assert photo.attachments[0].name == "00000012-PHOTO-2024-03-04-09-07-02.jpg"
    assert photo.attachments[0].data is None
    assert deleted.deleted is True
    assert edited.edited_from is not None and edited.body_text == "confirmed"
    assert edited.sent_at_original == "2024-03-13T16:45:10-04:00"
    assert notice.sender.name == "Dana Whitfield"


def test_android_export_month_first_with_am_pm_and_system_lines(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Pat Klein.txt"
    path.write_text(ANDROID, encoding="utf-8")
    notice, ask, media, answer = list(iter_items(path, options=NY))
    assert (
        isinstance(notice, Message) and notice.kind == "system" and notice.sender.address == "whatsapp:system"
    )
    assert isinstance(media, Message) and media.sent_at_original == "2024-03-04T14:30:00-05:00"
    assert media.attachments[0].name == "<Media omitted>"
    assert isinstance(answer, Message) and answer.sent_at_original == "2024-03-13T16:45:00-04:00"
    assert isinstance(ask, Message) and [p.address for p in ask.recipients] == ["Pat Klein"]


def test_without_a_time_zone_every_message_quarantines_rather_than_guessing(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(ANDROID, encoding="utf-8")
    items = list(iter_items(path, "whatsapp"))
    assert len(items) == 4 and all(isinstance(i, Quarantined) for i in items)
    assert "phone local time with no zone" in items[0].reason


def test_text_before_first_message_and_impossible_dates_quarantine(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(
        "exported by a backup tool\n[31/02/2024, 09:05:00] Dana Whitfield: hi\n", encoding="utf-8"
    )
    preamble, bad = list(iter_items(path, "whatsapp", NY))
    assert isinstance(preamble, Quarantined) and preamble.raw == b"exported by a backup tool\n"
    assert isinstance(bad, Quarantined) and "timestamp: not a valid date" in bad.reason


def test_zip_export_attaches_media_bytes(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Pat Klein.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", IOS)
        zf.writestr("00000012-PHOTO-2024-03-04-09-07-02.jpg", b"\xff\xd8\xff\xe0 jpeg")
    assert detect_format(path) == "whatsapp"
    photo = list(iter_items(path, options=NY))[3]
    assert isinstance(photo, Message)
    assert photo.attachments[0].data == b"\xff\xd8\xff\xe0 jpeg"
    assert photo.origin.endswith(".zip:_chat.txt#4") and photo.channel == "Pat Klein"
