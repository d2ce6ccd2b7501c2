"""Microsoft Teams messages as the Graph API returns them (``chatMessage`` resources).

Accepts a file (or a folder of files) holding a JSON array, a Graph page (``{"value": [...]}``),
one object, or JSON Lines. Each chatMessage is one item and its record bytes are the object
exactly as exported; it names its own chat or channel, so it needs no wrapper.

Graph returns a message's latest state: ``lastEditedDateTime`` marks an edited message (the item
references its own id in ``edited_from``, as "this text replaced the original") and
``deletedDateTime`` a deleted one. When an export holds several versions of one message they
differ in bytes and each is kept. ``sent_at`` is always ``createdDateTime`` so a search by the
day something was said finds it. Graph does not list chat members on a message, so recipients
are the people @mentioned (role ``mention``); membership comes from the source inventory.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from proctor.comms.formats._files import empty, read_file, shielded, walk_files
from proctor.comms.formats._jsonspans import as_dict, decode, iter_documents, raw_bytes
from proctor.comms.formats._text import html_to_text, normalise_text, parse_iso
from proctor.comms.model import Attachment, Message, ParsedItem, ParseOptions, Participant, Quarantined

FORMAT = "teams"


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    files = walk_files(path) if path.is_dir() else iter((path,))
    for file in files:
        data = read_file(file, FORMAT)
        if not isinstance(data, bytes):
            yield data
            continue
        blank = empty(data, str(file), FORMAT)
        if blank is not None:
            yield blank
            continue
        text = decode(data)
        for span in iter_documents(text, ("value", "messages")):
            origin = f"{file}#{span.locator}"
            raw = raw_bytes(span.text)
            if span.error is not None:
                yield Quarantined(raw, origin, FORMAT, f"{file}: {span.error}")
            else:
                yield shielded(raw, origin, FORMAT, _message, span.value, raw, origin)


def _identity(block: Any) -> dict[str, Any] | None:
    if not isinstance(block, dict):
        return None
    for kind in ("user", "application", "device"):
        who = block.get(kind)
        if isinstance(who, dict) and (who.get("id") or who.get("displayName")):
            return who
    return None


def _person(who: dict[str, Any], role: str) -> Participant:
    address = who.get("email") or who.get("userPrincipalName") or who.get("id") or who.get("displayName")
    return Participant(
        str(address).lower() if "@" in str(address) else str(address), str(who.get("displayName") or ""), role
    )


def _card_text(value: Any) -> list[str]:
    """Every ``text``/``title`` string in an Adaptive Card or message reference, depth first."""
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("text", "title", "messagePreview", "subtitle") and isinstance(item, str):
                out.append(item)
            else:
                out.extend(_card_text(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_card_text(item))
    return out


def _attachments(items: Any) -> tuple[Attachment, ...]:
    out = []
    for att in items if isinstance(items, list) else []:
        if not isinstance(att, dict):
            continue
        ctype = str(att.get("contentType") or "application/octet-stream")
        name = str(att.get("name") or att.get("id") or "attachment")
        if ctype == "reference":
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        ref = Attachment.reference(name, ctype, None, att.get("contentUrl"))
        content = att.get("content")
        text = ""
        if isinstance(content, str) and content:
            try:
                text = normalise_text("\n".join(_card_text(json.loads(content))))
            except ValueError:
                text = html_to_text(content) if "<" in content else normalise_text(content)
        out.append(Attachment(ref.name, ref.content_type, None, None, None, text, ref.url))
    return tuple(out)


def _message(obj: Any, raw: bytes, origin: str) -> ParsedItem:
    if not isinstance(obj, dict):
        return Quarantined(raw, origin, FORMAT, f"{origin}: chatMessage: not a JSON object")
    ident = obj.get("id")
    if not ident:
        return Quarantined(raw, origin, FORMAT, f"{origin}: id: missing")
    when = parse_iso(str(obj.get("createdDateTime") or ""))
    if when is None:
        return Quarantined(
            raw, origin, FORMAT, f"{origin}: createdDateTime: unparseable date {obj.get('createdDateTime')!r}"
        )
    who = _identity(obj.get("from"))
    kind = "chat"
    if who is None:
        if obj.get("messageType", "message") == "message":
            return Quarantined(raw, origin, FORMAT, f"{origin}: from: missing sender")
        who, kind = {"id": "teams:system", "displayName": "Microsoft Teams"}, "system"
    body = as_dict(obj.get("body"))
    content = str(body.get("content") or "")
    text = (
        html_to_text(content)
        if str(body.get("contentType", "")).lower() == "html"
        else normalise_text(content)
    )
    channel_identity = as_dict(obj.get("channelIdentity"))
    conversation = channel_identity.get("channelId") or obj.get("chatId")
    message_id = f"{conversation}:{ident}" if conversation else str(ident)
    if channel_identity.get("channelId"):
        thread_id: str | None = f"{conversation}:{obj.get('replyToId') or ident}"
    else:
        thread_id = str(conversation) if conversation else None
    mentions = []
    for mention in obj.get("mentions") or []:
        mentioned = _identity(mention.get("mentioned")) if isinstance(mention, dict) else None
        if mentioned is not None:
            mentions.append(_person(mentioned, "mention"))
    return Message(
        raw=raw,
        origin=origin,
        format=FORMAT,
        message_id=message_id,
        thread_id=thread_id,
        sent_at=when[0],
        sent_at_original=when[1],
        sender=_person(who, "from"),
        recipients=tuple(mentions),
        subject=str(obj.get("subject") or ""),
        body_text=text,
        attachments=_attachments(obj.get("attachments")),
        kind=kind,
        edited_from=message_id if obj.get("lastEditedDateTime") else None,
        deleted=bool(obj.get("deletedDateTime")),
        channel=str(conversation) if conversation else None,
    )
