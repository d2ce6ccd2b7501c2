"""MBOX: splitting on envelope lines, undoing ``>From`` quoting, keeping what precedes the first."""

from __future__ import annotations

from pathlib import Path

from proctor.comms import Message, ParseOptions, Quarantined
from proctor.comms.formats import mbox
from proctor.comms.model import Limits

FIRST = (
    b"Date: Mon, 4 Mar 2024 09:05:00 -0500\n"
    b"From: dana@firm.example\n"
    b"To: client@gmail.example\n"
    b"Subject: fills\n"
    b"\n"
    b"Filled 500 at 101.25.\n"
    b"From here on, settlement is T+1.\n"
    b">From the desk: thanks.\n"
)
SECOND = (
    b"Date: Mon, 4 Mar 2024 10:00:00 -0500\nFrom: client@gmail.example\nTo: dana@firm.example\n"
    b"Subject: Re: fills\n\nThanks!\n"
)


def _escape_rd(message: bytes) -> bytes:
    lines = message.split(b"\n")
    return b"\n".join(b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines)


def _mbox(tmp_path: Path, *messages: bytes, preamble: bytes = b"") -> Path:
    body = preamble
    for i, message in enumerate(messages):
        body += b"From MAILER-DAEMON Mon Mar  4 14:05:0%d 2024\n" % i + _escape_rd(message) + b"\n"
    path = tmp_path / "dana.mbox"
    path.write_bytes(body)
    return path


def test_mboxrd_round_trip_gives_back_the_original_message_bytes(tmp_path: Path) -> None:
    items = list(mbox.iter_items(_mbox(tmp_path, FIRST, SECOND)))
    assert [i.origin.rsplit("#", 1)[1] for i in items] == ["1", "2"]
    first, second = items
    assert isinstance(first, Message) and isinstance(second, Message)
    assert first.raw == FIRST
    assert second.raw == SECOND
    assert "From here on, settlement is T+1.\n>From the desk: thanks." in first.body_text


def test_mboxo_and_mboxrd_differ_only_on_lines_quoted_twice(tmp_path: Path) -> None:
    path = tmp_path / "o.mbox"
    path.write_bytes(b"From x Mon Mar  4 14:05:00 2024\n" + SECOND + b">From one\n>>From two\n\n")
    (rd,) = mbox.iter_items(path)
    (o,) = mbox.iter_items(path, ParseOptions(mbox_variant="mboxo"))
    assert isinstance(rd, Message) and isinstance(o, Message)
    assert rd.raw.endswith(b"Thanks!\nFrom one\n>From two\n")
    assert o.raw.endswith(b"Thanks!\nFrom one\n>>From two\n")


def test_data_before_the_first_envelope_is_quarantined_not_dropped(tmp_path: Path) -> None:
    items = list(mbox.iter_items(_mbox(tmp_path, FIRST, preamble=b"X-Exported-By: old archive\n\n")))
    assert isinstance(items[0], Quarantined)
    assert items[0].raw == b"X-Exported-By: old archive\n\n"
    assert items[0].reason.endswith(
        "#0: envelope: data before the first 'From ' line is not part of any message"
    )
    assert isinstance(items[1], Message)


def test_a_broken_message_in_the_middle_quarantines_only_itself(tmp_path: Path) -> None:
    broken = b"Subject: no sender and no date\n\nbody\n"
    items = list(mbox.iter_items(_mbox(tmp_path, FIRST, broken, SECOND)))
    assert [type(i).__name__ for i in items] == ["Message", "Quarantined", "Message"]
    assert items[1].raw == broken
    assert "dana.mbox#2: From: missing sender" in items[1].reason


def test_crlf_mbox_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "crlf.mbox"
    path.write_bytes(
        b"From x Mon Mar  4 14:05:00 2024\r\n" + _escape_rd(FIRST).replace(b"\n", b"\r\n") + b"\r\n"
    )
    (item,) = mbox.iter_items(path)
    assert isinstance(item, Message) and item.raw == FIRST.replace(b"\n", b"\r\n")
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    (nothing,) = mbox.iter_items(empty)  # an empty export is reported, never read as zero
    assert isinstance(nothing, Quarantined)
    assert nothing.reason.endswith("empty file: the export holds no messages")


def test_a_message_with_a_line_over_the_line_limit_is_quarantined_with_its_bytes(tmp_path: Path) -> None:
    pasted = b"Date: Mon, 4 Mar 2024 11:00:00 -0500\nFrom: dana@firm.example\nSubject: blotter\n\n"
    pasted += b"500,101.25," * 8 + b"\n"  # 89 bytes with its line break: a pasted blotter
    path = _mbox(tmp_path, FIRST, pasted, SECOND)
    options = ParseOptions(limits=Limits(max_line_bytes=80))
    items = list(mbox.iter_items(path, options))
    assert [type(i).__name__ for i in items] == ["Message", "Quarantined", "Message"]
    long = items[1]
    assert isinstance(long, Quarantined) and long.raw == pasted
    assert long.reason == f"{path}#2: a line is 89 bytes, over the 80-byte line limit"
    assert [type(i).__name__ for i in mbox.iter_items(path)] == ["Message", "Message", "Message"]
