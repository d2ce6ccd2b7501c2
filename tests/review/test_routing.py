"""The supervision hierarchy and routing: delegates by workload, never a party to the message."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.core.errors import InputError
from proctor.core.roles import Role, User
from proctor.platform import Workspace
from proctor.platform.directory import Hierarchy, hierarchy_rows, import_hierarchy
from proctor.review.routing import plan_route, route_pending
from proctor.review.run import select
from proctor.review.tables import items
from tests.review.review_support import build_desk, item_for

USERS = {
    "paula": User("paula", Role.PRINCIPAL, identities=frozenset({"paula@harborstreet.com"})),
    "ravi": User("ravi", Role.REVIEWER, identities=frozenset({"ravi@harborstreet.com"})),
    "rita": User("rita", Role.REVIEWER, identities=frozenset({"rita@harborstreet.com"})),
}
DESK = Hierarchy(
    principal_of={"dana@harborstreet.com": "paula", "lee@harborstreet.com": "paula"},
    delegates_of={"paula": ["ravi", "rita"]},
)


def route(participants: list[str], workload: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
    return plan_route(
        ["dana@harborstreet.com"], participants[0], participants, DESK, USERS, Counter(workload or {})
    )


def test_the_delegate_with_fewest_open_items_gets_it() -> None:
    chosen = route(["dana@harborstreet.com", "jane@gmail.example"], {"ravi": 4, "rita": 2})
    assert (chosen.principal, chosen.assignee, chosen.unusual) == ("paula", "rita", False)
    assert chosen.reason == "delegate of paula with the fewest open review items (2)"


def test_a_delegate_who_received_the_message_is_skipped() -> None:
    chosen = route(["dana@harborstreet.com", "rita@harborstreet.com"], {"ravi": 9, "rita": 0})
    assert chosen.assignee == "ravi"
    assert chosen.reason.endswith("skipped rita (sent or received the message)")


def test_when_every_delegate_took_part_it_stays_with_the_principal_and_says_why() -> None:
    chosen = route(["dana@harborstreet.com", "ravi@harborstreet.com", "RITA@harborstreet.com"])
    assert (chosen.assignee, chosen.unusual) == ("paula", True)
    assert chosen.reason == (
        "kept with principal paula: delegates skipped: ravi (sent or received the message), "
        "rita (sent or received the message)"
    )


def test_when_the_principal_took_part_too_nobody_on_the_team_may_review_it() -> None:
    people = [
        "dana@harborstreet.com",
        "paula@harborstreet.com",
        "ravi@harborstreet.com",
        "rita@harborstreet.com",
    ]
    chosen = route(people)
    assert chosen.assignee is None
    assert "another principal must review it" in chosen.reason


def test_a_person_without_a_designated_principal_is_left_for_manual_assignment() -> None:
    chosen = plan_route(
        ["kim@harborstreet.com"], "kim@harborstreet.com", ["kim@harborstreet.com"], DESK, USERS, Counter()
    )
    assert chosen.assignee is None and chosen.principal is None
    assert chosen.reason == "no designated principal for kim@harborstreet.com; assign it by hand"


def test_the_hierarchy_file_is_checked_row_by_row(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "supervision.csv"
    head = "person,principal,delegates\n"
    cases = [
        (head + "dana@harborstreet.com,nobody,ravi\n", "row 2, field 'principal': no user named 'nobody'"),
        (head + "dana@harborstreet.com,ravi,rita\n", "cannot supervise"),
        (head + "dana@harborstreet.com,paula,otto\n", r"otto \(auditor\) does not review"),
        (head + "dana@harborstreet.com,paula,\ndana@harborstreet.com,carl,\n", "row 3"),
        ("person,boss\ndana@harborstreet.com,paula\n", "row 1"),
    ]
    for text, message in cases:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            import_hierarchy(ws, path, "ada")
    with ws.read() as conn:
        assert hierarchy_rows(conn) == []


def test_an_import_replaces_the_hierarchy_and_journals_the_changes(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "supervision.csv"
    path.write_text(
        "person,principal,delegates\ndana@harborstreet.com,paula,ravi;rita\nlee@harborstreet.com,paula,\n",
        encoding="utf-8",
    )
    first = import_hierarchy(ws, path, "ada")
    assert (first["added"], first["delegates_added"]) == (2, 2)
    path.write_text("person,principal,delegates\nDana@harborstreet.com,carl,rita\n", encoding="utf-8")
    second = import_hierarchy(ws, path, "ada")
    assert (second["changed"], second["removed"], second["delegates_added"], second["delegates_removed"]) == (
        1,
        1,
        1,
        2,
    )
    with ws.read() as conn:
        assert hierarchy_rows(conn) == [
            {"person": "dana@harborstreet.com", "principal": "carl", "delegates": "rita"}
        ]


def test_items_selected_before_the_hierarchy_existed_are_routed_later(ws: Workspace, tmp_path: Path) -> None:
    desk = build_desk(ws, tmp_path / "desk")
    (tmp_path / "none.csv").write_text("person,principal,delegates\n", encoding="utf-8")
    import_hierarchy(ws, tmp_path / "none.csv", "ada")
    run = select(ws, "paula")
    assert run.routing == {"routed": 0, "unassigned": 4}
    guarantee = item_for(ws, desk.ids["guarantee"])
    assert guarantee is not None and guarantee["assignee"] is None
    assert ws.alerts.notes(guarantee["id"])[0]["text"].startswith("Routing: no designated principal")
    import_hierarchy(ws, desk.root / "supervision.csv", "ada")
    assert route_pending(ws, "paula") == {"routed": 4, "unassigned": 0}
    with ws.read() as conn:
        assert {r for (r,) in conn.execute(sa.select(items.c.principal))} == {"paula"}
