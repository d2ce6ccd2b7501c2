"""The normalised view: participants, direction, identity by content hash, the index row."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from proctor.comms import Attachment, Message, ParseOptions, Participant, Quarantined, direction
from proctor.comms.model import CommsError

FIRM = ("firm.example",)


def _message(**overrides: object) -> Message:
    fields: dict[str, object] = {
        "raw": b"From: dana@firm.example\r\n\r\nhello\r\n",
        "origin": "inbox.eml",
        "format": "eml",
        "message_id": "1@firm.example",
        "thread_id": "1@firm.example",
        "sent_at": datetime(2024, 3, 4, 14, 5, tzinfo=UTC),
        "sent_at_original": "2024-03-04T09:05:00-05:00",
        "sender": Participant("dana@firm.example", "Dana Whitfield", "from"),
        "recipients": (Participant("cco@ny.firm.example", "", "to"),),
        "subject": "Allocation",
        "body_text": "hello",
    }
    fields.update(overrides)
    return Message(**fields)  # type: ignore[arg-type]


def test_identity_is_the_hash_of_the_original_bytes_not_the_message_id() -> None:
    first = _message()
    same_id_other_bytes = _message(raw=first.raw + b"P.S.\r\n")
    assert first.content_sha256 == hashlib.sha256(first.raw).hexdigest()
    assert first.message_id == same_id_other_bytes.message_id
    assert first.content_sha256 != same_id_other_bytes.content_sha256


def test_direction_internal_when_every_party_is_on_a_firm_domain_or_subdomain() -> None:
    assert _message().direction(FIRM) == "internal"


def test_direction_external_when_any_party_is_outside() -> None:
    outsider = (Participant("client@gmail.example", "", "cc"),)
    assert _message(recipients=outsider).direction(FIRM) == "external"
    assert direction([Participant("x@notfirm.example")], FIRM) == "external"


def test_direction_unknown_for_handles_without_domain_is_not_assumed_internal() -> None:
    handle = (Participant("U024BE7LH", "Sam Ortiz", "member"),)
    assert _message(recipients=handle).direction(FIRM) == "unknown"
    assert _message().direction(()) == "unknown"


def test_naive_sent_at_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _message(sent_at=datetime(2024, 3, 4, 14, 5))


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        Participant("a@b.example", "", "reply-to")


def test_index_row_carries_the_normalised_fields() -> None:
    att = Attachment.from_bytes("terms.txt", "text/plain", b"net 30", "net 30")
    row = _message(attachments=(att,)).to_index_row(FIRM)
    assert row["direction"] == "internal"
    assert row["sent_at"] == "2024-03-04T14:05:00+00:00"
    assert row["sent_at_original"] == "2024-03-04T09:05:00-05:00"
    assert row["participants"] == ["from:dana@firm.example", "to:cco@ny.firm.example"]
    assert row["has_attachments"] is True
    assert row["attachment_text"] == "net 30"
    assert row["size"] == len(_message().raw)


def test_attachment_reference_keeps_missing_bytes_visible() -> None:
    ref = Attachment.reference("deck.pdf", "application/pdf", 52_113, "https://files.example/F1")
    assert ref.data is None and ref.sha256 is None and ref.size == 52_113
    full = Attachment.from_bytes("a.txt", "text/plain", b"abc")
    assert full.size == 3 and full.sha256 == hashlib.sha256(b"abc").hexdigest()


def test_quarantined_item_keeps_bytes_and_hash() -> None:
    item = Quarantined(b"garbage", "x.mbox#0", "mbox", "x.mbox#0: envelope: data before the first From line")
    assert item.content_sha256 == hashlib.sha256(b"garbage").hexdigest()


def test_unknown_time_zone_is_a_user_error() -> None:
    with pytest.raises(CommsError, match="Mars/Olympus"):
        ParseOptions(timezone="Mars/Olympus").zone()
