"""Microsoft Teams chatMessage exports in the Graph API shape."""

from __future__ import annotations

import json
from pathlib import Path

from proctor.comms import Message, Quarantined, detect_format, iter_items

CHANNEL = {
    "teamId": "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b",
    "channelId": "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2",
}
ROOT = {
    "id": "1709561100123",
    "replyToId": None,
    "messageType": "message",
    "createdDateTime": "2024-03-04T14:05:00.123Z",
    "lastModifiedDateTime": "2024-03-04T14:05:00.123Z",
    "lastEditedDateTime": None,
    "deletedDateTime": None,
    "subject": "ACC-1 block",
    "channelIdentity": CHANNEL,
    "from": {
        "user": {
            "id": "8ea0e38b-efb3-4757-924a-5f94061cf8c2",
            "displayName": "Dana Whitfield",
            "userIdentityType": "aadUser",
        }
    },
    "body": {
        "contentType": "html",
        "content": '<div><at id="0">Sam Ortiz</at> please confirm the <b>ACC-1</b> fill</div>'
        '<attachment id="b1"></attachment>',
    },
    "attachments": [
        {
            "id": "b1",
            "contentType": "reference",
            "name": "allocation.xlsx",
            "contentUrl": "https://firm.sharepoint.example/sites/desk/allocation.xlsx",
        }
    ],
    "mentions": [
        {
            "id": 0,
            "mentionText": "Sam Ortiz",
            "mentioned": {"user": {"id": "5d8d505c-864f-4804-88c7-4583c966cde8", "displayName": "Sam Ortiz"}},
        }
    ],
}
REPLY = {
    **ROOT,
    "id": "1709561160456",
    "replyToId": "1709561100123",
    "createdDateTime": "2024-03-04T14:06:00.456Z",
    "lastEditedDateTime": "2024-03-04T14:07:00Z",
    "subject": None,
    "from": {
        "user": {
            "id": "5d8d505c-864f-4804-88c7-4583c966cde8",
            "displayName": "Sam Ortiz",
            "email": "Sam@firm.example",
        }
    },
    "body": {"contentType": "text", "content": "confirmed 500 @ 101.25"},
    "attachments": [],
    "mentions": [],
}
DELETED = {
    **REPLY,
    "id": "1709561220789",
    "deletedDateTime": "2024-03-04T14:10:00Z",
    "lastEditedDateTime": None,
    "body": {"contentType": "html", "content": ""},
}
SYSTEM = {
    **ROOT,
    "id": "1709561000000",
    "messageType": "systemEventMessage",
    "from": None,
    "body": {"contentType": "html", "content": "<systemEventMessage/>"},
    "attachments": [],
    "mentions": [],
}


def test_graph_page_each_chat_message_is_one_item_with_exact_bytes(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#chatMessages",
            "value": [ROOT, REPLY, DELETED, SYSTEM],
        },
        indent=2,
    )
    path = tmp_path / "trading-desk.json"
    path.write_text(text)
    assert detect_format(path) == "teams"
    root, reply, deleted, system = list(iter_items(path))
    assert isinstance(root, Message) and isinstance(reply, Message)
    assert isinstance(deleted, Message) and isinstance(system, Message)
    assert json.loads(root.raw) == ROOT
    assert root.raw.decode() in text
    assert root.body_text == "Sam Ortiz please confirm the ACC-1 fill"
    assert root.subject == "ACC-1 block"
    assert root.sender.name == "Dana Whitfield"
    assert [(p.role, p.name) for p in root.recipients] == [("mention", "Sam Ortiz")]
    assert root.attachments[0].name == "allocation.xlsx" and root.attachments[0].data is None
    assert root.sent_at_original == "2024-03-04T14:05:00.123000+00:00"
    channel = CHANNEL["channelId"]
    assert root.thread_id == reply.thread_id == f"{channel}:1709561100123"
    assert reply.sender.address == "sam@firm.example"
    assert reply.edited_from == reply.message_id == f"{channel}:1709561160456"
    assert deleted.deleted is True and deleted.body_text == ""
    assert system.kind == "system" and system.sender.address == "teams:system"


def test_json_lines_with_bad_line_and_missing_fields_quarantine(tmp_path: Path) -> None:
    no_sender = {**REPLY, "id": "1709561300000", "from": None}
    bad_date = {**REPLY, "id": "1709561400000", "createdDateTime": "04/03/2024 14:05"}
    lines = [
        json.dumps(ROOT),
        '{"id": "1709561500000", "createdDateTime": ',
        json.dumps(no_sender),
        json.dumps(bad_date),
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = list(iter_items(path, "teams"))
    assert [type(i).__name__ for i in items] == ["Message", "Quarantined", "Quarantined", "Quarantined"]
    reasons = [i.reason for i in items if isinstance(i, Quarantined)]
    assert "line 2: invalid JSON" in reasons[0] and items[1].raw == lines[1].encode()
    assert reasons[1].endswith("#line 3: from: missing sender")
    assert reasons[2].endswith("#line 4: createdDateTime: unparseable date '04/03/2024 14:05'")
