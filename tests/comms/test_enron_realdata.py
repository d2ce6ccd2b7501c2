"""The real CMU Enron subset in ../shared/data/enron: every file read is exactly one item."""

from __future__ import annotations

import tarfile
from collections import Counter
from pathlib import Path

import pytest

from proctor.comms import Message, detect_format, iter_items

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "enron" / "maildir.tar.gz"
pytestmark = pytest.mark.realdata


@pytest.fixture(scope="session")
def enron_maildir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not DATA.exists():
        pytest.skip("Enron maildir not present in ../shared/data/enron")
    root = tmp_path_factory.mktemp("enron")
    with tarfile.open(DATA) as tar:
        tar.extractall(root, filter="data")
    return root / "maildir"


def test_every_enron_file_becomes_exactly_one_message(enron_maildir: Path) -> None:
    files = {str(p): p for p in enron_maildir.rglob("*") if p.is_file()}
    assert detect_format(enron_maildir) == "cmu_maildir"
    items = list(iter_items(enron_maildir))
    assert len(items) == len(files) == 11_238
    assert sorted(i.origin for i in items) == sorted(files)
    messages = [i for i in items if isinstance(i, Message)]
    assert len(messages) == 11_238, [i.reason for i in items if not isinstance(i, Message)][:5]
    assert all(m.raw == files[m.origin].read_bytes() for m in messages[:500])
    assert len({m.message_id for m in messages}) == 11_238
    per_mailbox = Counter((m.channel or "").split("/", 1)[0] for m in messages)
    assert per_mailbox == {
        "buy-r": 2429,
        "grigsby-m": 2237,
        "keavey-p": 2177,
        "lewis-a": 2191,
        "presto-k": 2204,
    }
    years = Counter(m.sent_at_original[:4] for m in messages)
    assert years == {"1979": 5, "1999": 14, "2000": 2087, "2001": 7700, "2002": 1392, "2004": 40}
    assert sum(len(m.raw) for m in messages) == 40_201_309
