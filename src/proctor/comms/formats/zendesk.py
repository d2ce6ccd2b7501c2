"""Zendesk ticket exports (JSON): every ticket comment is one item, the ticket is its thread.

Accepts the account data export (JSON Lines, one ticket per line with its ``comments``), an API
page ``{"tickets": [...], "users": [...]}`` with side-loaded users, or a plain array of tickets.
The record bytes of a comment are the comment object exactly as exported, wrapped with its
ticket number (a comment does not name its ticket)::

    {"zendesk_ticket":4711,"comment":<the comment, byte for byte>}

The author is the side-loaded user (so the direction can be told from the e-mail domain), else
the e-mail sender Zendesk recorded in ``via.source.from``, else ``zendesk:user:<id>``.
Recipients are the requester (on public replies), the assignee and the CCs, minus the author.
A ticket without a ``comments`` array is quarantined whole: its conversation is not in the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from proctor.comms.formats._files import empty, read_file, shielded
from proctor.comms.formats._jsonspans import (
    SpanError,
    as_dict,
    decode,
    find_member_array,
    find_member_arrays,
    iter_array,
    iter_documents,
    raw_bytes,
    skip_value,
)
from proctor.comms.formats._text import html_to_text, normalise_text, parse_iso
from proctor.comms.model import (
    Attachment,
    Message,
    ParsedItem,
    ParseOptions,
    Participant,
    Quarantined,
    listed,
)

FORMAT = "zendesk"


def _users(text: str) -> dict[Any, dict[str, Any]]:
    start = find_member_array(text, "users")
    if start is None:
        return {}
    users: dict[Any, dict[str, Any]] = {}
    try:
        for span in iter_array(text, start):
            if isinstance(span.value, dict) and isinstance(span.value.get("id"), (int, str)):
                users[span.value["id"]] = span.value
    except SpanError:
        pass  # the tickets walk reports the same fault and quarantines the unread text
    return users


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    data = read_file(path, FORMAT)
    if not isinstance(data, bytes):
        yield data
        return
    blank = empty(data, str(path), FORMAT)
    if blank is not None:
        yield blank
        return
    text = decode(data)
    users = _users(text)
    for span in iter_documents(text, ("tickets",)):
        origin = f"{path}#{span.locator}"
        if span.error is not None:
            yield Quarantined(raw_bytes(span.text), origin, FORMAT, f"{path}: {span.error}")
            continue
        yield from _ticket(span.value, span.text, origin, users)
    users_at = find_member_array(text, "users")
    if users_at is not None:
        side_load = raw_bytes(text[users_at : skip_value(text, users_at)])
        yield listed(side_load, f"{path}#users", FORMAT, "side-loaded users: who each author is")


def _ticket(ticket: Any, text: str, origin: str, users: dict[Any, dict[str, Any]]) -> Iterator[ParsedItem]:
    raw = raw_bytes(text)
    if not isinstance(ticket, dict):
        yield Quarantined(raw, origin, FORMAT, f"{origin}: ticket: not a JSON object")
        return
    ticket_id = ticket.get("id")
    if not isinstance(ticket_id, (int, str)) or isinstance(ticket_id, bool):
        yield Quarantined(raw, origin, FORMAT, f"{origin}: id: ticket has no id")
        return
    starts = find_member_arrays(text, "comments")
    if not starts:
        reason = f"{origin}: comments: ticket {ticket_id} has no comments array; export tickets with comments"
        yield Quarantined(raw, origin, FORMAT, reason)
        return
    wrapper = b'{"zendesk_ticket":' + json.dumps(ticket_id).encode() + b',"comment":'
    number = 0
    for start in starts:  # a ticket that names "comments" twice: both arrays are its comments
        try:
            for span in iter_array(text, start):
                number += 1
                item_origin = f"{origin}:ticket {ticket_id}#{number}"
                item_raw = wrapper + raw_bytes(span.text) + b"}"
                if span.error is not None:
                    yield Quarantined(item_raw, item_origin, FORMAT, f"{item_origin}: {span.error}")
                    continue
                yield shielded(
                    item_raw, item_origin, FORMAT, _comment, span.value, item_raw, item_origin, ticket, users
                )
        except SpanError as exc:  # cannot happen in a ticket that decoded, but never lose the rest
            rest = raw_bytes(text[exc.resume :])
            yield Quarantined(rest, f"{origin}@{exc.resume}", FORMAT, f"{origin}: {exc}")


def _person(user_id: Any, users: dict[Any, dict[str, Any]], role: str) -> Participant:
    user = users.get(user_id) or {}
    email = user.get("email")
    return Participant(
        str(email).lower() if email else f"zendesk:user:{user_id}", str(user.get("name") or ""), role
    )


def _comment(
    comment: Any, raw: bytes, origin: str, ticket: dict[str, Any], users: dict[Any, dict[str, Any]]
) -> ParsedItem:
    if not isinstance(comment, dict):
        return Quarantined(raw, origin, FORMAT, f"{origin}: comment: not a JSON object")
    when = parse_iso(str(comment.get("created_at") or ""))
    if when is None:
        return Quarantined(
            raw, origin, FORMAT, f"{origin}: created_at: unparseable date {comment.get('created_at')!r}"
        )
    via = as_dict(comment.get("via"))
    source_from = as_dict(as_dict(via.get("source")).get("from"))
    author = comment.get("author_id")
    if author is not None and (author in users or not source_from.get("address")):
        sender = _person(author, users, "from")
    elif source_from.get("address"):
        sender = Participant(str(source_from["address"]).lower(), str(source_from.get("name") or ""), "from")
    else:
        return Quarantined(raw, origin, FORMAT, f"{origin}: author_id: missing sender")
    public = comment.get("public", True) is not False
    recipients: list[Participant] = []
    seen = {author}
    for key, role, wanted in (("requester_id", "to", public), ("assignee_id", "to", True)):
        uid = ticket.get(key)
        if wanted and uid is not None and uid not in seen:
            recipients.append(_person(uid, users, role))
            seen.add(uid)
    for uid in (ticket.get("email_cc_ids") or []) + (ticket.get("collaborator_ids") or []):
        if uid not in seen:
            recipients.append(_person(uid, users, "cc"))
            seen.add(uid)
    body = comment.get("plain_body") or comment.get("body")
    text = normalise_text(str(body)) if body else html_to_text(str(comment.get("html_body") or ""))
    attachments = []
    for att in comment.get("attachments") or []:
        if isinstance(att, dict):
            size = att.get("size")
            attachments.append(
                Attachment.reference(
                    str(att.get("file_name") or att.get("id") or "attachment"),
                    str(att.get("content_type") or "application/octet-stream"),
                    size if isinstance(size, int) else None,
                    att.get("content_url"),
                )
            )
    ticket_id = ticket["id"]
    return Message(
        raw=raw,
        origin=origin,
        format=FORMAT,
        message_id=f"zendesk:{ticket_id}:{comment.get('id')}",
        thread_id=f"zendesk:{ticket_id}",
        sent_at=when[0],
        sent_at_original=when[1],
        sender=sender,
        recipients=tuple(recipients),
        subject=str(ticket.get("subject") or ticket.get("raw_subject") or ""),
        body_text=text,
        attachments=tuple(attachments),
        kind="ticket" if public else "ticket_note",
        channel=str(via.get("channel")) if via.get("channel") else None,
    )
