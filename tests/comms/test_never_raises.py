"""Whatever shape a JSON export takes, each element is exactly one item and nothing raises."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proctor.comms import iter_items

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
KEYS = st.sampled_from(
    [
        "ts",
        "user",
        "text",
        "files",
        "edited",
        "subtype",
        "message",
        "previous_message",
        "thread_ts",
        "id",
        "from",
        "body",
        "createdDateTime",
        "mentions",
        "attachments",
        "channelIdentity",
        "author_id",
        "created_at",
        "via",
        "public",
        "sent_at",
        "to",
        "deleted",
        "name",
        "user_profile",
        "size",
    ]
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=12,
)
ELEMENTS = st.lists(st.dictionaries(KEYS, VALUES, max_size=8) | VALUES, min_size=1, max_size=6)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _count(path: Path, fmt: str) -> int:
    return sum(1 for _ in iter_items(path, fmt))


@SETTINGS
@given(ELEMENTS)
def test_slack_daily_file(elements: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("channels.json", "[]")
            zf.writestr("general/2024-03-04.json", json.dumps(elements))
        assert _count(path, "slack") == len(elements)


@SETTINGS
@given(ELEMENTS)
def test_teams_page(elements: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.json"
        path.write_text(json.dumps({"value": elements}))
        assert _count(path, "teams") == len(elements)


@SETTINGS
@given(ELEMENTS)
def test_zendesk_comments(elements: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tickets.json"
        path.write_text(json.dumps({"tickets": [{"id": 1, "requester_id": 2, "comments": elements}]}))
        assert _count(path, "zendesk") == len(elements)


@SETTINGS
@given(ELEMENTS)
def test_generic_lines(elements: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.jsonl"
        path.write_text("\n".join(json.dumps(e) for e in elements) + "\n")
        assert _count(path, "generic_jsonl") == len(elements)
