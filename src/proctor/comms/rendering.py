"""Human-readable renderings of a preserved communication: HTML and PDF.

SEA 17a-4(f)(2)(iv) asks that records can be produced in a human-readable format as well as a
reasonably usable electronic one. The original bytes stay the record; these renderings are a view
of it for an examiner who does not open .eml or Slack JSON files. Each shows who, when, which
source and the text, and names the record's SHA-256 so the view can be tied back to the original.

PDFs use the PDF standard Courier font (WinAnsi, i.e. Windows-1252: accents, curly quotes,
dashes, the euro sign) when the text fits it, which needs no embedded font and keeps a large
production fast; otherwise they embed a subset of the DejaVu Sans Mono TrueType font, so Greek,
Cyrillic and other scripts DejaVu covers render as written. Without DejaVu installed, characters
outside Windows-1252 become "?" and the page says so: a rendering never silently drops text.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from proctor.comms.formats._mime import parse_rfc5322
from proctor.comms.formats.msg import parse_msg
from proctor.comms.model import Message, ParsedItem

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILE = "DejaVuSansMono.ttf"
WINANSI = "cp1252"  # the encoding of the PDF standard fonts (PDF 32000-1, Annex D)

#: The file extension an examiner's tools expect for each capture format's original bytes.
EXTENSIONS = {
    "eml": ".eml",
    "mbox": ".eml",
    "maildir": ".eml",
    "cmu_maildir": ".eml",
    "pst": ".eml",
    "msg": ".msg",
    "slack": ".json",
    "teams": ".json",
    "zendesk": ".json",
    "generic_jsonl": ".json",
    "generic_csv": ".csv",
    "bloomberg": ".xml",
    "whatsapp": ".txt",
}
_RFC5322 = {"eml", "mbox", "maildir", "cmu_maildir", "pst"}

# Letter paper, 15 mm margins, 9 pt monospace: 95 characters per line fit the text width.
_WIDTH = 95
_LINE_MM = 4.2
_TOP_MM = 18.0
_BOTTOM_MM = 262.0


def original_extension(fmt: str) -> str:
    return EXTENSIONS.get(fmt, ".bin")


@dataclass(frozen=True)
class RecordView:
    """What a rendering shows of one record; built from the stored row and its original bytes."""

    record_id: str
    source: str
    source_kind: str
    format: str
    sent_at: datetime
    sent_at_original: str
    sender: str
    participants: tuple[str, ...]
    subject: str
    body: str
    direction: str
    attachments: tuple[str, ...] = ()
    channel: str | None = None
    thread_id: str | None = None
    message_id: str | None = None
    retention: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def header_lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the order a reader expects, recipients grouped by role."""
        lines: list[tuple[str, str]] = [
            ("Record SHA-256", self.record_id),
            ("Source", f"{self.source} ({self.source_kind}), captured as {self.format}"),
            ("Sent", f"{self.sent_at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC"),
            ("Sent (as written)", self.sent_at_original),
            ("From", self.sender),
        ]
        by_role: dict[str, list[str]] = {}
        for entry in self.participants:
            role, _, address = entry.partition(":")
            if role != "from":
                by_role.setdefault(role, []).append(address)
        for role in ("to", "cc", "bcc", "member", "mention"):
            if role in by_role:
                lines.append((role.capitalize(), ", ".join(by_role[role])))
        if self.channel:
            lines.append(("Channel", self.channel))
        lines.append(("Subject", self.subject or "(none)"))
        lines.append(("Direction", self.direction))
        if self.message_id:
            lines.append(("Message-ID", self.message_id))
        if self.thread_id:
            lines.append(("Thread", self.thread_id))
        if self.attachments:
            lines.append(("Attachments", "; ".join(self.attachments)))
        if self.retention:
            lines.append(("Retention", self.retention))
        return lines


def body_from_original(raw: bytes, fmt: str, origin: str) -> str | None:
    """Re-read the text from the original bytes where the format allows one item on its own.

    E-mail and Outlook items are complete in themselves, so their text is rebuilt from the
    record rather than taken from the search index; other formats return None and the caller
    uses the indexed text.
    """
    item: ParsedItem
    if fmt in _RFC5322:
        item = parse_rfc5322(raw, origin, fmt)
    elif fmt == "msg":
        item = parse_msg(raw, origin)
    else:
        return None
    return item.body_text if isinstance(item, Message) else None


