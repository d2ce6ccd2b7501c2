"""A small archive for the records-management tests: sources, e-mails, ingest through the real path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from proctor.comms.ingest import ingest
from proctor.comms.sources import SourceSpec, add_source
from proctor.platform import Workspace


def email(sender: str, to: str, subject: str, body: str, sent: datetime, n: int) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Date: {format_datetime(sent)}\r\nMessage-ID: <m{n}.{sent.timestamp():.0f}@harborstreet.com>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def register(ws: Workspace, name: str = "desk-mail", kind: str = "mailbox") -> None:
    add_source(
        ws,
        SourceSpec(
            name=name,
            kind=kind,
            owner="paula",
            covered=("ravi@harborstreet.com",),
            capture_state="connected",
            timezone="America/New_York",
        ),
        actor="ada",
    )


def ingest_emails(ws: Workspace, folder: Path, emails: list[bytes], source: str = "desk-mail") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(emails):
        (folder / f"{i:05d}.eml").write_bytes(data)
    ingest(ws, folder, source=source, actor="ada", format="eml")


def desk_traffic(start: datetime, count: int, step: timedelta = timedelta(hours=7)) -> list[bytes]:
    """Ordinary trading-desk e-mail, one every `step`, between firm staff and clients."""
    out = []
    for n in range(count):
        sent = (start + n * step).astimezone(UTC)
        client = "wei@northfund.com" if n % 3 else "ops@lakeside-capital.com"
        out.append(
            email(
                "ravi@harborstreet.com" if n % 2 else "rita@harborstreet.com",
                client,
                f"Allocation {n} for account 44{n:03d}",
                f"Please confirm allocation {n}: 1,000 XYZ at 10.{n % 100:02d}. – Desk",
                sent,
                n,
            )
        )
    return out
