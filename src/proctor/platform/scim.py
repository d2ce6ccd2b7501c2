"""Reading the firm directory from a SCIM 2.0 export (RFC 7643 Users and Groups).

Identity providers (Entra ID, Okta, OneLogin) and many SaaS platforms speak SCIM, so the list of
people and accounts can come straight from the system of record instead of a hand-kept sheet.
The mapping is deliberately plain:

- a **User** is an entry under its primary e-mail (else its first e-mail, else a ``userName``
  that is an address); other e-mails become aliases; ``active`` is kept; ``roles[].value`` are
  roles. ``userType`` says what kind of account it is (``Employee`` and anything unrecognised mean
  a person; ``Shared Mailbox``, ``Customer Service``, ``Chat`` name the account kinds);
- a **Group** grants its members the role named by its ``displayName`` (lower case, spaces as
  ``_``), so "Registered Representatives" in the identity provider is the policy role
  ``registered_representatives``; a Group that carries ``emails`` is also a group mailbox;
- the extension ``urn:proctor:params:scim:schemas:extension:account:1.0`` may set ``kind``,
  ``platform`` (the capture source of a customer-service or chat account) and ``owner``.

Errors name the file and the resource's position and attribute (``Resources[3].emails``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from proctor.core.errors import InputError
from proctor.platform.directory import EntrySpec
from proctor.platform.tables import ENTRY_KINDS

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ACCOUNT_EXT = "urn:proctor:params:scim:schemas:extension:account:1.0"

USER_TYPES = {
    "shared mailbox": "mailbox",
    "shared_mailbox": "mailbox",
    "group mailbox": "group_mailbox",
    "group_mailbox": "group_mailbox",
    "customer service": "customer_service_account",
    "customer-service": "customer_service_account",
    "customer_service": "customer_service_account",
    "customer_service_account": "customer_service_account",
    "chat": "chat_account",
    "chat_account": "chat_account",
}


def role_name(display: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", display.strip().lower()).strip("_")


def _resources(doc: Any, file: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(path, resource) for a ListResponse, a bare list, a single resource or {Users, Groups}."""
    if isinstance(doc, list):
        items: list[tuple[str, Any]] = [(f"[{i}]", r) for i, r in enumerate(doc)]
    elif isinstance(doc, Mapping) and "Resources" in doc:
        if not isinstance(doc["Resources"], list):
            raise InputError("expected a list", file=file, field="Resources")
        items = [(f"Resources[{i}]", r) for i, r in enumerate(doc["Resources"])]
    elif isinstance(doc, Mapping) and ("Users" in doc or "Groups" in doc):
        items = [(f"{key}[{i}]", r) for key in ("Users", "Groups") for i, r in enumerate(doc.get(key) or [])]
    elif isinstance(doc, Mapping) and "schemas" in doc:
        items = [("(document)", doc)]
    else:
        raise InputError(
            "not a SCIM export: expected a ListResponse, a list of resources, or Users/Groups", file=file
        )
    for path, item in items:
        if not isinstance(item, Mapping):
            raise InputError(f"expected a SCIM resource, got {type(item).__name__}", file=file, field=path)
    return items


def _text(resource: Mapping[str, Any], key: str, file: str, path: str, required: bool = False) -> str:
    value = resource.get(key)
    if value is None or value == "":
        if required:
            raise InputError("is required", file=file, field=f"{path}.{key}")
        return ""
    if not isinstance(value, str):
        raise InputError(f"expected text, got {type(value).__name__}", file=file, field=f"{path}.{key}")
    return value.strip()


def _emails(resource: Mapping[str, Any], file: str, path: str) -> list[str]:
    """E-mail values, the primary one first."""
    raw = resource.get("emails") or []
    if not isinstance(raw, list):
        raise InputError("expected a list of e-mails", file=file, field=f"{path}.emails")
    out: list[tuple[bool, str]] = []
    for i, item in enumerate(raw):
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("value"), str)
            or "@" not in item["value"]
        ):
            raise InputError("expected {value: address}", file=file, field=f"{path}.emails[{i}]")
        out.append((not bool(item.get("primary")), item["value"].strip().lower()))
    return [address for _, address in sorted(out, key=lambda p: p[0])]


