"""Zendesk ticket exports: every comment is an item, the ticket is its thread."""

from __future__ import annotations

import json
from pathlib import Path

from proctor.comms import Message, Quarantined, detect_format, iter_items

TICKET = {
    "url": "https://firmhelp.zendesk.example/api/v2/tickets/4711.json",
    "id": 4711,
    "subject": "Transfer to my bank has not arrived",
    "requester_id": 9001,
    "assignee_id": 77,
    "collaborator_ids": [78],
    "via": {"channel": "email"},
    "comments": [
        {
            "id": 1001,
            "type": "Comment",
            "author_id": 9001,
            "public": True,
            "body": "I requested a $5,000 ACH withdrawal on Friday.\nIt is not in my account.",
            "created_at": "2024-03-04T14:05:00Z",
            "via": {
                "channel": "email",
                "source": {
                    "from": {"address": "j.doe@gmail.example", "name": "Jane Doe"},
                    "to": {"address": "support@firm.example"},
                },
            },
            "attachments": [
                {
                    "id": 55,
                    "file_name": "statement.pdf",
                    "content_type": "application/pdf",
                    "size": 48211,
                    "content_url": "https://firmhelp.zendesk.example/attachments/55",
                }
            ],
        },
        {
            "id": 1002,
            "type": "Comment",
            "author_id": 77,
            "public": True,
            "body": "",
            "html_body": "<p>Hello Jane,</p><p>The transfer was <b>returned</b> by your bank.</p>",
            "created_at": "2024-03-04T15:30:00Z",
            "via": {"channel": "web"},
        },
        {
            "id": 1003,
            "type": "Comment",
            "author_id": 77,
            "public": False,
            "body": "Internal: customer asked to bypass the hold; declined.",
            "created_at": "2024-03-04T15:31:00Z",
            "via": {"channel": "web"},
        },
        {
            "id": 1004,
            "type": "Comment",
            "author_id": 77,
            "public": True,
            "body": "follow-up",
            "created_at": "yesterday",
        },
    ],
}
USERS = [
    {"id": 9001, "name": "Jane Doe", "email": "J.Doe@gmail.example"},
    {"id": 77, "name": "Alex Rivera", "email": "alex.rivera@firm.example"},
    {"id": 78, "name": "Team Lead", "email": "lead@firm.example"},
]


def test_api_page_with_side_loaded_users(tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    text = json.dumps({"tickets": [TICKET], "users": USERS, "count": 1}, indent=1)
    path.write_text(text)
    assert detect_format(path) == "zendesk"
    customer, agent, note, bad = list(iter_items(path))
    assert isinstance(customer, Message) and isinstance(agent, Message) and isinstance(note, Message)
    assert customer.raw.startswith(b'{"zendesk_ticket":4711,"comment":{')
    assert json.loads(customer.raw)["comment"] == TICKET["comments"][0]
    assert (customer.sender.address, customer.sender.name) == ("j.doe@gmail.example", "Jane Doe")
    assert [(p.role, p.address) for p in customer.recipients] == [
        ("to", "alex.rivera@firm.example"),
        ("cc", "lead@firm.example"),
    ]
    assert customer.subject == "Transfer to my bank has not arrived"
    assert customer.thread_id == agent.thread_id == "zendesk:4711"
    assert customer.message_id == "zendesk:4711:1001"
    assert customer.attachments[0].name == "statement.pdf" and customer.attachments[0].size == 48211
    assert customer.kind == "ticket" and customer.direction(["firm.example"]) == "external"
    assert agent.body_text == "Hello Jane,\n\nThe transfer was returned by your bank."
    assert [p.address for p in agent.recipients] == ["j.doe@gmail.example", "lead@firm.example"]
    assert note.kind == "ticket_note"
    assert [p.address for p in note.recipients] == ["lead@firm.example"]
    assert isinstance(bad, Quarantined)
    assert bad.reason.endswith(":ticket 4711#4: created_at: unparseable date 'yesterday'")


def test_json_lines_export_without_users_and_malformed_lines(tmp_path: Path) -> None:
    no_comments = {k: v for k, v in TICKET.items() if k != "comments"} | {"id": 4712}
    lines = [json.dumps(TICKET), "{not json", json.dumps(no_comments)]
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = list(iter_items(path, "zendesk"))
    assert len(items) == 4 + 1 + 1
    first = items[0]
    assert isinstance(first, Message) and first.sender.address == "j.doe@gmail.example"
    agent = items[1]
    assert isinstance(agent, Message) and agent.sender.address == "zendesk:user:77"
    bad_line, no_thread = items[4], items[5]
    assert isinstance(bad_line, Quarantined) and "line 2: invalid JSON" in bad_line.reason
    assert isinstance(no_thread, Quarantined) and "ticket 4712 has no comments array" in no_thread.reason
    assert no_thread.raw == lines[2].encode()
