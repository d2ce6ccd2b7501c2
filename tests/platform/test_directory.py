"""The firm directory as every module reads it: a person by any identity, and who supervises them."""

from __future__ import annotations

from pathlib import Path

from proctor.platform import Workspace
from proctor.platform.directory import Directory, EntrySpec, import_entries, import_hierarchy

PEOPLE = [
    EntrySpec(
        "dana@harborstreet.com",
        "person",
        "Dana Whitfield",
        roles=("registered_representative",),
        aliases=("d.whitfield@harborstreet.com",),
        external_id="E1042",
    ),
    EntrySpec("dana.bbg", "chat_account", "Dana on Bloomberg chat", owner="dana@harborstreet.com"),
    EntrySpec("lee@harborstreet.com", "person", "Lee Park", external_id="E1043"),
    EntrySpec("clientservice@harborstreet.com", "group_mailbox", "Client Service"),
]

HIERARCHY = """\
person,principal,delegates
dana@harborstreet.com,paula,ravi;rita
lee@harborstreet.com,carl,
"""


def _firm(ws: Workspace, tmp_path: Path) -> Directory:
    import_entries(ws, PEOPLE, "ada", "csv")
    (tmp_path / "supervision.csv").write_text(HIERARCHY, encoding="utf-8")
    import_hierarchy(ws, tmp_path / "supervision.csv", "ada")
    with ws.read() as conn:
        return Directory.load(conn)


def test_a_person_is_found_by_email_alias_employee_id_or_an_account_they_own(ws, tmp_path) -> None:
    firm = _firm(ws, tmp_path)
    for identity in ("dana@harborstreet.com", "D.Whitfield@harborstreet.com", "E1042", "dana.bbg"):
        found = firm.person(identity)
        assert found is not None and found.id == "dana@harborstreet.com", identity
    assert firm.entry("dana.bbg").kind == "chat_account"  # type: ignore[union-attr]
    assert firm.person("clientservice@harborstreet.com").owner is None  # type: ignore[union-attr]
    assert firm.person("nobody@harborstreet.com") is None


def test_supervisors_are_the_principal_then_the_delegates_and_a_principal_knows_whom_they_cover(
    ws, tmp_path
) -> None:
    firm = _firm(ws, tmp_path)
    assert firm.principal_of("E1042") == "paula"
    assert firm.supervisors_of("dana.bbg") == ["paula", "ravi", "rita"]
    assert firm.supervisors_of("lee@harborstreet.com") == ["carl"]
    assert firm.supervisors_of("clientservice@harborstreet.com") == []
    assert firm.covered_by("paula") == ["dana@harborstreet.com"]
    assert firm.covered_by("ravi") == []