def render_html(view: RecordView, firm: str, produced_at: datetime) -> bytes:
    """A self-contained HTML page (no scripts, no external resources) for one record."""
    esc = html.escape
    rows = "\n".join(
        f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>" for label, value in view.header_lines()
    )
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in view.notes)
    stamp = produced_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(view.subject or view.record_id)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #111; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th {{ text-align: left; vertical-align: top; padding: 2px 12px 2px 0; color: #444; white-space: nowrap; }}
td {{ padding: 2px 0; word-break: break-word; }}
pre {{ white-space: pre-wrap; font-family: monospace; border-top: 1px solid #ccc; padding-top: 1em; }}
footer, .note {{ color: #555; font-size: 0.85em; }}
</style>
</head>
<body>
<h1>Communication record</h1>
<table>
{rows}
</table>
{notes}<pre>{esc(view.body)}</pre>
<footer>Produced by {esc(firm)} on {stamp} from the preserved original (SHA-256 {view.record_id}).
This page is a rendering; the original file in this production is the record.</footer>
</body>
</html>
"""
    return page.encode("utf-8")


def _font_path() -> Path | None:
    for folder in FONT_DIRS:
        candidate = folder / FONT_FILE
        if candidate.is_file():
            return candidate
    return None


def _fits_winansi(text: str) -> bool:
    try:
        text.encode(WINANSI)
    except UnicodeEncodeError:
        return False
    return True


def wrap_lines(text: str, width: int = _WIDTH) -> list[str]:
    """Hard-wrap text for a monospace page, keeping blank lines and breaking long tokens."""
    out: list[str] = []
    for line in text.expandtabs(4).splitlines() or [""]:
        if not line.strip():
            out.append("")
            continue
        out.extend(textwrap.wrap(line, width, drop_whitespace=False, replace_whitespace=False) or [""])
    return out


class PdfRenderer:
    """Renders records to PDF; finds the Unicode font once for a whole production."""

    def __init__(self, font_path: Path | None = None, *, use_system_font: bool = True) -> None:
        self.font_path = font_path or (_font_path() if use_system_font else None)

    def render(self, view: RecordView, firm: str, produced_at: datetime) -> bytes:
        header = [f"{label}: {value}" for label, value in view.header_lines()]
        stamp = produced_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        footer = f"Produced by {firm} on {stamp}. Rendering of record SHA-256 {view.record_id}."
        everything = "\n".join([*header, *view.notes, view.body, footer])
        pdf = FPDF(format="Letter", unit="mm")
        pdf.set_creation_date(produced_at.astimezone(UTC))
        pdf.set_title(view.subject or view.record_id)
        pdf.set_author(firm)
        notes = list(view.notes)
        pdf.core_fonts_encoding = WINANSI
        lossy = False
        if _fits_winansi(everything):
            pdf.set_font("Courier", size=9)
        elif self.font_path is not None:
            pdf.add_font("Mono", "", str(self.font_path))
            pdf.set_font("Mono", size=9)
        else:
            pdf.set_font("Courier", size=9)
            notes.append("Characters outside Windows-1252 are shown as '?' (no Unicode font installed).")
            lossy = True

        lines = ["COMMUNICATION RECORD", ""]
        for text in header:
            lines.extend(wrap_lines(text))
        for note in notes:
            lines.extend(wrap_lines(note))
        lines.extend(["", "-" * _WIDTH, ""])
        lines.extend(wrap_lines(view.body))
        lines.extend(["", "-" * _WIDTH, *wrap_lines(footer)])
        if lossy:
            lines = [line.encode(WINANSI, "replace").decode(WINANSI) for line in lines]
        self._write(pdf, lines)
        return bytes(pdf.output())

    @staticmethod
    def _write(pdf: FPDF, lines: list[str]) -> None:
        pdf.add_page()
        y = _TOP_MM
        for line in lines:
            if y > _BOTTOM_MM:
                pdf.add_page()
                y = _TOP_MM
            if line:
                pdf.text(15, y, line)
            y += _LINE_MM
