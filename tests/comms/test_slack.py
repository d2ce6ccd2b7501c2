"""Slack export zip: users and channels context, edits, deletions, threads, files, bad members."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from proctor.comms import Message, Quarantined, detect_format, iter_items

USERS = [
    {
        "id": "U01DANA",
        "name": "dana",
        "real_name": "Dana Whitfield",
        "profile": {"email": "Dana@firm.example", "real_name": "Dana Whitfield", "display_name": "dana"},
    },
    {
        "id": "U02SAM",
        "name": "sam",
        "real_name": "Sam Ortiz",
        "profile": {"email": "sam@firm.example", "real_name": "Sam Ortiz", "display_name": "sam.o"},
    },
    {"id": "U03EXT", "name": "pat", "profile": {"real_name": "Pat (Client)", "display_name": "pat"}},
]
CHANNELS = [{"id": "C01TRADE", "name": "trading-desk", "members": ["U01DANA", "U02SAM", "U03EXT"]}]
DAY = """[
    {
        "type": "message",
        "user": "U01DANA",
        "text": "<@U02SAM> can you confirm the ACC-1 fill? see <https://oms.firm.example/o/77|order 77>",
        "ts": "1709561100.000100"
    },
    {"type": "message", "user": "U02SAM", "text": "confirmed 500 @ 101.25",
     "ts": "1709561160.000200", "thread_ts": "1709561100.000100",
     "edited": {"user": "U02SAM", "ts": "1709561200.000000"}},
    {"type": "message", "subtype": "message_changed", "hidden": true, "ts": "1709561300.000300",
     "message": {"type": "message", "user": "U03EXT", "text": "price is fine, go ahead",
                 "ts": "1709561250.000250"},
     "previous_message": {"type": "message", "user": "U03EXT", "text": "price is fin",
                          "ts": "1709561250.000250"}},
    {"type": "message", "subtype": "message_deleted", "hidden": true, "ts": "1709561400.000400",
     "deleted_ts": "1709561350.000350",
     "previous_message": {"type": "message", "user": "U03EXT", "text": "call me on my cell instead",
                          "ts": "1709561350.000350"}},
    {"type": "message", "user": "U01DANA", "text": "ticket attached", "ts": "1709561500.000500",
     "files": [{"id": "F01TICKET", "name": "ticket.txt", "mimetype": "text/plain", "size": 24},
               {"id": "F02DECK", "name": "deck.pdf", "mimetype": "application/pdf", "size": 52113,
                "url_private": "https://files.slack.example/F02DECK/deck.pdf"}]},
    {"type": "message", "text": "who sent this?", "ts": "1709561600.000600"}
]"""


def _export(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    path = tmp_path / "firm Slack export Mar 4 2024.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("users.json", json.dumps(USERS))
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("trading-desk/", b"")
        zf.writestr("trading-desk/2024-03-04.json", DAY)
        zf.writestr("__uploads/F01TICKET/ticket.txt", b"BUY 500 ACC-1 @ 101.25\r\n")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def test_every_message_object_is_one_item_with_its_channel_and_exact_bytes(tmp_path: Path) -> None:
    path = _export(tmp_path)
    assert detect_format(path) == "slack"
    items = list(iter_items(path))
    assert len(items) == 6
    first = items[0]
    assert isinstance(first, Message)
    start = DAY.index("{")
    end = DAY.index("}", DAY.index('"ts": "1709561100.000100"')) + 1
    assert first.raw == b'{"slack_channel":"trading-desk","message":' + DAY[start:end].encode() + b"}"
    assert first.origin.endswith(".zip:trading-desk/2024-03-04.json#1")
    assert first.sender.address == "dana@firm.example" and first.sender.name == "Dana Whitfield"
    assert (
        first.body_text
        == "@sam.o can you confirm the ACC-1 fill? see order 77 (https://oms.firm.example/o/77)"
    )
    assert first.sent_at.isoformat() == "2024-03-04T14:05:00.000100+00:00"
    assert [(p.role, p.address) for p in first.recipients] == [
        ("member", "sam@firm.example"),
        ("member", "U03EXT"),
    ]
    assert first.direction(["firm.example"]) == "unknown"
    assert (first.kind, first.channel, first.message_id) == (
        "chat",
        "trading-desk",
        "trading-desk:1709561100.000100",
    )


def test_threads_edits_and_deletions_reference_the_original(tmp_path: Path) -> None:
    reply, changed, deleted = list(iter_items(_export(tmp_path)))[1:4]
    assert isinstance(reply, Message) and isinstance(changed, Message) and isinstance(deleted, Message)
    assert reply.thread_id == "trading-desk:1709561100.000100"
    assert reply.edited_from == "trading-desk:1709561160.000200"
    assert changed.edited_from == "trading-desk:1709561250.000250"
    assert changed.body_text == "price is fine, go ahead" and changed.sender.address == "U03EXT"
    assert deleted.deleted is True
    assert deleted.edited_from == "trading-desk:1709561350.000350"
    assert deleted.body_text == "call me on my cell instead"


def test_files_with_bytes_in_the_export_and_files_by_reference(tmp_path: Path) -> None:
    files = list(iter_items(_export(tmp_path)))[4]
    assert isinstance(files, Message)
    ticket, deck = files.attachments
    assert ticket.data == b"BUY 500 ACC-1 @ 101.25\r\n" and ticket.extracted_text == "BUY 500 ACC-1 @ 101.25"
    assert (
        deck.data is None
        and deck.size == 52113
        and deck.url == "https://files.slack.example/F02DECK/deck.pdf"
    )


def test_malformed_members_quarantine_and_counts_reconcile(tmp_path: Path) -> None:
    truncated = DAY[: DAY.index('{"type": "message", "user": "U01DANA", "text": "ticket')] + '{"type": "mess'
    path = _export(
        tmp_path,
        {
            "trading-desk/2024-03-05.json": truncated.encode(),
            "trading-desk/notes.docx": b"PK\x03\x04 not a day file",
            "trading-desk/2024-03-06.json": b"\xff\xfe not utf-8",
        },
    )
    items = list(iter_items(path))
    quarantined = [i for i in items if isinstance(i, Quarantined)]
    assert len(items) == 6 + 4 + 1 + 1 + 1
    reasons = sorted(q.reason.split(".zip:", 1)[1] for q in quarantined)
    assert reasons[0].startswith("trading-desk/2024-03-04.json#6: user: missing sender")
    assert reasons[1].startswith("trading-desk/2024-03-05.json: invalid JSON at line")
    assert reasons[2].startswith("trading-desk/2024-03-06.json: not UTF-8 JSON")
    assert reasons[3].startswith("trading-desk/notes.docx: not a Slack channel daily file")
    cut = next(q for q in quarantined if "03-05.json@" in q.origin)
    assert cut.raw == b'{"type": "mess'


def test_bad_users_json_is_quarantined_and_messages_still_import(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("users.json", b"[{broken")
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("trading-desk/2024-03-04.json", DAY)
    items = list(iter_items(path))
    assert isinstance(items[0], Quarantined) and "users.json: not valid JSON" in items[0].reason
    assert isinstance(items[1], Message) and items[1].sender.address == "U01DANA"


def test_an_unpacked_export_folder_reads_like_the_zip(tmp_path: Path) -> None:
    path = _export(tmp_path)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    assert detect_format(folder) == "slack"
    from_zip = [i.raw for i in iter_items(path)]
    from_folder = list(iter_items(folder))
    assert [i.raw for i in from_folder] == from_zip
    assert from_folder[0].origin == f"{folder}:trading-desk/2024-03-04.json#1"
