"""The read API the review module builds on: capture order, a resumable cursor, merged copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from proctor.comms import api
from proctor.comms.tables import search_rows
from proctor.core.errors import NotFound
from proctor.platform import Workspace
from tests.comms.archive_support import ingest_folder, mail, register, write_folder

DANA = "Dana Whitfield <dana@harborstreet.com>"
FIRST = [
    mail(
        "m1@h",
        "2024-03-04T09:05:00-05:00",
        DANA,
        "Jane Doe <jane@gmail.example>",
        "AAPL",
        "Filled at 171.20.",
    ),
    mail("m2@h", "2024-03-04T10:05:00-05:00", DANA, "ops@harborstreet.com", "Settle", "T+1 please."),
    mail("m3@h", "2024-03-04T11:05:00-05:00", DANA, "ops@harborstreet.com", "Wire", "Wire sent."),
]
COPY_ARGS = (
    "esc@h",
    "2024-03-05T10:15:00-05:00",
    DANA,
    "clientservice@harborstreet.com",
    "Escalation",
    "Call him.",
)
GROUP_COPY = mail(*COPY_ARGS)
BCC_COPY = mail(*COPY_ARGS, extra="Bcc: Lee Park <lee@harborstreet.com>\r\n")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_iter_messages_in_capture_order_and_resumes_after_an_id(ws: Workspace, tmp_path: Path) -> None:
    register(ws, "mbx.dana")
    register(ws, "grp.client-service", kind="group_mailbox")
    ingest_folder(ws, write_folder(tmp_path / "dana", FIRST), "mbx.dana")
    ingest_folder(ws, write_folder(tmp_path / "grp", [GROUP_COPY]), "grp.client-service")
    with ws.read() as conn:
        everything = list(api.iter_messages(conn, batch=2))
        after_second = list(api.iter_messages(conn, since_id=everything[1]["id"], batch=2))
        group_only = list(api.iter_messages(conn, source="grp.client-service"))
        with pytest.raises(NotFound):
            list(api.iter_messages(conn, since_id="0" * 64))
    assert [m["subject"] for m in everything] == ["AAPL", "Settle", "Wire", "Escalation"]
    assert [m["doc"] for m in everything] == sorted(m["doc"] for m in everything)
    assert [m["subject"] for m in after_second] == ["Wire", "Escalation"]
    assert [m["source_kind"] for m in group_only] == ["group_mailbox"]
    first = everything[0]
    assert first["id"] == first["content_sha256"] == _sha(FIRST[0])
    assert first["text"] == "Filled at 171.20." and first["direction"] == "external"
    assert first["addresses"] == ["dana@harborstreet.com", "jane@gmail.example"]
    assert first["canonical_id"] is None and first["indexed"] is True


def test_copies_share_their_recipients_and_point_at_the_first_record(ws: Workspace, tmp_path: Path) -> None:
    register(ws, "grp.client-service", kind="group_mailbox")
    register(ws, "mbx.lee")
    ingest_folder(ws, write_folder(tmp_path / "grp", [GROUP_COPY]), "grp.client-service")
    ingest_folder(ws, write_folder(tmp_path / "lee", [BCC_COPY]), "mbx.lee")
    with ws.read() as conn:
        canonical = api.get_message(conn, _sha(GROUP_COPY))
        copy = api.get_message(conn, _sha(BCC_COPY))
        fed = list(api.iter_messages(conn))
    assert canonical["copies"] == [_sha(BCC_COPY)] and copy["copies"] == [_sha(GROUP_COPY)]
    assert copy["canonical_id"] == _sha(GROUP_COPY)
    assert "lee@harborstreet.com" in canonical["addresses"]
    assert canonical["participants"] == copy["participants"]
    assert [m["canonical_id"] for m in fed] == [None, _sha(GROUP_COPY)]


def test_message_text_and_the_missing_cases(ws: Workspace, tmp_path: Path) -> None:
    register(ws, "mbx.dana")
    ingest_folder(ws, write_folder(tmp_path / "dana", FIRST), "mbx.dana")
    assert api.message_text(ws, _sha(FIRST[2])) == "Wire\n\nWire sent."
    with pytest.raises(NotFound, match="no message"):
        api.message_text(ws, "f" * 64)
    with ws.engine.begin() as conn:
        conn.execute(search_rows.delete().where(search_rows.c.message == _sha(FIRST[2])))
    with pytest.raises(NotFound, match="stored but not indexed"):
        api.message_text(ws, _sha(FIRST[2]))
    with ws.read() as conn:
        assert [s["name"] for s in api.list_sources(conn)] == ["mbx.dana"]
        assert api.source_names(conn) == {"mbx.dana"}
        assert conn.execute(sa.select(sa.func.count()).select_from(search_rows)).scalar_one() == 2
