"""Small literal archives for the capture, search and completeness tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from proctor.comms.ingest import IngestReport, ingest
from proctor.comms.sources import SourceSpec, add_source
from proctor.platform import Workspace

NY = ZoneInfo("America/New_York")


def mail(
    msg_id: str,
    sent: str,
    sender: str,
    to: str,
    subject: str,
    body: str,
    extra: str = "",
) -> bytes:
    """An RFC 5322 message; `sent` is ISO 8601 with offset, `extra` more header lines."""
    when = datetime.fromisoformat(sent)
    return (
        f"Message-ID: <{msg_id}>\r\nDate: {format_datetime(when)}\r\nFrom: {sender}\r\nTo: {to}\r\n"
        f"Subject: {subject}\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"\r\n{body}\r\n"
    ).encode()


def write_folder(folder: Path, mails: list[bytes], start: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(mails, start=start):
        (folder / f"{n:05d}.eml").write_bytes(data)
    return folder


def register(ws: Workspace, name: str, kind: str = "mailbox", **fields: object) -> None:
    values: dict[str, object] = {
        "owner": "paula",
        "covered": ("dana@harborstreet.com",),
        "timezone": "America/New_York",
        "capture_state": "connected",
    }
    values.update(fields)
    add_source(ws, SourceSpec(name=name, kind=kind, **values), actor="ada")  # type: ignore[arg-type]


def daily_mail(first: date, days: int, per_day: int, tag: str, skip: set[date] | None = None) -> list[bytes]:
    """`per_day` messages on each of `days` days from `first` (New York business hours)."""
    out = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if skip and day in skip:
            continue
        for n in range(per_day):
            when = datetime(day.year, day.month, day.day, 9 + n % 8, n % 60, tzinfo=NY)
            out.append(
                mail(
                    f"{tag}.{day:%Y%m%d}.{n}@harborstreet.com",
                    when.isoformat(),
                    "Dana Whitfield <dana@harborstreet.com>",
                    "ops@harborstreet.com",
                    f"Allocation {n} on {day}",
                    f"Please book allocation {n} for {day}.",
                )
            )
    return out


def ingest_folder(ws: Workspace, folder: Path, source: str, **kw: object) -> IngestReport:
    return ingest(ws, folder, source=source, actor="ada", **kw)  # type: ignore[arg-type]
