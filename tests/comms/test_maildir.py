"""Maildir (cur/new/tmp, Maildir++ folders) and the CMU Enron ``<mailbox>/<folder>/<n>.`` layout."""

from __future__ import annotations

from pathlib import Path

from proctor.comms import Message, Quarantined, detect_format, iter_items


def _mail(n: int, sender: str = "dana@firm.example") -> bytes:
    return (
        f"Message-ID: <{n}.JavaMail.evans@thyme>\nDate: Mon, 14 May 2001 16:39:00 -0700 (PDT)\n"
        f"From: {sender}\nTo: tim.belden@enron.com\nSubject: gas position {n}\nX-From: Whitfield, Dana\n\n"
        f"Position update {n}.\n"
    ).encode()


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_maildir_reads_cur_new_and_tmp_and_names_maildirplusplus_folders(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    _put(root / "cur" / "1709560000.M1P1.host:2,S", _mail(1))
    _put(root / "new" / "1709560001.M2P1.host", _mail(2))
    _put(root / "tmp" / "1709560002.M3P1.host", _mail(3)[:40])
    _put(root / ".Sent.2024" / "cur" / "1709560003.M4P1.host:2,S", _mail(4))
    _put(root / "dovecot-uidlist", b"3 V1709560000 N5\n")
    assert detect_format(root) == "maildir"
    items = list(iter_items(root))
    assert len(items) == 4
    assert [i.channel for i in items if isinstance(i, Message)] == ["INBOX", "INBOX", "Sent/2024"]
    (partial,) = [i for i in items if isinstance(i, Quarantined)]
    assert "/tmp/" in partial.origin and partial.raw == _mail(3)[:40]


def test_cmu_layout_channel_is_mailbox_and_folder_and_x_from_names_the_sender(tmp_path: Path) -> None:
    root = tmp_path / "maildir"
    _put(root / "whitfield-d" / "inbox" / "1.", _mail(1))
    _put(root / "whitfield-d" / "sent_items" / "12.", _mail(12))
    _put(root / "whitfield-d" / "projects" / "tx" / "3.", _mail(3))
    assert detect_format(root) == "cmu_maildir"
    items = list(iter_items(root))
    assert all(isinstance(i, Message) for i in items)
    messages = [i for i in items if isinstance(i, Message)]
    assert [m.channel for m in messages] == [
        "whitfield-d/inbox",
        "whitfield-d/projects/tx",
        "whitfield-d/sent_items",
    ]
    assert messages[0].sender.name == "Whitfield, Dana"
    assert messages[0].sent_at_original == "2001-05-14T16:39:00-07:00"
