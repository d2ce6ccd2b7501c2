"""``--format auto``: telling exports apart by their content, and refusing what cannot be told."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from proctor.comms import FORMATS, CommsError, detect_format, iter_items

SAMPLES: dict[str, tuple[str, bytes]] = {
    "note.eml": ("eml", b"Received: from x\r\nFrom: a@firm.example\r\n\r\nhi\r\n"),
    "archive": ("mbox", b"From a@firm.example Mon Mar  4 14:05:00 2024\nFrom: a@firm.example\n\nhi\n"),
    "ib.xml": ("bloomberg", b'<?xml version="1.0"?>\n<FileDump><Conversation></Conversation></FileDump>'),
    "page.json": ("teams", b'{"value": [{"id": "1", "createdDateTime": "2024-03-04T14:05:00Z"}]}'),
    "tickets.json": ("zendesk", b'{"id": 1, "requester_id": 2, "comments": []}\n'),
    "sms.jsonl": ("generic_jsonl", b'{"sent_at": "2024-03-04T14:05:00Z", "from": "+1917"}\n'),
    "rows.txt": ("generic_csv", b"sent_at,from,body\n2024-03-04T14:05:00Z,a@firm.example,hi\n"),
    "chat.txt": ("whatsapp", b"[04/03/2024, 09:05:00] Dana: hi\n"),
    "android.txt": ("whatsapp", b"\xef\xbb\xbf04/03/2024, 09:05 - Dana: hi\n"),
    "mail.msg": ("msg", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100),
    "box.pst": ("pst", b"!BDN" + b"\x00" * 100),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_detects_each_format_from_content(tmp_path: Path, name: str) -> None:
    expected, data = SAMPLES[name]
    path = tmp_path / name
    path.write_bytes(data)
    assert detect_format(path) == expected
    assert expected in FORMATS


def test_zip_exports_are_told_apart(tmp_path: Path) -> None:
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("a.jpg", b"\xff\xd8")
    with pytest.raises(CommsError, match="neither a Slack export nor a WhatsApp"):
        detect_format(other)
    damaged = tmp_path / "cut.zip"
    damaged.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(CommsError, match="damaged zip archive"):
        detect_format(damaged)


def test_unknown_content_missing_path_and_unknown_format_name_are_user_errors(tmp_path: Path) -> None:
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01\x02 not an export")
    with pytest.raises(CommsError, match="cannot tell the export format"):
        detect_format(odd)
    with pytest.raises(CommsError, match="no such file"):
        detect_format(tmp_path / "missing.mbox")
    with pytest.raises(CommsError, match="unknown format 'lotus'"):
        iter_items(odd, "lotus")
