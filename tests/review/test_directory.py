"""The firm directory from CSV and from a SCIM 2.0 export of the identity provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proctor.core.errors import InputError
from proctor.platform import Workspace
from proctor.platform.directory import import_directory, list_entries, person_directory
from proctor.platform.scim import ACCOUNT_EXT, GROUP, LIST, USER, read_scim

SCIM_EXPORT = {
    "schemas": [LIST],
    "totalResults": 5,
    "Resources": [
        {
            "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "userName": "dwhitfield",
            "name": {"formatted": "Dana Whitfield"},
            "emails": [
                {"value": "d.whitfield@harborstreet.com", "type": "other"},
                {"value": "Dana.Whitfield@harborstreet.com", "type": "work", "primary": True},
            ],
            "roles": [{"value": "branch_manager"}],
            "active": True,
        },
        {
            "schemas": [USER],
            "id": "902c246b-6245-4190-8e05-00816be7344a",
            "userName": "lee.park@harborstreet.com",
            "displayName": "Lee Park",
            "active": False,
        },
        {
            "schemas": [USER, ACCOUNT_EXT],
            "id": "svc-17",
            "userName": "agent7",
            "displayName": "Help desk login 7",
            "userType": "Customer Service",
            "emails": [{"value": "agent7@harborstreet.zendesk.example", "primary": True}],
            ACCOUNT_EXT: {"platform": "zendesk.support", "owner": "2819c223-7f76-453a-919d-413861904646"},
        },
        {
            "schemas": [GROUP],
            "id": "g-reps",
            "displayName": "Registered Representatives",
            "members": [
                {"value": "2819c223-7f76-453a-919d-413861904646"},
                {"value": "someone-outside-this-export"},
            ],
        },
        {
            "schemas": [GROUP],
            "id": "g-cs",
            "displayName": "Client Service",
            "emails": [{"value": "clientservice@harborstreet.com", "primary": True}],
            "members": [],
        },
    ],
}


def test_scim_users_and_groups_become_people_accounts_roles_and_group_mailboxes(tmp_path: Path) -> None:
    specs = {s.id: s for s in read_scim(json.dumps(SCIM_EXPORT).encode(), "idp-export.json")}
    dana = specs["dana.whitfield@harborstreet.com"]
    assert (dana.kind, dana.display_name, dana.aliases) == (
        "person",
        "Dana Whitfield",
        ("d.whitfield@harborstreet.com",),
    )
    assert dana.roles == ("branch_manager", "registered_representatives")
    assert specs["lee.park@harborstreet.com"].active is False
    agent = specs["agent7@harborstreet.zendesk.example"]
    assert (agent.kind, agent.platform, agent.owner) == (
        "customer_service_account",
        "zendesk.support",
        "dana.whitfield@harborstreet.com",
    )
    group = specs["clientservice@harborstreet.com"]
    assert (group.kind, group.display_name, group.external_id) == ("group_mailbox", "Client Service", "g-cs")


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (
            {"schemas": [USER], "id": "u1", "userName": "nomail"},
            r"Resources\[0\]\.emails'.*no e-mail address",
        ),
        ({"schemas": [USER], "id": "u1"}, r"Resources\[0\]\.userName': is required"),
        ({"schemas": ["urn:example:Device"], "id": "d1"}, r"Resources\[0\]\.schemas'"),
        ({"schemas": [GROUP], "id": "g1"}, r"Resources\[0\]\.displayName'"),
        (
            {
                "schemas": [USER, ACCOUNT_EXT],
                "id": "u1",
                "userName": "a@b.example",
                ACCOUNT_EXT: {"kind": "robot"},
            },
            r"'robot' is not one of",
        ),
    ],
)
def test_a_bad_scim_resource_is_named_by_its_position(resource: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_scim(json.dumps({"schemas": [LIST], "Resources": [resource]}).encode(), "idp.json")


def test_a_directory_csv_is_checked_cell_by_cell(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "directory.csv"
    cases = [
        ("id,kind\ndana@harborstreet.com,robot\n", "row 2, field 'kind'"),
        ("id,kind\ndana @harborstreet.com,person\n", "row 2, field 'id'"),
        ("id,kind,active\ndana@harborstreet.com,person,maybe\n", "row 2, field 'active'"),
        ("id,kind,team\ndana@harborstreet.com,person,desk\n", "unknown column"),
        ("id,kind,owner\ndesk@harborstreet.com,person,dana@harborstreet.com\n", "a person is not owned"),
        ("id,kind\ndana@harborstreet.com,person\nDANA@harborstreet.com,mailbox\n", "appears twice"),
    ]
    for text, message in cases:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            import_directory(ws, path, "ada")
    with ws.read() as conn:
        assert list_entries(conn) == []


def test_imports_add_change_and_with_a_full_export_deactivate(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(
        "id,kind,display_name,owner,roles\n"
        "dana@harborstreet.com,person,Dana Whitfield,,registered_representative\n"
        "dana.chat,chat_account,Dana on Slack,dana@harborstreet.com,\n"
        "clientservice@harborstreet.com,group_mailbox,Client Service,,\n",
        encoding="utf-8",
    )
    assert import_directory(ws, path, "ada")["added"] == [
        "dana@harborstreet.com",
        "dana.chat",
        "clientservice@harborstreet.com",
    ]
    with ws.read() as conn:
        people = person_directory(list_entries(conn))
    assert people == {
        "dana@harborstreet.com": ["registered_representative"],
        "dana.chat": ["registered_representative"],
    }, "a group mailbox is never an associated person"
    path.write_text("id,kind,display_name\ndana@harborstreet.com,person,Dana W.\n", encoding="utf-8")
    result = import_directory(ws, path, "ada", deactivate_missing=True)
    assert (result["changed"], sorted(result["deactivated"])) == (
        ["dana@harborstreet.com"],
        ["clientservice@harborstreet.com", "dana.chat"],
    )
    with ws.read() as conn:
        assert [e["id"] for e in list_entries(conn)] == ["dana@harborstreet.com"]
        assert len(list_entries(conn, include_inactive=True)) == 3


def test_a_scim_file_imports_through_the_same_path(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "idp-export.json"
    path.write_text(json.dumps(SCIM_EXPORT), encoding="utf-8")
    result = import_directory(ws, path, "ada")
    assert result["format"] == "scim" and len(result["added"]) == 4
    with ws.read() as conn:
        rows = {e["id"]: e for e in list_entries(conn, include_inactive=True)}
    assert rows["agent7@harborstreet.zendesk.example"]["origin"] == "scim"
    assert rows["dana.whitfield@harborstreet.com"]["external_id"] == "2819c223-7f76-453a-919d-413861904646"
