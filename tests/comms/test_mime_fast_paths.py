"""The shortcuts the RFC 5322 reader takes answer exactly as the standard library would.

A single-part message is parsed as headers alone plus the rest as body, header fields are read
from a map built once per part, and a recipient list of bare addresses with a few
``name <address>`` in it is read token by token. Each shortcut must give what the full parse and
the full address grammar give, or a record's searchable view would depend on which path read it.
"""

from __future__ import annotations

from email.message import Message as EmailMessage
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proctor.comms.formats._mime import _Fields, _participants, parse_message
from proctor.comms.model import Participant

FULL = BytesParser(policy=compat32)

ENRON_STYLE = (
    b"Message-ID: <18782981.1075855378110.JavaMail.evans@thyme>\r\n"
    b"Date: Mon, 14 May 2001 16:39:00 -0700 (PDT)\r\n"
    b"From: phillip.allen@enron.com\r\n"
    b"To: tim.belden@enron.com, london <.thompson@enron.com>\r\n"
    b"Subject: forecast\r\n"
    b"Mime-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"Content-Transfer-Encoding: 7bit\r\n"
    b"\r\n"
    b"Here is our forecast\r\n"
)
MULTIPART = (
    b"From: dana@firm.example\nDate: Mon, 4 Mar 2024 09:05:00 -0500\n"
    b'Content-Type: multipart/mixed; boundary="b1"\n\n'
    b"--b1\nContent-Type: text/plain\n\nsee attached\n--b1\n"
    b'Content-Type: text/csv; name="fills.csv"\n\nqty,px\n500,101.25\n--b1--\n'
)


def _same(ours: EmailMessage, theirs: EmailMessage) -> None:
    mine, full = dict(vars(ours)), dict(vars(theirs))
    assert [type(d) for d in mine.pop("defects")] == [type(d) for d in full.pop("defects")]
    mine_payload, full_payload = mine.pop("_payload"), full.pop("_payload")
    if isinstance(full_payload, list):
        assert isinstance(mine_payload, list) and len(mine_payload) == len(full_payload)
        for a, b in zip(mine_payload, full_payload, strict=True):
            _same(a, b)
    else:
        assert mine_payload == full_payload
    assert mine == full


def test_a_single_part_message_parses_as_the_full_parser_parses_it() -> None:
    _same(parse_message(ENRON_STYLE), FULL.parsebytes(ENRON_STYLE))
    assert parse_message(ENRON_STYLE).get_payload() == "Here is our forecast\r\n"


def test_a_multipart_message_takes_the_full_parse() -> None:
    parsed = parse_message(MULTIPART)
    _same(parsed, FULL.parsebytes(MULTIPART))
    assert parsed.is_multipart()


def test_odd_header_blocks_give_the_same_headers_body_and_defects() -> None:
    cases = [
        b"From: a@b\nSubject: no blank line\nbody starts here\n",  # missing separator defect
        b"From: a@b\nFrom nobody Mon\n\nbody\n",  # an envelope line last among the headers
        b"From: a@b\r\nSubject: x\r\n folded\r\n\r\nbody\r\n",
        b"From: a@b\rSubject: old Mac line ends\r\rbody\r",
        b"From: a@b\nSubject: headers only",
        b"Subject: \xe9t\xe9\nFrom: a@b\n\n\xff body\n",
        b"content-type: Message/Delivery-Status\nFrom: a@b\n\nReporting-MTA: x\n",
    ]
    for raw in cases:
        _same(parse_message(raw), FULL.parsebytes(raw))


PIECES = [
    b"From: a@b\n",
    b"Subject: x\r\n",
    b"To: c\r",
    b" folded\n",
    b"\tcontinued\r\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"body line\n",
    b"no colon",
    b":x\n",
    b"Content-Type: text/plain\n",
    b"Content-Type: multipart/mixed; boundary=zz\n",
    b"--zz\n",
    b"--zz--\n",
    b"Content-Type: message/rfc822\n",
    b"From nobody Mon\n",
    b"\xff\xfe",
    b"\x00",
]


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.binary(max_size=20))
def test_any_message_parses_as_the_full_parser_parses_it(pieces: list[bytes], tail: bytes) -> None:
    raw = b"".join(pieces) + tail
    _same(parse_message(raw), FULL.parsebytes(raw))


def _grammar(values: list[str]) -> list[Participant]:
    return [Participant(a.strip().lower(), n.strip(), "to") for n, a in getaddresses(values) if a.strip()]


def _to(*values: str) -> _Fields:
    msg = EmailMessage()
    for value in values:
        msg["To"] = value
    return _Fields(msg)


def test_a_long_list_with_a_named_address_reads_as_the_full_grammar() -> None:
    values = ["tim.belden@enron.com, f..calger@enron.com,", " london <.thompson@enron.com>, e@x"]
    got = _participants(_to(*values), "To", "to")
    assert got == _grammar(values)
    assert [p.address for p in got] == [
        "tim.belden@enron.com",
        "f..calger@enron.com",
        ".thompson@enron.com",
        "e@x",
    ]
    assert got[2].name == "london"


def test_addresses_the_grammar_rejects_are_still_rejected_in_a_mixed_list() -> None:
    values = ["a@, x <c@d>, @, b@c@d, ok@firm.example"]
    assert _participants(_to(*values), "To", "to") == _grammar(values)


ADDRESS_PARTS = st.sampled_from(
    [*"ab.@ <>,\t", "\x0c", "x@y.com", "Jo Doe", " <", "> ", "..", "@@", "<>", '"', "[", ";", "("]
)


@settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(ADDRESS_PARTS, max_size=16).map("".join), min_size=1, max_size=3))
def test_recipient_lists_read_token_by_token_match_the_whole_list_grammar(values: list[str]) -> None:
    got = _participants(_to(*values), "To", "to")
    joined = ",".join(values)
    bare = [t.strip() for t in joined.split(",")]
    if not any(c in joined for c in '<>"()\\:;') and not any(" " in t or "\t" in t for t in bare):
        # No syntax at all: the bare-address path, which reads every token as written.
        assert got == [Participant(t.lower(), "", "to") for t in bare if t]
    else:
        assert got == _grammar(values)


def test_header_map_answers_as_the_message_does() -> None:
    msg = FULL.parsebytes(MULTIPART)
    parts: list[Any] = [msg, *msg.get_payload()]
    for part in parts:
        fields = _Fields(part)
        assert fields.content_type() == part.get_content_type()
        assert fields.filename() == part.get_filename()
        assert fields.charset() == part.get_content_charset()
        assert fields.first("Content-Type") == part.get("Content-Type")
        assert fields.all("content-type") == (part.get_all("Content-Type") or [])
