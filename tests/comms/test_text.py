"""Text extraction: HTML bodies, undeclared charsets, and text-like attachments."""

from __future__ import annotations

import io
import zipfile

from proctor.comms.formats._text import attachment_text, decode_bytes, html_to_text, normalise_text


def _docx(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<w:document xmlns:w="w"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def test_html_keeps_visible_text_on_block_boundaries() -> None:
    html = (
        "<html><head><title>t</title><script>var x = 1;</script></head><body>"
        "<table><tr><td>ACC-1</td><td>500</td></tr></table>"
        "<p>Total &amp; fees&nbsp;included</p></body></html>"
    )
    assert html_to_text(html) == "ACC-1 500\n\nTotal & fees included"


def test_normalise_collapses_blanks_and_blank_lines() -> None:
    assert normalise_text("  a \t b\r\n\r\n\r\n\r\nc\x00 ") == "a b\n\nc"


def test_undeclared_bytes_try_utf8_then_windows_1252_and_bad_charsets_do_not_fail() -> None:
    assert decode_bytes("café".encode()) == "café"
    assert decode_bytes(b"caf\xe9 \x93quoted\x94") == "café “quoted”"
    assert decode_bytes(b"caf\xe9", "x-no-such-charset") == "café"
    assert decode_bytes("Grüße".encode("iso-8859-15"), "iso-8859-15") == "Grüße"


def test_office_documents_and_text_files_give_text_binaries_give_nothing() -> None:
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (
        attachment_text("terms.docx", docx_type, _docx("Settlement T+1", "Fee 0.5%"))
        == "Settlement T+1\nFee 0.5%"
    )
    assert attachment_text("terms.docx", "application/octet-stream", _docx("by suffix")) == "by suffix"
    assert attachment_text("x.docx", docx_type, b"not a zip") == ""
    assert attachment_text("fills.json", "application/json", b'{"qty": 500}') == '{"qty": 500}'
    assert attachment_text("page.html", "text/html", b"<p>Hi</p>") == "Hi"
    assert attachment_text("scan.pdf", "application/pdf", b"%PDF-1.4 ...") == ""
