"""`proctor comms` as a compliance officer uses it: register, ingest, search, show, manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from proctor.cli import comms_cmd
from proctor.core.errors import InputError, NotFound
from proctor.platform import Workspace
from tests.comms.archive_support import mail, write_folder

root = typer.Typer()
root.add_typer(comms_cmd.app, name="comms")
runner = CliRunner()

MAILS = [
    mail(
        "a1@harborstreet.com",
        "2024-03-04T09:05:00-05:00",
        "Dana Whitfield <dana@harborstreet.com>",
        "Jane Doe <jane@gmail.example>",
        "Your XOM order",
        "I can guarantee you will not lose money on XOM.",
    ),
    mail(
        "a2@harborstreet.com",
        "2024-03-05T09:05:00-05:00",
        "Dana Whitfield <dana@harborstreet.com>",
        "ops@harborstreet.com",
        "Settlement",
        "Please settle the XOM trade.",
    ),
]


def cli(ws: Workspace, *args: str) -> str:
    result = runner.invoke(
        root, ["comms", *args, "-w", str(ws.path), "--as", "paula"], env={"COLUMNS": "200"}
    )
    if result.exception is not None:
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def test_register_ingest_search_and_show(sqlite_ws: Workspace, tmp_path: Path) -> None:
    ws = sqlite_ws
    ws.users.add("paula", "principal", actor="ada", password="correct horse")
    cli(ws, "source", "add", "mbx.dana", "--kind", "mailbox", "--owner", "Dana Whitfield",
        "--covers", "dana@harborstreet.com", "--timezone", "America/New_York")  # fmt: skip
    folder = write_folder(tmp_path / "dana", MAILS)
    (folder / "Thumbs.db").write_bytes(b"\x00junk")
    report = json.loads(cli(ws, "ingest", str(folder), "--source", "mbx.dana", "--json"))
    assert {k: report[k] for k in ("read", "stored", "duplicates", "quarantined")} == {
        "read": 3,
        "stored": 2,
        "duplicates": 0,
        "quarantined": 1,
    }
    assert report["per_day"] == {"2024-03-04": 1, "2024-03-05": 1}
    assert report["quarantine"][0]["origin"].endswith("Thumbs.db")
    again = cli(ws, "ingest", str(folder), "--source", "mbx.dana")
    assert "stored 0, duplicates 2" in again and "quarantined 1" in again

    hits = json.loads(cli(ws, "search", "guarantee", "--participant", "jane@gmail.example", "--json"))
    (hit,) = hits["hits"]
    assert hit["subject"] == "Your XOM order"
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "guarantee"
    assert "Settlement" in cli(ws, "search", "XOM", "--direction", "internal", "--since", "2024-03-05")
    assert "no messages match" in cli(ws, "search", "XOM", "--until", "2024-03-03")

    shown = json.loads(cli(ws, "show", hit["id"], "--json"))
    assert shown["source_kind"] == "mailbox" and shown["retention_rule"] == "comms-retention-2025.1"
    assert "Your XOM order" in cli(ws, "show", hit["id"])

    sources = json.loads(cli(ws, "source", "list", "--json"))
    assert [(s["name"], s["capture_state"]) for s in sources] == [("mbx.dana", "connected")]
    assert "review_connected" in cli(ws, "source", "set", "mbx.dana", "--review-connected")
    detail = json.loads(cli(ws, "source", "show", "mbx.dana", "--json"))
    assert detail["source"]["review_connected"] is True and len(detail["imports"]) == 2
    assert len(json.loads(cli(ws, "imports", "--json"))) == 2
    assert json.loads(cli(ws, "quarantine", "--json"))[0]["reason"]


def test_manifests_and_the_inventory_csv(sqlite_ws: Workspace, tmp_path: Path) -> None:
    ws = sqlite_ws
    ws.users.add("paula", "principal", actor="ada", password="correct horse")
    inventory = tmp_path / "sources.csv"
    inventory.write_text("name,kind,owner,timezone\nzendesk.support,customer_service,Support,UTC\n")
    assert "1 added" in cli(ws, "source", "import", str(inventory))
    ids = tmp_path / "ids.txt"
    ids.write_text("# zendesk comment ids for 2024-03-04\nzendesk:4711:1001\nzendesk:4711:1002\n")
    added = json.loads(cli(ws, "manifest", "add", "--source", "zendesk.support", "--day", "2024-03-04",
                           "--ids", str(ids), "--json"))  # fmt: skip
    assert added["count"] == 2 and added["ids"] == ["zendesk:4711:1001", "zendesk:4711:1002"]
    assert added["file_sha256"] and ws.blobs.get(added["file_sha256"]) == ids.read_bytes()
    listed = json.loads(cli(ws, "manifest", "list", "--json"))
    assert [(m["source"], m["day"]) for m in listed] == [("zendesk.support", "2024-03-04")]
    with pytest.raises(InputError, match="--count 3 but the file lists 2"):
        cli(ws, "manifest", "add", "--source", "zendesk.support", "--day", "2024-03-04", "--ids", str(ids),
            "--count", "3")  # fmt: skip


def test_bad_input_is_one_clear_error(sqlite_ws: Workspace, tmp_path: Path) -> None:
    ws = sqlite_ws
    ws.users.add("paula", "principal", actor="ada", password="correct horse")
    with pytest.raises(NotFound, match="register it with"):
        cli(ws, "ingest", str(write_folder(tmp_path / "x", MAILS)), "--source", "mbx.nobody")
    with pytest.raises(InputError, match="direction must be one of"):
        cli(ws, "search", "XOM", "--direction", "sideways")
    with pytest.raises(InputError, match="not an ISO-8601 date"):
        cli(ws, "search", "XOM", "--since", "last tuesday")
    with pytest.raises(InputError, match="kind"):
        cli(ws, "source", "add", "fax.desk", "--kind", "fax", "--owner", "IT")



def test_ingest_limits_are_set_from_the_command_line(sqlite_ws: Workspace, tmp_path: Path) -> None:
    ws = sqlite_ws
    ws.users.add("paula", "principal", actor="ada", password="correct horse")
    cli(ws, "source", "add", "sms.reps", "--kind", "sms_mobile", "--owner", "Dana Whitfield",
        "--covers", "dana@harborstreet.com", "--timezone", "America/New_York")  # fmt: skip
    line = '{"sent_at": "2024-03-04T14:05:00Z", "from": "+19175550142", "body": "%s"}\n'
    path = tmp_path / "texts.jsonl"
    path.write_text(line % "hi" + line % ("long " * 40), "utf-8")
    args = ["ingest", str(path), "--source", "sms.reps", "--format", "generic_jsonl"]
    report = json.loads(cli(ws, *args, "--limit", "max_line_bytes=150", "--json"))
    assert (report["stored"], report["quarantined"]) == (1, 1)
    assert "over the 150-byte line limit" in report["quarantine"][0]["reason"]
    with pytest.raises(InputError, match="unknown ingest limit 'max_size'; one of max_member_bytes"):
        cli(ws, *args, "--limit", "max_size=5")
    with pytest.raises(InputError, match="max_depth needs a number, got 'deep'"):
        cli(ws, *args, "--limit", "max_depth=deep")