def _extension(resource: Mapping[str, Any], file: str, path: str) -> Mapping[str, Any]:
    ext = resource.get(ACCOUNT_EXT) or {}
    if not isinstance(ext, Mapping):
        raise InputError("expected an object", file=file, field=f"{path}.{ACCOUNT_EXT}")
    kind = ext.get("kind")
    if kind is not None and kind not in ENTRY_KINDS:
        raise InputError(
            f"{kind!r} is not one of {', '.join(ENTRY_KINDS)}", file=file, field=f"{path}.{ACCOUNT_EXT}.kind"
        )
    return ext


def _user(resource: Mapping[str, Any], file: str, path: str) -> tuple[str, dict[str, Any]]:
    scim_id = _text(resource, "id", file, path, required=True)
    user_name = _text(resource, "userName", file, path, required=True)
    emails = _emails(resource, file, path)
    if not emails and "@" in user_name:
        emails = [user_name.lower()]
    if not emails:
        raise InputError(
            "has no e-mail address and its userName is not one; the directory needs the address "
            "under which this account's communications are captured",
            file=file,
            field=f"{path}.emails",
        )
    name = resource.get("name")
    formatted = str(name.get("formatted") or "") if isinstance(name, Mapping) else ""
    display = _text(resource, "displayName", file, path) or formatted or user_name
    roles = resource.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, Mapping) and r.get("value") for r in roles):
        raise InputError("expected a list of {value: role}", file=file, field=f"{path}.roles")
    ext = _extension(resource, file, path)
    user_type = _text(resource, "userType", file, path).lower()
    active = resource.get("active", True)
    if not isinstance(active, bool):
        raise InputError("expected true or false", file=file, field=f"{path}.active")
    return scim_id, {
        "id": emails[0],
        "kind": ext.get("kind") or USER_TYPES.get(user_type, "person"),
        "display_name": display,
        "owner": ext.get("owner"),
        "roles": [str(r["value"]) for r in roles],
        "aliases": emails[1:],
        "platform": ext.get("platform"),
        "active": active,
        "external_id": scim_id,
        "groups": [g.get("display") for g in resource.get("groups") or [] if isinstance(g, Mapping)],
        "path": path,
    }


def read_scim(data: bytes, file: str) -> list[EntrySpec]:
    """Directory entries from a SCIM 2.0 export (see the module docstring for the mapping)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", file=file) from None
    users: dict[str, dict[str, Any]] = {}
    groups: list[tuple[str, Mapping[str, Any]]] = []
    for path, resource in _resources(doc, file):
        schemas = resource.get("schemas") or []
        if USER in schemas:
            scim_id, user = _user(resource, file, path)
            if scim_id in users:
                raise InputError(f"user id {scim_id!r} appears twice", file=file, field=f"{path}.id")
            users[scim_id] = user
        elif GROUP in schemas:
            groups.append((path, resource))
        elif LIST not in schemas:
            raise InputError("neither a SCIM User nor a Group", file=file, field=f"{path}.schemas")
    specs: list[EntrySpec] = []
    for path, group in groups:
        display = _text(group, "displayName", file, path, required=True)
        members = group.get("members") or []
        if not isinstance(members, list):
            raise InputError("expected a list of members", file=file, field=f"{path}.members")
        for member in members:
            found = users.get(str(member.get("value"))) if isinstance(member, Mapping) else None
            if found is not None:  # members outside this export cannot be given the role here
                found["groups"].append(display)
        emails = _emails(group, file, path)
        if emails:
            ext = _extension(group, file, path)
            specs.append(
                EntrySpec(
                    id=emails[0],
                    kind=ext.get("kind") or "group_mailbox",
                    display_name=display,
                    owner=ext.get("owner"),
                    aliases=tuple(emails[1:]),
                    platform=ext.get("platform"),
                    external_id=_text(group, "id", file, path) or None,
                    where={"file": f"{file} {path}"},
                )
            )
    for user in users.values():
        roles = {*user["roles"], *(role_name(g) for g in user["groups"] if g)}
        owner = user["owner"]
        if owner in users:  # the owner may be named by SCIM id rather than by address
            owner = users[owner]["id"]
        specs.append(
            EntrySpec(
                id=user["id"],
                kind=user["kind"],
                display_name=user["display_name"],
                owner=owner,
                roles=tuple(sorted(roles)),
                aliases=tuple(user["aliases"]),
                platform=user["platform"],
                active=user["active"],
                external_id=user["external_id"],
                where={"file": f"{file} {user['path']}"},
            )
        )
    for spec in specs:
        spec.validate()
    return specs
