"""An admin keeps users' identities in the browser: the addresses that make self-review refusable.

Sam is a branch manager who is also a registered rep: his mailbox `sam.ortiz@harborstreet.com` is
his identity, so he is refused an alert about his own e-mail. The admin adds and removes identities
on the users page, through `ws.users` (what `proctor user identity` calls), each change journaled.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa

from proctor.core.alerts import AlertDraft, Severity, Subject
from proctor.platform import Workspace
from proctor.platform.directory import EntrySpec, import_entries
from proctor.store.schema import journal_events

from .conftest import TestClient, form

Clients = Callable[[str], tuple[TestClient, str]]


def identity_events(ws: Workspace, user: str) -> list[tuple[str, str]]:
    with ws.read() as conn:
        rows = conn.execute(
            sa.select(journal_events.c.event_type, journal_events.c.actor)
            .where(journal_events.c.event_type.like("user.identity_%"), journal_events.c.subject_id == user)
            .order_by(journal_events.c.seq)
        )
        return [(r.event_type, r.actor) for r in rows]


def alert_about(address: str) -> AlertDraft:
    return AlertDraft(
        control="comms.lexicon",
        rule_id="FINRA 2210(d)(1)(B)",
        rule_version="3",
        title=f"Promissory language from {address}",
        severity=Severity.MEDIUM,
        subjects=(Subject("person", address),),
        evidence={"mailbox": address},
    )


def user_row(page: str, name: str) -> str:
    found = re.search(r'<tr id="user-' + re.escape(name) + r'"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"{name} is listed"
    return found.group(1)


def test_the_users_page_lists_identities_with_whom_the_directory_knows_under_them(
    client_for: Clients, ws: Workspace
) -> None:
    import_entries(
        ws,
        [EntrySpec("sam.ortiz@harborstreet.com", "person", "Sam Ortiz", roles=("registered_rep",))],
        "ada",
        "csv",
    )
    ada, _ = client_for("ada")
    row = user_row(ada.get("/admin/users").text, "sam")
    assert "sam.ortiz@harborstreet.com" in row and "→ Sam Ortiz (person)" in row
    assert "Remove" in row and "Add identity" in row
    assert "not in the directory" not in row


def test_an_admin_adds_an_identity_and_self_review_is_then_refused(
    client_for: Clients, ws: Workspace
) -> None:
    ada, csrf = client_for("ada")
    answer = ada.post(
        "/admin/users/paula/identities", data=form(csrf, identity=" Paula.Reyes@HarborStreet.com ")
    )
    assert answer.status_code == 200 and "paula.reyes@harborstreet.com added to paula" in answer.text
    assert "paula.reyes@harborstreet.com" in user_row(answer.text, "paula")
    assert ws.users.get("paula").identities == frozenset({"paula.reyes@harborstreet.com"})
    assert identity_events(ws, "paula") == [("user.identity_added", "ada")]
    # the identity now refuses paula an alert about her own mailbox, as sam is refused his
    alert = ws.alerts.raise_alert(alert_about("paula.reyes@harborstreet.com"), actor="ada")
    paula, p_csrf = client_for("paula")
    refused = paula.post(f"/alerts/{alert}/assign", data=form(p_csrf, assignee="paula"))
    assert refused.status_code == 403 and "it concerns them" in refused.text


def test_an_admin_removes_an_identity_and_the_removal_is_journaled(
    client_for: Clients, ws: Workspace
) -> None:
    ada, csrf = client_for("ada")
    answer = ada.post(
        "/admin/users/sam/identities/remove", data=form(csrf, identity="sam.ortiz@harborstreet.com")
    )
    assert answer.status_code == 200 and "sam.ortiz@harborstreet.com removed from sam" in answer.text
    assert ws.users.get("sam").identities == frozenset()
    assert identity_events(ws, "sam") == [("user.identity_removed", "ada")]
    again = ada.post(
        "/admin/users/sam/identities/remove", data=form(csrf, identity="sam.ortiz@harborstreet.com")
    )
    assert again.status_code == 404


def test_one_identity_belongs_to_one_user_and_must_look_like_an_address(
    client_for: Clients, ws: Workspace
) -> None:
    ada, csrf = client_for("ada")
    taken = ada.post("/admin/users/paula/identities", data=form(csrf, identity="sam.ortiz@harborstreet.com"))
    assert taken.status_code == 400 and "already an identity of sam" in taken.text
    spaced = ada.post("/admin/users/paula/identities", data=form(csrf, identity="paula reyes"))
    assert spaced.status_code == 400 and "not an address or handle" in spaced.text
    twice = ada.post("/admin/users/sam/identities", data=form(csrf, identity="SAM.ORTIZ@harborstreet.com"))
    assert twice.status_code == 400 and "already has" in twice.text
    nobody = ada.post("/admin/users/nobody/identities", data=form(csrf, identity="x@harborstreet.com"))
    assert nobody.status_code == 404
    assert ws.users.get("paula").identities == frozenset()


def test_nobody_removes_an_identity_of_their_own(client_for: Clients, ws: Workspace) -> None:
    ws.users.add("adam", "admin", actor="ada", password="second-admin-password")
    ada, csrf = client_for("ada")
    assert (
        ada.post("/admin/users/ada/identities", data=form(csrf, identity="ada@harborstreet.com")).status_code
        == 200
    )
    own = ada.post("/admin/users/ada/identities/remove", data=form(csrf, identity="ada@harborstreet.com"))
    assert own.status_code == 403 and "another admin" in own.text
    assert 'aria-label="Remove ada@harborstreet.com from ada"' not in ada.get("/admin/users").text
    assert ws.users.get("ada").identities == frozenset({"ada@harborstreet.com"})
    ws.users.remove_identity("ada", "ada@harborstreet.com", actor="adam")
    assert ws.users.get("ada").identities == frozenset()


def test_only_an_admin_changes_identities_and_every_change_needs_the_csrf_token(
    client_for: Clients, ws: Workspace
) -> None:
    paula, csrf = client_for("paula")
    page = paula.get("/admin/users").text
    assert "sam.ortiz@harborstreet.com" in page and "Add identity" not in page and ">Remove<" not in page
    for path in ("/admin/users/sam/identities", "/admin/users/sam/identities/remove"):
        answer = paula.post(path, data=form(csrf, identity="paula@harborstreet.com"))
        assert answer.status_code == 403, path
    otto, o_csrf = client_for("otto")
    assert (
        otto.post(
            "/admin/users/sam/identities/remove", data=form(o_csrf, identity="sam.ortiz@harborstreet.com")
        ).status_code
        == 403
    )
    ada, _ = client_for("ada")
    for path in ("/admin/users/paula/identities", "/admin/users/sam/identities/remove"):
        forged = ada.post(path, data={"identity": "sam.ortiz@harborstreet.com"})
        assert forged.status_code == 403 and "CSRF" in forged.text, path
    assert ws.users.get("sam").identities == frozenset({"sam.ortiz@harborstreet.com"})
    assert ws.users.get("paula").identities == frozenset()
    assert identity_events(ws, "sam") == [] and identity_events(ws, "paula") == []


def test_the_add_user_form_refuses_an_identity_someone_already_has(
    client_for: Clients, ws: Workspace
) -> None:
    ada, csrf = client_for("ada")
    answer = ada.post(
        "/admin/users",
        data=form(
            csrf,
            name="nora",
            role="reviewer",
            password="first-day-password",
            identities="sam.ortiz@harborstreet.com",
        ),
    )
    assert answer.status_code == 400 and "already an identity of sam" in answer.text
    assert "nora" not in {u.name for u in ws.users.list()}
