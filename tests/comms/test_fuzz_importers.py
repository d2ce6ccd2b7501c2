"""Property-based fuzzing of every importer: mutated exports never crash, hang or lose items.

Each importer is seeded with a small valid export built here (and, for e-mail, messages from the
Enron sample when it is present) and fed mutations of it: bytes flipped, inserted or cut, spans
duplicated or truncated, hostile snippets (deep nesting, invalid UTF-8, NUL, huge numbers, year
9999 dates) spliced in. For each input: no exception escapes the importer, it ends within a
bound (no hang), every item is a message, a quarantined item or a listed entry, and the net
under the importers (an "importer fault" item) is never needed. A smaller sample of inputs goes
through the whole import, where read = stored + duplicates + quarantined and the journal
verifies.

Runs a few examples per importer by default; ``PROCTOR_FUZZ_EXAMPLES=10000`` runs more.
"""

from __future__ import annotations

import io
import json
import os
import signal
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proctor.comms import Message, ParseOptions, Quarantined, iter_items
from proctor.comms.model import Listed
from proctor.journal.verify import verify_journal
from proctor.platform import Workspace
from tests.comms.archive_support import ingest_folder, register
from tests.comms.msgfile import MsgRecipient, MsgSpec, build_msg
from tests.conftest import SHARED_DATA

