"""The archive's part of `proctor demo`: four weeks of a small firm's communications, captured for real.

The demo writes genuine exports (an EML folder, an MBOX file, a Maildir, a Slack export zip and a
Zendesk ticket export) into a temporary folder and ingests them through the same path as any
import, so everything on screen (records, journal, index, alerts) is what production would show.
It stages the failures the archive exists to catch: the client-service group mailbox stops
delivering six days before today (as a deleted copy feature would), an SMS source is registered but
was never connected, a stray file in a mailbox export is quarantined, and the help desk's own count
for one day lists a comment that never reached the archive.
"""

from __future__ import annotations

import json
import random
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from proctor.comms import demo_content as c
from proctor.comms.ingest import ingest
from proctor.comms.manifests import add_manifest
from proctor.comms.sources import SourceSpec, add_source

if TYPE_CHECKING:
    from proctor.platform.workspace import Workspace

ZONE = "America/New_York"
DAYS = 28
SILENT_FROM = 6  # the group mailbox delivers nothing for this many days before today


def _email(
    msg_id: str,
    when: datetime,
    sender: c.Person,
    to: list[c.Person],
    subject: str,
    body: str,
    extra: str = "",
) -> str:
    return (
        f"Message-ID: <{msg_id}>\nDate: {format_datetime(when)}\nFrom: {sender.header}\n"
        f"To: {', '.join(p.header for p in to)}\nSubject: {subject}\n{extra}"
        f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
    )


def _moments(rng: random.Random, day: date, count: int, zone: ZoneInfo) -> list[datetime]:
    """Business-hours instants on `day`, in order."""
    return sorted(
        datetime(
            day.year,
            day.month,
            day.day,
            rng.randint(8, 17),
            rng.randint(0, 59),
            rng.randint(0, 59),
            tzinfo=zone,
        )
        for _ in range(count)
    )


def _volume(rng: random.Random, day: date, weekday: tuple[int, int], weekend: tuple[int, int]) -> int:
    low, high = weekday if day.weekday() < 5 else weekend
    return rng.randint(low, high)


def _mail(
    rng: random.Random, days: list[date], rep: c.Person, tag: str, zone: ZoneInfo
) -> list[tuple[datetime, str]]:
    out = []
    for day in days:
        for n, when in enumerate(_moments(rng, day, _volume(rng, day, (6, 10), (0, 1)), zone)):
            sender, to, subject, body = c.email_text(rng, rep, flagged=rng.random() < 0.06)
            msg_id = f"{when:%Y%m%d%H%M%S}.{n}.{tag}@{c.FIRM}"
            out.append((when, _email(msg_id, when, sender, to, subject, body)))
    return out


def _write_eml(folder: Path, mails: list[tuple[datetime, str]]) -> None:
    folder.mkdir(parents=True)
    for n, (_, text) in enumerate(mails, start=1):
        (folder / f"{n:05d}.eml").write_bytes(text.replace("\n", "\r\n").encode())
    (folder / "Thumbs.db").write_bytes(
        b"\xd0\xcf\x11\xe0 not a message: a thumbnail cache copied with the export"
    )


