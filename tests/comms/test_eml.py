"""RFC 5322 files: decoding, MIME structure, attachments, and the malformed cases that quarantine."""

from __future__ import annotations

import base64
from pathlib import Path

from proctor.comms import Message, ParseOptions, Quarantined, iter_items
from proctor.comms.formats import eml

PLAIN = (
    b"Message-ID: <20240304140500.4711@firm.example>\r\n"
    b"Date: Mon, 4 Mar 2024 09:05:00 -0500\r\n"
    b'From: "Whitfield, Dana" <Dana.Whitfield@firm.example>\r\n'
    b"To: client@gmail.example, Ops Desk <ops@firm.example>\r\n"
    b"Cc: =?utf-8?q?Jos=C3=A9_Ib=C3=A1=C3=B1ez?= <jose@firm.example>\r\n"
    b"Subject: =?iso-8859-1?q?R=E9sum=E9_of_the_allocation?=\r\n"
    b"References: <root-1@firm.example> <20240301@firm.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"The allocation for the caf=E9 account is=20\r\n"
    b"confirmed at 101.25.\r\n"
)


def _one(path: Path, options: ParseOptions | None = None) -> Message | Quarantined:
    items = list(eml.iter_items(path, options))
    assert len(items) == 1
    return items[0]


def _write(tmp_path: Path, data: bytes, name: str = "m.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_message_is_decoded_and_raw_bytes_are_kept_exactly(tmp_path: Path) -> None:
    item = _one(_write(tmp_path, PLAIN))
    assert isinstance(item, Message)
    assert item.raw == PLAIN
    assert item.message_id == "20240304140500.4711@firm.example"
    assert item.thread_id == "root-1@firm.example"
    assert item.sent_at.isoformat() == "2024-03-04T14:05:00+00:00"
    assert item.sent_at_original == "2024-03-04T09:05:00-05:00"
    assert (item.sender.address, item.sender.name) == ("dana.whitfield@firm.example", "Whitfield, Dana")
    assert [(p.role, p.address, p.name) for p in item.recipients] == [
        ("to", "client@gmail.example", ""),
        ("to", "ops@firm.example", "Ops Desk"),
        ("cc", "jose@firm.example", "José Ibáñez"),
    ]
    assert item.subject == "Résumé of the allocation"
    assert item.body_text == "The allocation for the café account is\nconfirmed at 101.25."
    assert item.direction(["firm.example"]) == "external"


def test_html_only_body_becomes_text_and_attachments_are_extracted(tmp_path: Path) -> None:
    csv_b64 = base64.b64encode(b"account,qty\r\nACC-1,500\r\n").decode()
    raw = (
        "Date: Tue, 5 Mar 2024 16:00:00 +0000\r\n"
        "From: ops@firm.example\r\n"
        "To: dana@firm.example\r\n"
        "Subject: Fills\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "\r\n"
        "<html><head><style>p{color:red}</style></head><body><p>Fills for <b>ACC-1</b>&nbsp;attached.</p>"
        "<p>Regards,<br>Ops</p></body></html>\r\n"
        "--b1\r\n"
        'Content-Type: text/csv; name="fills.csv"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="fills.csv"\r\n'
        "\r\n"
        f"{csv_b64}\r\n"
        "--b1\r\n"
        "Content-Type: message/rfc822\r\n"
        "\r\n"
        "From: client@gmail.example\r\n"
        "Subject: original order\r\n"
        "\r\n"
        "Buy 500 ACC-1.\r\n"
        "--b1--\r\n"
    ).encode()
    item = _one(_write(tmp_path, raw))
    assert isinstance(item, Message)
    assert item.body_text == "Fills for ACC-1 attached.\n\nRegards,\nOps"
    csv, forwarded = item.attachments
    assert (csv.name, csv.content_type, csv.data) == (
        "fills.csv",
        "text/csv",
        b"account,qty\r\nACC-1,500\r\n",
    )
    assert csv.extracted_text == "account,qty\nACC-1,500"
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.extracted_text == "original order\nBuy 500 ACC-1."


def test_multipart_alternative_prefers_the_plain_part(tmp_path: Path) -> None:
    raw = (
        b"Date: Tue, 5 Mar 2024 16:00:00 +0000\r\nFrom: a@firm.example\r\nTo: b@firm.example\r\n"
        b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
        b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"Plain \xe2\x82\xac 5\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>HTML</p>\r\n--alt--\r\n"
    )
    item = _one(_write(tmp_path, raw))
    assert isinstance(item, Message)
    assert item.body_text == "Plain € 5"
    assert item.attachments == ()


def test_undeclared_8bit_header_and_body_fall_back_to_windows_1252(tmp_path: Path) -> None:
    raw = (
        b"Date: Tue, 5 Mar 2024 16:00:00 +0000\r\nFrom: M\xfcller <m@firm.example>\r\n"
        b"Subject: Gr\xfc\xdfe\r\n\r\nF\xfcr Sie \x96 danke\r\n"
    )
    item = _one(_write(tmp_path, raw))
    assert isinstance(item, Message)
    assert item.sender.name == "Müller"
    assert item.subject == "Grüße"
    assert item.body_text == "Für Sie – danke"


def test_folder_yields_one_item_per_file_including_non_messages(tmp_path: Path) -> None:
    (tmp_path / "2024" / "03").mkdir(parents=True)
    _write(tmp_path / "2024" / "03", PLAIN, "a.eml")
    _write(tmp_path / "2024", PLAIN.replace(b"4711", b"4712"), "b.eml")
    _write(tmp_path, b"\x00\x01binary thumbnail", "Thumbs.db")
    items = list(iter_items(tmp_path, "eml"))
    assert [type(i).__name__ for i in items] == ["Quarantined", "Message", "Message"]
    assert items[0].raw == b"\x00\x01binary thumbnail"
    assert "Thumbs.db: headers: does not start with an RFC 5322 header field" in items[0].reason


def test_missing_sender_quarantines_and_names_the_field(tmp_path: Path) -> None:
    raw = PLAIN.replace(b'From: "Whitfield, Dana" <Dana.Whitfield@firm.example>\r\n', b"")
    item = _one(_write(tmp_path, raw))
    assert isinstance(item, Quarantined)
    assert item.raw == raw
    assert item.reason.endswith("m.eml: From: missing sender")


def test_unparseable_and_missing_dates_quarantine(tmp_path: Path) -> None:
    bad = _one(
        _write(tmp_path, PLAIN.replace(b"Mon, 4 Mar 2024 09:05:00 -0500", b"sometime Monday"), "a.eml")
    )
    assert isinstance(bad, Quarantined)
    assert "Date: unparseable date 'sometime Monday'" in bad.reason
    missing = _one(_write(tmp_path, PLAIN.replace(b"Date: Mon, 4 Mar 2024 09:05:00 -0500\r\n", b""), "b.eml"))
    assert isinstance(missing, Quarantined) and "Date: missing" in missing.reason
    impossible = _one(_write(tmp_path, PLAIN.replace(b"4 Mar 2024", b"31 Feb 2024"), "c.eml"))
    assert isinstance(impossible, Quarantined) and "Date: unparseable date" in impossible.reason


def test_date_without_zone_needs_the_source_zone(tmp_path: Path) -> None:
    path = _write(tmp_path, PLAIN.replace(b"09:05:00 -0500", b"09:05:00"))
    item = _one(path)
    assert isinstance(item, Quarantined) and "has no zone" in item.reason
    zoned = _one(path, ParseOptions(timezone="America/New_York"))
    assert isinstance(zoned, Message)
    assert zoned.sent_at_original == "2024-03-04T09:05:00-05:00"


def test_broken_mime_quarantines(tmp_path: Path) -> None:
    no_boundary = (
        b"Date: Tue, 5 Mar 2024 16:00:00 +0000\r\nFrom: a@firm.example\r\n"
        b'Content-Type: multipart/mixed; boundary="gone"\r\n\r\nthe parts were cut off\r\n'
    )
    item = _one(_write(tmp_path, no_boundary, "a.eml"))
    assert isinstance(item, Quarantined)
    assert "MIME part" in item.reason and "BoundaryNotFound" in item.reason
    truncated_b64 = (
        b"Date: Tue, 5 Mar 2024 16:00:00 +0000\r\nFrom: a@firm.example\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee pdf\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0xLjQK\r\nJVB\r\n--b--\r\n"
    )
    item = _one(_write(tmp_path, truncated_b64, "b.eml"))
    assert isinstance(item, Quarantined)
    assert "MIME part 2 (application/pdf): InvalidBase64PaddingDefect" in item.reason


def test_empty_file_quarantines(tmp_path: Path) -> None:
    item = _one(_write(tmp_path, b""))
    assert isinstance(item, Quarantined) and "empty" in item.reason


def test_saved_file_with_an_envelope_line_on_top_is_still_a_message(tmp_path: Path) -> None:
    raw = b"From dana@firm.example Mon Mar  4 14:05:00 2024\r\n" + PLAIN
    item = _one(_write(tmp_path, raw))
    assert isinstance(item, Message)
    assert item.raw == raw and item.sender.address == "dana.whitfield@firm.example"
