"""Slack workspace export (zip): ``users.json``, ``channels.json``, ``<channel>/<YYYY-MM-DD>.json``.

Each message object in a daily file is one item. Its record bytes are the object exactly as the
export wrote it, wrapped with the channel folder it came from::

    {"slack_channel":"general","message":<the object, byte for byte>}

because a Slack message on its own does not say which channel it was in, and ``ts`` is only
unique within a channel. Edits and deletions that the export carries as their own events
(``subtype`` ``message_changed`` / ``message_deleted``) are their own items that reference the
original through ``edited_from``; a message exported with an ``edited`` mark is its final text
and references itself the same way. Threads use ``thread_ts``. Files are attachments: with bytes
when the export contains them (``__uploads/<file id>/``), otherwise by reference.

A member that is neither metadata, a daily file nor an upload is quarantined, as is a daily
file that is not JSON or stops being JSON part-way (the unread remainder is kept whole), and an
upload no message refers to. Metadata files are listed as "not a message". Two members with the
same name are both read (the second's origin says ``(copy 2)``).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from proctor.comms.formats._archive import Archive, MemberError
from proctor.comms.formats._files import shielded
from proctor.comms.formats._jsonspans import SpanError, as_dict, decode, iter_array, raw_bytes
from proctor.comms.formats._text import attachment_text, from_epoch, normalise_text
from proctor.comms.model import (
    Attachment,
    Listed,
    Message,
    ParsedItem,
    ParseOptions,
    Participant,
    Quarantined,
    listed,
)

FORMAT = "slack"
METADATA = frozenset(
    (
        "users.json",
        "channels.json",
        "groups.json",
        "dms.json",
        "mpims.json",
        "org_users.json",
        "integration_logs.json",
        "canvases.json",
        "huddle_transcripts.json",
    )
)
_DAY_FILE = re.compile(r"^([^/]+)/(\d{4}-\d{2}-\d{2})\.json$")
_USER_REF = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)[^>]*>")


class _Export:
    """The workspace context the daily files refer to: who each user is, who is in each channel."""

    def __init__(self, zf: Archive, prefix: str, found: list[Quarantined | Listed], path: Path) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[str]] = {}
        self.uploads: dict[str, str] = {}
        self.used: set[str] = set()
        names = zf.names()
        for index, member in enumerate(names):
            meta = member[len(prefix) :] if member.startswith(prefix) else ""
            if meta not in METADATA:
                continue
            origin = f"{path}:{member}" + (f" (copy {zf.copy(index)})" if zf.copy(index) > 1 else "")
            try:
                raw = zf.read_at(index)
            except MemberError as exc:
                found.append(Quarantined(b"", origin, FORMAT, f"{origin}: {exc}"))
                continue
            try:
                data = json.loads(decode(raw))
            except (ValueError, RecursionError) as exc:
                reason = f"{origin}: not valid JSON ({type(exc).__name__}); export context from it is missing"
                found.append(Quarantined(raw, origin, FORMAT, reason))
                continue
            found.append(listed(raw, origin, FORMAT, f"workspace metadata ({meta}), not a message"))
            if not isinstance(data, list):
                continue
            if meta in ("users.json", "org_users.json"):
                self.users.update(
                    {u["id"]: u for u in data if isinstance(u, dict) and isinstance(u.get("id"), str)}
                )
            else:
                for channel in data:
                    if isinstance(channel, dict):
                        folder = channel.get("name") or channel.get("id")
                        members = channel.get("members")
                        if isinstance(folder, (str, int)) and folder:
                            listed_members = members if isinstance(members, list) else []
                            self.members[str(folder)] = [
                                str(m) for m in listed_members if isinstance(m, (str, int))
                            ]
        for name in names:
            rest = name[len(prefix) :]
            if rest.startswith("__uploads/") and not name.endswith("/"):
                parts = rest.split("/")
                if len(parts) >= 3:
                    self.uploads.setdefault(parts[1], name)

    def person(self, user_id: str, role: str, profile: dict[str, Any] | None = None) -> Participant:
        user = as_dict(self.users.get(user_id))
        prof = as_dict(user.get("profile")) or as_dict(profile)
        email = prof.get("email") or ""
        name = prof.get("real_name") or user.get("real_name") or prof.get("display_name") or user.get("name")
        return Participant(str(email).lower() if email else user_id, str(name or ""), role)

    def display(self, user_id: str) -> str:
        user = as_dict(self.users.get(user_id))
        prof = as_dict(user.get("profile"))
        return str(prof.get("display_name") or user.get("name") or prof.get("real_name") or user_id)


def _find_prefix(names: list[str]) -> str:
    """Exports re-zipped from a folder put everything under one directory; find it."""
    for meta in ("channels.json", "users.json"):
        for name in names:
            if name == meta or name.endswith("/" + meta):
                return name[: -len(meta)]
    return ""


def mrkdwn_to_text(text: str, export: _Export | None = None) -> str:
    """Slack's markup to what a reader sees: ``<@U1>`` to ``@name``, links to their label."""

    def user(match: re.Match[str]) -> str:
        return "@" + (match.group(2) or (export.display(match.group(1)) if export else match.group(1)))

    text = _USER_REF.sub(user, text)
    text = _CHANNEL_REF.sub(lambda m: "#" + m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    return normalise_text(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def iter_items(path: Path, options: ParseOptions | None = None) -> Iterator[ParsedItem]:
    limits = (options or ParseOptions()).limits
    try:
        zf = Archive(path, limits)
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:
        raw = path.read_bytes() if path.is_file() else b""
        yield Quarantined(raw, str(path), FORMAT, f"{path}: not a readable zip archive or folder: {exc}")
        return
    with zf:
        names = zf.names()
        prefix = _find_prefix(names)
        context: list[Quarantined | Listed] = []
        export = _Export(zf, prefix, context, path)
        yield from context
        for index, member in enumerate(names):
            rest = member[len(prefix) :] if member.startswith(prefix) else None
            if rest in METADATA or (rest or "").startswith("__uploads/"):
                continue
            origin = f"{path}:{member}" + (f" (copy {zf.copy(index)})" if zf.copy(index) > 1 else "")
            try:
                raw = zf.read_at(index)
            except MemberError as exc:
                yield Quarantined(b"", origin, FORMAT, f"{origin}: {exc}")
                continue
            match = _DAY_FILE.match(rest or "")
            if match is None:
                reason = f"{origin}: not a Slack channel daily file (<channel>/<YYYY-MM-DD>.json)"
                yield Quarantined(raw, origin, FORMAT, reason)
                continue
            yield from _day_file(raw, zf, match.group(1), origin, export, limits.max_depth)
        yield from _unreferenced_uploads(zf, prefix, path, export)


def _unreferenced_uploads(zf: Archive, prefix: str, path: Path, export: _Export) -> Iterator[Quarantined]:
    """Uploads no message names: a file someone sent whose message is not in the export."""
    for index, member in enumerate(zf.names()):
        rest = member[len(prefix) :] if member.startswith(prefix) else ""
        if not rest.startswith("__uploads/") or (member in export.used and zf.copy(index) == 1):
            continue
        origin = f"{path}:{member}" + (f" (copy {zf.copy(index)})" if zf.copy(index) > 1 else "")
        try:
            raw = zf.read_at(index)
        except MemberError as exc:
            yield Quarantined(b"", origin, FORMAT, f"{origin}: {exc}")
            continue
        reason = f"{origin}: uploaded file that no message in the export refers to"
        yield Quarantined(raw, origin, FORMAT, reason)


def _day_file(
    raw: bytes, zf: Archive, folder: str, origin: str, export: _Export, max_depth: int
) -> Iterator[ParsedItem]:
    text = decode(raw)
    start = len(text) - len(text.lstrip())
    wrapper = b'{"slack_channel":' + json.dumps(folder).encode() + b',"message":'
    try:
        for span in iter_array(text, start, max_depth):
            item_origin = f"{origin}#{span.index + 1}"
            item_raw = wrapper + raw_bytes(span.text) + b"}"
            if span.error is not None:
                yield Quarantined(item_raw, item_origin, FORMAT, f"{item_origin}: {span.error}")
                continue
            yield shielded(
                item_raw, item_origin, FORMAT, _message, span.value, item_raw, item_origin, folder, zf, export
            )
    except SpanError as exc:
        rest = raw_bytes(text[exc.resume :])
        undecodable = not _decodable(text, exc.position)
        reason = f"{origin}: not UTF-8 JSON: {exc}" if undecodable else f"{origin}: {exc}"
        yield Quarantined(rest or raw, f"{origin}@{exc.resume}", FORMAT, reason)


def _decodable(text: str, position: int) -> bool:
    try:
        text[position : position + 1].encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _files(files: list[Any], zf: Archive, export: _Export) -> tuple[Attachment, ...]:
    out = []
    for f in files:
        if not isinstance(f, dict):
            continue
        name = str(f.get("name") or f.get("title") or f.get("id") or "file")
        ctype = str(f.get("mimetype") or "application/octet-stream")
        member = export.uploads.get(str(f.get("id")))
        data = None
        if member is not None:
            export.used.add(member)
            try:
                data = zf.read(member)
            except MemberError:
                data = None  # the reference below still records the file; its bytes are missing
        if data is not None:
            out.append(Attachment.from_bytes(name, ctype, data, attachment_text(name, ctype, data)))
        else:
            size = f.get("size")
            ref = Attachment.reference(
                name, ctype, size if isinstance(size, int) else None, f.get("url_private")
            )
            preview = f.get("preview") or f.get("plain_text")
            if isinstance(preview, str) and preview:
                ref = Attachment(
                    ref.name, ref.content_type, ref.size, None, None, normalise_text(preview), ref.url
                )
            out.append(ref)
    return tuple(out)


def _message(obj: Any, raw: bytes, origin: str, folder: str, zf: Archive, export: _Export) -> ParsedItem:
    if not isinstance(obj, dict):
        return Quarantined(raw, origin, FORMAT, f"{origin}: message: not a JSON object")
    ts = obj.get("ts")
    try:
        sent_at, original = from_epoch(float(str(ts)))
    except (TypeError, ValueError, OverflowError, OSError):
        return Quarantined(raw, origin, FORMAT, f"{origin}: ts: not a Slack timestamp ({ts!r})")
    subtype = obj.get("subtype")
    body: dict[str, Any] = obj
    edited_from = None
    deleted = False
    if subtype == "message_changed" and isinstance(obj.get("message"), dict):
        body = obj["message"]
        edited_from = f"{folder}:{body.get('ts')}"
    elif subtype == "message_deleted":
        body = as_dict(obj.get("previous_message")) or obj
        edited_from = f"{folder}:{obj.get('deleted_ts') or body.get('ts')}"
        deleted = True
    elif isinstance(obj.get("edited"), dict):
        edited_from = f"{folder}:{ts}"
    user_id = body.get("user") or obj.get("user")
    if user_id:
        sender = export.person(str(user_id), "from", body.get("user_profile"))
    elif body.get("bot_id") or body.get("username"):
        bot = body.get("bot_profile") or {}
        sender = Participant(
            str(body.get("bot_id") or body.get("username")),
            str(body.get("username") or bot.get("name") or ""),
            "from",
        )
    else:
        return Quarantined(raw, origin, FORMAT, f"{origin}: user: missing sender")
    text_parts = [mrkdwn_to_text(str(body.get("text") or ""), export)]
    for legacy in body.get("attachments") or []:
        if isinstance(legacy, dict):
            text_parts.append(mrkdwn_to_text(str(legacy.get("text") or legacy.get("fallback") or ""), export))
    members = export.members.get(folder, [])
    recipients = tuple(export.person(m, "member") for m in members if m != user_id)
    thread_ts = body.get("thread_ts")
    return Message(
        raw=raw,
        origin=origin,
        format=FORMAT,
        message_id=f"{folder}:{ts}",
        thread_id=f"{folder}:{thread_ts}" if thread_ts else None,
        sent_at=sent_at,
        sent_at_original=original,
        sender=sender,
        recipients=recipients,
        subject="",
        body_text=normalise_text("\n".join(p for p in text_parts if p)),
        attachments=_files(body.get("files") or [], zf, export),
        kind="chat",
        edited_from=edited_from,
        deleted=deleted,
        channel=folder,
    )
