"""Turning bytes in a declared (or wrongly declared) charset, and HTML, into searchable text.

Review and search read the normalised text; the record stays the original bytes, so decoding
here may replace what it cannot read but must never fail an import.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
    ]
)
_SKIP_TAGS = frozenset(("script", "style", "head", "title"))
_BLANK_LINES = re.compile(r"\n\n\n+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, with block elements on their own lines."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return normalise_text("".join(parser.parts))


def normalise_text(text: str) -> str:
    """One newline convention, no runs of spaces or blank lines, no NULs: what search indexes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    # str.split() collapses every run of Unicode blanks and trims the line, in C.
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    return _BLANK_LINES.sub("\n\n", text).strip()


def _known_charset(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    if name in ("unknown-8bit", "x-unknown", "8bit", "default"):
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset; undeclared or unknown means UTF-8, then Windows-1252.

    Windows-1252 is the fallback because undeclared 8-bit mail from the Exchange era is nearly
    always that; it maps every byte, so the text is never lost, only possibly mis-rendered.
    """
    name = _known_charset(charset)
    if name is not None and name not in ("ascii", "us-ascii"):
        return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_TEXT_TYPES = frozenset(
    (
        "application/json",
        "application/xml",
        "application/csv",
        "application/x-csv",
        "application/rtf",
        "message/rfc822",
    )
)
_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("word/document.xml",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xl/sharedStrings.xml",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("ppt/slides/",),
}
_OOXML_BY_SUFFIX = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_SUFFIXES = (".txt", ".csv", ".json", ".xml", ".log", ".md", ".eml", ".htm", ".html", ".ics", ".vcf")
_XML_TAG = re.compile(rb"<[^>]+>")
_PARA_END = re.compile(rb"</(?:w:p|a:p|si)>")


def _ooxml_text(data: bytes, prefixes: tuple[str, ...]) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = sorted(n for n in zf.namelist() if n.startswith(prefixes) and n.endswith(".xml"))
            chunks = [_XML_TAG.sub(b"", _PARA_END.sub(b"\n", zf.read(n))) for n in names]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return ""
    return html_to_text(b"\n".join(chunks).decode("utf-8", errors="replace").replace("\n", "<br>"))


def attachment_text(name: str, content_type: str, data: bytes, charset: str | None = None) -> str:
    """Searchable text of a text-like attachment (plain, HTML, CSV, JSON, XML, Office XML).

    Binary formats this module cannot read (PDF, images, legacy Office) give "" so the caller
    can tell that nothing was extracted, not that the file was empty.
    """
    ctype = content_type.lower()
    lname = name.lower()
    if ctype == "text/html" or lname.endswith((".htm", ".html")):
        return html_to_text(decode_bytes(data, charset))
    if ctype.startswith("text/") or ctype in _TEXT_TYPES or lname.endswith(_TEXT_SUFFIXES):
        return normalise_text(decode_bytes(data, charset))
    ooxml = ctype if ctype in _OOXML else _OOXML_BY_SUFFIX.get(lname[lname.rfind(".") :], "")
    if ooxml:
        return _ooxml_text(data, _OOXML[ooxml])
    return ""


def iso_in_zone(moment: datetime, zone: tzinfo | None = None) -> str:
    """ISO 8601 of ``moment`` in ``zone`` (or its own zone), with the offset spelled out."""
    local = moment.astimezone(zone) if zone is not None else moment
    return local.isoformat()


def from_epoch(seconds: float, offset: timedelta | None = None) -> tuple[datetime, str]:
    """UTC instant and original-zone ISO text for an epoch timestamp (Slack ``ts``, Bloomberg)."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    zone = timezone(offset) if offset is not None else UTC
    return moment, moment.astimezone(zone).isoformat()


def parse_iso(value: str, zone: tzinfo | None = None) -> tuple[datetime, str] | None:
    """Parse ISO 8601 (``Z`` allowed). A value without offset needs ``zone``; else None."""
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        if zone is None:
            return None
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC), moment.isoformat()
    except OverflowError:  # the last hours of year 9999 west of UTC, the first of year 1 east
        return None