def _write_mbox(path: Path, mails: list[tuple[datetime, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for when, text in mails:
            handle.write(f"From lee.park@{c.FIRM} {when:%a %b %d %H:%M:%S %Y}\n")
            for line in text.splitlines():
                handle.write((">" + line if line.lstrip(">").startswith("From ") else line) + "\n")
            handle.write("\n")


def _write_maildir(root: Path, mails: list[tuple[datetime, str]]) -> None:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    for n, (when, text) in enumerate(mails, start=1):
        (root / "cur" / f"{int(when.timestamp())}.{n}.mail.{c.FIRM}:2,S").write_text(text, encoding="utf-8")


def _group_mail(rng: random.Random, days: list[date], zone: ZoneInfo) -> list[tuple[datetime, str]]:
    out = []
    for day in days[: len(days) - SILENT_FROM]:
        for n, when in enumerate(_moments(rng, day, _volume(rng, day, (8, 14), (1, 3)), zone)):
            client = rng.choice(c.CLIENTS)
            subject, body = rng.choice(
                c.CLIENT_TO_FIRM + c.FLAGGED_CLIENT[:1] if rng.random() < 0.1 else c.CLIENT_TO_FIRM
            )
            mail = _email(
                f"{when:%Y%m%d%H%M%S}.{n}.grp@{c.FIRM}",
                when,
                client,
                [c.GROUP],
                c.fill(rng, subject),
                c.fill(rng, body),
            )
            out.append((when, mail))
    return out


def _journaling_copy(days: list[date], zone: ZoneInfo) -> tuple[str, str, datetime]:
    """One message to the group mailbox, BCC Dana: two deliveries, two records, one message."""
    day = days[len(days) - SILENT_FROM - 3]
    when = datetime(day.year, day.month, day.day, 10, 15, tzinfo=zone)
    args = (
        f"{when:%Y%m%d}.bcc.lee@{c.FIRM}",
        when,
        c.LEE,
        [c.GROUP],
        "Client escalation: Walter Grant",
        "Walter Grant called again about the unauthorized trade complaint. Please log it and call him today.",
    )
    group_copy = _email(*args)
    dana_copy = _email(*args, extra=f"Bcc: {c.DANA.header}\nDelivered-To: {c.DANA.address}\n")
    return group_copy, dana_copy, when


def _slack(rng: random.Random, days: list[date], zone: ZoneInfo, path: Path) -> None:
    people = [(f"U0{n}", p) for n, p in enumerate((c.DANA, c.LEE, c.SAM, c.OPS), start=1)]
    users = [
        {
            "id": uid,
            "name": p.address.split("@")[0],
            "real_name": p.name,
            "profile": {"email": p.address, "real_name": p.name},
        }
        for uid, p in people
    ]
    members = [uid for uid, _ in people]
    channels = [
        {"id": "C01DESK", "name": "trading-desk", "members": members},
        {"id": "C02OPS", "name": "ops", "members": members},
    ]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("users.json", json.dumps(users, indent=1))
        zf.writestr("channels.json", json.dumps(channels, indent=1))
        for channel in ("trading-desk", "ops"):
            for day in days:
                messages = []
                for n, when in enumerate(_moments(rng, day, _volume(rng, day, (5, 10), (0, 2)), zone)):
                    line = rng.choice(c.CHAT_FLAGGED) if rng.random() < 0.04 else rng.choice(c.CHAT_LINES)
                    messages.append(
                        {
                            "type": "message",
                            "user": rng.choice(members),
                            "text": c.fill(rng, line),
                            "ts": f"{when.timestamp():.0f}.{n:06d}",
                        }
                    )
                if messages:
                    zf.writestr(f"{channel}/{day.isoformat()}.json", json.dumps(messages, indent=1))


def _zendesk(
    rng: random.Random, days: list[date], zone: ZoneInfo, path: Path
) -> tuple[dict[date, list[str]], str]:
    """The ticket export; per day the help desk's own list of comment ids; the id left out."""
    agents = [{"id": 70 + n, "name": p.name, "email": p.address} for n, p in enumerate((c.SAM, c.DANA))]
    customers = [{"id": 900 + n, "name": p.name, "email": p.address} for n, p in enumerate(c.CLIENTS)]
    tickets: list[dict[str, Any]] = []
    listed: dict[date, list[str]] = {}
    comment_id, dropped = 5000, ""
    drop_day = days[-3]
    for day in days:
        for when in _moments(rng, day, _volume(rng, day, (3, 6), (1, 2)), zone):
            ticket_id, customer, agent = 4000 + len(tickets), rng.choice(customers), rng.choice(agents)
            comments = []
            for offset, author, text in (
                (0, customer, rng.choice(c.TICKET_CUSTOMER)),
                (rng.randint(10, 50), agent, rng.choice(c.TICKET_AGENT)),
            ):
                comment_id += 1
                at = (when + timedelta(minutes=offset)).astimezone(ZoneInfo("UTC"))
                comments.append(
                    {
                        "id": comment_id,
                        "type": "Comment",
                        "author_id": author["id"],
                        "public": True,
                        "body": c.fill(rng, text),
                        "created_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "via": {"channel": "web"},
                    }
                )
                listed.setdefault(at.astimezone(zone).date(), []).append(f"zendesk:{ticket_id}:{comment_id}")
            if day == drop_day and not dropped:
                dropped = listed[day][-1]
                comments = comments[:-1]  # the export job skipped this comment
            tickets.append(
                {
                    "id": ticket_id,
                    "subject": rng.choice(c.TICKET_SUBJECTS),
                    "requester_id": customer["id"],
                    "assignee_id": agent["id"],
                    "collaborator_ids": [],
                    "via": {"channel": "web"},
                    "comments": comments,
                }
            )
    path.write_text(
        json.dumps({"tickets": tickets, "users": agents + customers, "count": len(tickets)}, indent=1)
    )
    return listed, dropped


def seed_demo(ws: Workspace, actor: str) -> dict[str, Any]:
    """Register the firm's sources, ingest four weeks of traffic, and give the help desk's counts."""
    rng = random.Random(4511)
    zone = ZoneInfo(ZONE)
    today = ws.clock.now().astimezone(zone).date()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    connected = datetime.combine(days[0] - timedelta(days=7), datetime.min.time(), tzinfo=zone)
    specs = [
        ("mbx.dana.whitfield", "mailbox", "Dana Whitfield", [c.DANA.address], True),
        ("mbx.lee.park", "mailbox", "Lee Park", [c.LEE.address], True),
        ("grp.client-service", "group_mailbox", "Client Service desk", [c.GROUP.address], False),
        (
            "slack.harborstreet",
            "chat_workspace",
            "IT (Slack admins)",
            [p.address for p in (c.DANA, c.LEE, c.SAM)],
            True,
        ),
        ("zendesk.support", "customer_service", "Client Service desk", ["support agents"], False),
    ]
    for name, kind, owner, covered, review in specs:
        add_source(
            ws,
            SourceSpec(
                name=name,
                kind=kind,
                owner=owner,
                covered=tuple(covered),
                timezone=ZONE,
                capture_state="connected",
                connected_at=connected,
                review_connected=review,
            ),
            actor,
        )
    add_source(
        ws,
        SourceSpec(
            name="sms.registered-reps",
            kind="sms_mobile",
            owner="IT (mobile devices)",
            covered=(c.DANA.address, c.LEE.address),
            timezone=ZONE,
        ),
        actor,
    )
    reports = []
    with tempfile.TemporaryDirectory(prefix="proctor-demo-comms-") as tmp:
        root = Path(tmp)
        group_copy, dana_copy, copy_at = _journaling_copy(days, zone)
        dana = sorted([*_mail(rng, days, c.DANA, "dana", zone), (copy_at, dana_copy)])
        _write_eml(root / "dana", dana)
        _write_mbox(root / "lee.mbox", _mail(rng, days, c.LEE, "lee", zone))
        _write_maildir(
            root / "client-service", sorted([*_group_mail(rng, days, zone), (copy_at, group_copy)])
        )
        _slack(rng, days, zone, root / "slack-export.zip")
        listed, dropped = _zendesk(rng, days, zone, root / "zendesk-tickets.json")
        for source, path in (
            ("mbx.dana.whitfield", "dana"),
            ("mbx.lee.park", "lee.mbox"),
            ("grp.client-service", "client-service"),
            ("slack.harborstreet", "slack-export.zip"),
            ("zendesk.support", "zendesk-tickets.json"),
        ):
            reports.append(ingest(ws, root / path, source=source, actor=actor))
    for day, ids in sorted(listed.items()):
        if day in days:
            add_manifest(
                ws,
                source="zendesk.support",
                day=day,
                actor=actor,
                ids_file=(f"zendesk-{day.isoformat()}.txt", "\n".join(ids).encode()),
            )
    return {
        "sources": len(specs) + 1,
        "messages_stored": sum(r.stored for r in reports),
        "quarantined": sum(r.quarantined for r in reports),
        "silent_source": "grp.client-service",
        "never_connected": "sms.registered-reps",
        "missing_from_export": dropped,
    }
