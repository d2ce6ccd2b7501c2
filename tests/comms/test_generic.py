"""The documented generic JSON Lines and CSV interchange formats."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from proctor.comms import Message, ParseOptions, Quarantined, detect_format, iter_items

ROW = {
    "id": "conv-88/msg-3",
    "thread_id": "conv-88",
    "sent_at": "2024-03-04T09:05:00-05:00",
    "from": "agent.lee@firm.example",
    "from_name": "Robin Lee",
    "to": ["Jane Doe <j.doe@gmail.example>"],
    "subject": "Your wire",
    "body_html": "<p>Your wire was <b>sent</b>.</p>",
    "kind": "sms",
    "channel": "support-sms",
    "attachments": [
        {
            "name": "receipt.txt",
            "content_type": "text/plain",
            "data_base64": base64.b64encode(b"wire ref 00912").decode(),
        }
    ],
}


def test_jsonl_records_bad_lines_and_missing_fields(tmp_path: Path) -> None:
    lines = [
        json.dumps(ROW),
        "{oops",
        json.dumps({**ROW, "from": ""}),
        json.dumps({**ROW, "sent_at": "2024-03-04 09:05"}),
        json.dumps({**ROW, "attachments": [{"name": "x", "data_base64": "***"}]}),
        json.dumps({**ROW, "deleted": "maybe"}),
    ]
    path = tmp_path / "sms.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert detect_format(path) == "generic_jsonl"
    items = list(iter_items(path))
    first = items[0]
    assert isinstance(first, Message)
    assert first.raw == lines[0].encode()
    assert (first.sender.address, first.sender.name) == ("agent.lee@firm.example", "Robin Lee")
    assert [(p.role, p.address, p.name) for p in first.recipients] == [
        ("to", "j.doe@gmail.example", "Jane Doe")
    ]
    assert first.body_text == "Your wire was sent."
    assert first.attachments[0].extracted_text == "wire ref 00912"
    assert (first.kind, first.channel, first.thread_id) == ("sms", "support-sms", "conv-88")
    reasons = [i.reason.split("#", 1)[1] for i in items[1:] if isinstance(i, Quarantined)]
    assert reasons[0].startswith("line 2: invalid JSON")
    assert reasons[1] == "line 3: from: missing sender"
    assert reasons[2].startswith("line 4: sent_at: unparseable date")
    assert reasons[3].startswith("line 5: attachments[1].data_base64: not base64")
    assert reasons[4] == "line 6: deleted: 'maybe' is not true/false"


def test_local_times_need_the_zone(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    path.write_text(json.dumps({**ROW, "sent_at": "2024-03-04T09:05:00"}) + "\n")
    (item,) = iter_items(path)
    assert isinstance(item, Quarantined)
    (zoned,) = iter_items(path, options=ParseOptions(timezone="America/Chicago"))
    assert isinstance(zoned, Message) and zoned.sent_at_original == "2024-03-04T09:05:00-06:00"


CSV = (
    "id,sent_at,from,from_name,to,cc,subject,body,channel,deleted,ticket_priority\r\n"
    'c1,2024-03-04T14:05:00Z,+19175550142,Jane Doe,agent.lee@firm.example,,,"Is my order filled?\r\n'
    'It was 500 ACC-1.",support-sms,false,high\r\n'
    "c2,2024-03-04T14:06:00Z,agent.lee@firm.example,Robin Lee,+19175550142,"
    "lead@firm.example;ops@firm.example,,"
    "Yes - filled at 101.25,support-sms,,normal\r\n"
    "c3,2024-03-04T14:07:00Z,agent.lee@firm.example\r\n"
    "c4,not a date,agent.lee@firm.example,,,,,hi,support-sms,,\r\n"
)


def test_csv_rows_keep_header_plus_own_lines_as_record(tmp_path: Path) -> None:
    path = tmp_path / "support.csv"
    path.write_bytes(CSV.encode())
    assert detect_format(path) == "generic_csv"
    first, second, short, bad = list(iter_items(path))
    header = CSV.split("\r\n", 1)[0]
    assert isinstance(first, Message)
    assert (
        first.raw
        == (
            header
            + "\n"
            + 'c1,2024-03-04T14:05:00Z,+19175550142,Jane Doe,agent.lee@firm.example,,,"Is my order'
            ' filled?\r\nIt was 500 ACC-1.",support-sms,false,high'
        ).encode()
    )
    assert first.body_text == "Is my order filled?\nIt was 500 ACC-1."
    assert first.sender.address == "+19175550142" and first.direction(["firm.example"]) == "unknown"
    assert isinstance(second, Message)
    assert [(p.role, p.address) for p in second.recipients] == [
        ("to", "+19175550142"),
        ("cc", "lead@firm.example"),
        ("cc", "ops@firm.example"),
    ]
    assert isinstance(short, Quarantined) and short.reason.endswith(
        "#row 3 (line 5): has 3 fields, header has 11"
    )
    assert isinstance(bad, Quarantined) and "#row 4: sent_at: unparseable date 'not a date'" in bad.reason


def test_csv_without_required_columns_is_quarantined_whole(tmp_path: Path) -> None:
    path = tmp_path / "support.csv"
    path.write_text("when,who,text\n2024-03-04,x,hi\n")
    (item,) = iter_items(path, "generic_csv")
    assert isinstance(item, Quarantined) and "header must name at least sent_at and from" in item.reason