EXAMPLES = int(os.environ.get("PROCTOR_FUZZ_EXAMPLES", "30"))
INGEST_EXAMPLES = max(3, EXAMPLES // 10) if "PROCTOR_FUZZ_EXAMPLES" in os.environ else 3
HANG_SECONDS = 30
NY = ParseOptions(timezone="America/New_York")

MAIL = (
    b"Message-ID: <m1@harborstreet.com>\r\nDate: Mon, 4 Mar 2024 09:05:00 -0500\r\n"
    b"From: Dana Whitfield <dana@harborstreet.com>\r\nTo: ops@harborstreet.com\r\nSubject: Allocation\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease book 500 XYZ.\r\n--b1\r\n"
    b'Content-Type: text/csv; name="alloc.csv"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    b"YWNjdCxxdHkKMTIzLDUwMAo=\r\n--b1--\r\n"
)


def _enron(limit: int = 20) -> list[bytes]:
    sample = SHARED_DATA / "enron" / "maildir.tar.gz"
    if not sample.exists():
        return []
    out = []
    with tarfile.open(sample) as tar:
        for member in tar:
            if member.isfile():
                handle = tar.extractfile(member)
                if handle is not None:
                    out.append(handle.read())
            if len(out) >= limit:
                break
    return out


ENRON = _enron()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def _slack() -> bytes:
    users = [{"id": "U1", "profile": {"email": "dana@harborstreet.com", "real_name": "Dana"}}]
    day = [
        {"ts": "1709561100.0001", "user": "U1", "text": "buy <@U1>", "files": [{"id": "F1"}]},
        {"ts": "1709561200.0001", "user": "U1", "thread_ts": "1709561100.0001", "text": "ok"},
        {"subtype": "message_changed", "ts": "1709561300.1", "message": {"ts": "1", "user": "U1"}},
    ]
    return _zip(
        [
            ("users.json", json.dumps(users).encode()),
            ("channels.json", json.dumps([{"name": "desk", "members": ["U1"]}]).encode()),
            ("desk/2024-03-04.json", json.dumps(day).encode()),
            ("__uploads/F1/alloc.csv", b"acct,qty\n123,500\n"),
        ]
    )


def _teams() -> bytes:
    msg = {
        "id": "1",
        "createdDateTime": "2024-03-04T14:05:00Z",
        "chatId": "19:abc",
        "from": {"user": {"id": "u1", "displayName": "Dana"}},
        "body": {"contentType": "html", "content": "<p>buy <b>500</b></p>"},
        "mentions": [{"mentioned": {"user": {"id": "u2", "displayName": "Lee"}}}],
        "attachments": [{"contentType": "reference", "name": "a.pdf", "contentUrl": "https://x/a.pdf"}],
    }
    edited = {**msg, "id": "2", "lastEditedDateTime": "2024-03-04T14:06:00Z"}
    return json.dumps({"value": [msg, edited]}).encode()


def _zendesk() -> bytes:
    ticket = {
        "id": 7,
        "subject": "Wire",
        "requester_id": 1,
        "assignee_id": 3,
        "via": {"channel": "email"},
        "comments": [
            {"id": 1, "author_id": 1, "created_at": "2024-03-04T14:05:00Z", "body": "Where is my wire?"},
            {"id": 2, "author_id": 3, "created_at": "2024-03-04T14:06:00Z", "body": "Sent.", "public": False},
        ],
    }
    users = [{"id": 1, "email": "j.doe@gmail.example"}, {"id": 3, "email": "lee@firm.example"}]
    return json.dumps({"tickets": [ticket, {**ticket, "id": 8}], "users": users}).encode()


def _bloomberg() -> bytes:
    return (
        b"<?xml version='1.0'?><FileDump><Conversation><RoomID>CHAT:1</RoomID>"
        b"<ParticipantEntered><User><LoginName>lee</LoginName><EmailAddress>lee@bank.example</EmailAddress>"
        b"</User><DateTimeUTC>1709561000</DateTimeUTC></ParticipantEntered>"
        b"<Message><User><LoginName>dana</LoginName><CorporateEmailAddress>dana@harborstreet.com"
        b"</CorporateEmailAddress></User><DateTime>03/04/2024 09:05:00</DateTime>"
        b"<DateTimeUTC>1709561100</DateTimeUTC><Content>bid 101.25 for 5mm</Content></Message>"
        b"<Attachment><User><LoginName>dana</LoginName></User><DateTimeUTC>1709561200</DateTimeUTC>"
        b"<FileName>a.pdf</FileName><FileSize>12</FileSize></Attachment></Conversation></FileDump>"
    )


def _whatsapp() -> bytes:
    chat = (
        "[04/03/2024, 09:05:00] Dana Whitfield: buy 500\n"
        "second line of the same message\n"
        "[04/03/2024, 09:06:00] +1 917 555 0142: <attached: 0001-PHOTO.jpg>\n"
        "[04/03/2024, 09:07:00] Messages are end-to-end encrypted.\n"
    )
    return _zip([("_chat.txt", chat.encode()), ("0001-PHOTO.jpg", b"\xff\xd8\xff\xe0JFIF")])


def _jsonl() -> bytes:
    rows = [
        {"id": "c1", "sent_at": "2024-03-04T09:05:00-05:00", "from": "agent@firm.example", "to": ["a@b.ex"]},
        {"id": "c2", "sent_at": "2024-03-04T14:06:00Z", "from": "+19175550142", "deleted": "no"},
    ]
    return "\n".join(json.dumps(r) for r in rows).encode() + b"\n"


def _csv() -> bytes:
    return (
        b"id,sent_at,from,to,body,channel\n"
        b'c1,2024-03-04T14:05:00Z,+19175550142,agent@firm.example,"Is my order\nfilled?",sms\n'
        b"c2,2024-03-04T14:06:00Z,agent@firm.example,+19175550142;lead@firm.example,Filled,sms\n"
    )


def _msg() -> bytes:
    spec = MsgSpec(
        subject="Allocation",
        body="Please book 500 XYZ.",
        sender_name="Dana Whitfield",
        sender_address="dana@harborstreet.com",
        sent=datetime(2024, 3, 4, 14, 5, tzinfo=UTC),
        recipients=[MsgRecipient("Ops", "ops@harborstreet.com")],
        message_id="<m1@harborstreet.com>",
    )
    return build_msg(spec)


def _mbox() -> bytes:
    quoted = MAIL.replace(b"Please book", b"From the desk: please book")
    envelope = b"From dana Mon Mar  4 09:05:00 2024\n"
    return envelope + MAIL + b"\n" + envelope + quoted + b"\n"


# Each importer: how to lay its export out on disk (one file, or a folder) from one byte string.
Layout = Callable[[Path, bytes], Path]


def _file(name: str) -> Layout:
    def lay(root: Path, data: bytes) -> Path:
        (root / name).write_bytes(data)
        return root / name

    return lay


def _mail_folder(sub: str) -> Layout:
    def lay(root: Path, data: bytes) -> Path:
        box = root / "box"
        for part, n in ((data, 1), (MAIL, 2)):
            target = box / sub / f"{n}.eml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(part)
        return box

    return lay


IMPORTERS: dict[str, tuple[list[bytes], Layout]] = {
    "eml": ([MAIL, *ENRON[:10]], _file("message.eml")),
    "mbox": ([_mbox()], _file("dana.mbox")),
    "maildir": ([MAIL, *ENRON[10:15]], _mail_folder("cur")),
    "cmu_maildir": ([MAIL, *ENRON[15:20]], _mail_folder("dana/inbox")),
    "msg": ([_msg()], _file("message.msg")),
    "slack": ([_slack()], _file("slack.zip")),
    "teams": ([_teams()], _file("page.json")),
    "bloomberg": ([_bloomberg()], _file("ib.xml")),
    "zendesk": ([_zendesk()], _file("tickets.json")),
    "whatsapp": ([_whatsapp(), b"[04/03/2024, 09:05:00] Dana: hi\n"], _file("chat.zip")),
    "generic_jsonl": ([_jsonl()], _file("sms.jsonl")),
    "generic_csv": ([_csv()], _file("sms.csv")),
}

HOSTILE = [
    b"\xff",
    b"\x00",
    b"\xe9",
    b"[" * 5000,
    b"{" * 5000,
    b"<a>" * 200,
    b'"',
    b"\n",
    b"\r\n\r\n",
    b"9999-12-31T23:59:59-05:00",
    b"Fri, 31 Dec 9999 23:00:00 -0500",
    b"99999999999999999999",
    b"-1e400",
    b"\xc2\xb2",
    b"From ",
    b"--b1--",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"&a;",
    b"PK\x03\x04",
    b"null",
    b"[]",
    b"{}",
    b'"ts": [1]',
    b'"id": {}',
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            data.extend(draw(st.sampled_from(HOSTILE)))
            continue
        at = draw(st.integers(0, len(data) - 1))
        choice = draw(st.integers(0, 5))
        if choice == 0:
            data[at] = draw(st.integers(0, 255))
        elif choice == 1:
            data[at:at] = draw(st.sampled_from(HOSTILE))
        elif choice == 2:
            del data[at : at + draw(st.integers(1, 64))]
        elif choice == 3:
            data = data[:at]
        elif choice == 4:
            span = data[at : at + draw(st.integers(1, 200))]
            data[at:at] = span
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@contextmanager
def _bounded(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) if one input takes longer than `seconds`."""

    def hang(*_: object) -> None:
        raise TimeoutError(f"importer still running after {seconds}s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _expected_count(fmt: str, data: bytes) -> int | None:
    """How many items an export must yield, where its layout says so without parsing it."""
    if fmt in ("eml", "msg"):
        return 1  # one file is one item, whatever is in it
    if fmt == "generic_jsonl":
        lines = [line for line in data.removeprefix(b"\xef\xbb\xbf").split(b"\n") if line.strip()]
        return max(1, len(lines))  # one item per line; an empty file is one quarantined item
    return None


TALLY: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module", autouse=True)
def _outcomes() -> Iterator[None]:
    """With PROCTOR_FUZZ_EXAMPLES set, print what the inputs became (run with -s to see it)."""
    yield
    if "PROCTOR_FUZZ_EXAMPLES" in os.environ:
        for fmt, counts in sorted(TALLY.items()):
            print(f"fuzz {fmt}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))


def _check(fmt: str, data: bytes, layout: Layout) -> list[Any]:
    with tempfile.TemporaryDirectory() as tmp, _bounded(HANG_SECONDS):
        path = layout(Path(tmp), data)
        items = list(iter_items(path, fmt, NY, listed=True))
    for item in items:
        assert isinstance(item, (Message, Quarantined, Listed)), item
        if isinstance(item, Quarantined):
            assert item.reason and "importer fault" not in item.reason, item.reason
    tally = TALLY.setdefault(fmt, {})
    tally["inputs"] = tally.get("inputs", 0) + 1
    for item in items:
        tally[type(item).__name__] = tally.get(type(item).__name__, 0) + 1
    expected = _expected_count(fmt, data)
    assert expected is None or len(items) == expected, (expected, items)
    if fmt in ("eml", "msg"):
        assert items[0].raw == data  # type: ignore[union-attr]  # the record is the file, unchanged
    return items


@pytest.mark.parametrize("fmt", sorted(IMPORTERS))
def test_seeds_are_valid_exports(fmt: str) -> None:
    seeds, layout = IMPORTERS[fmt]
    for seed in seeds:
        assert any(isinstance(i, Message) for i in _check(fmt, seed, layout)), fmt


def _parse_test(fmt: str) -> Callable[[], None]:
    seeds, layout = IMPORTERS[fmt]

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(mutated(seeds))
    def run(data: bytes) -> None:
        _check(fmt, data, layout)

    return run


for _fmt in sorted(IMPORTERS):
    globals()[f"test_fuzz_{_fmt}"] = _parse_test(_fmt)


@pytest.mark.parametrize("fmt", sorted(IMPORTERS))
def test_fuzzed_exports_reconcile_through_the_archive(
    sqlite_ws: Workspace, tmp_path: Path, fmt: str
) -> None:
    ws = sqlite_ws
    register(ws, "fuzz.source", kind="chat_workspace")
    seeds, layout = IMPORTERS[fmt]
    counter = iter(range(1_000_000))

    @settings(
        max_examples=INGEST_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(mutated(seeds))
    def run(data: bytes) -> None:
        root = tmp_path / str(next(counter))
        root.mkdir()
        path = layout(root, data)
        expected = list(iter_items(path, fmt, NY, listed=True))
        with _bounded(HANG_SECONDS):
            report = ingest_folder(ws, path, "fuzz.source", format=fmt)
        assert report.status == "complete"
        assert report.read == report.stored + report.duplicates + report.quarantined
        assert report.read + report.listed == len(expected)
        assert report.quarantined == sum(isinstance(i, Quarantined) for i in expected)

    run()
    assert verify_journal(ws.engine, ws.blobs).intact
