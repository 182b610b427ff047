"""What an uploaded file really is, read from its bytes, and whether it may be kept.

A case file keeps decisions, permits and certificates: scans and PDFs. Only PDF, PNG and
JPEG are taken, because they are what offices send and none of them runs anything when
opened, except a PDF that carries scripts, launch actions, embedded files or forms
(XFA). The type is read from the content, never from the name or the type the browser
claims: a program renamed ``permit.pdf`` is refused.

A PDF's active parts hide in two ways, and both are looked through: names may be
written with ``#xx`` escapes (``/J#61vaScript``), and dictionaries may sit in compressed
object streams. Each compressed stream is inflated, to a bounded total size so a
decompression bomb is refused rather than unpacked.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from engine.kit.texts import translatable

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}
TYPE_OF_EXTENSION = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))

ACTIVE_PDF_NAMES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia",
                    b"/XFA", b"/SubmitForm", b"/ImportData")
"""PDF names that make a reader run, open or send something."""
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)
INFLATE_LIMIT = 64 * 1024 * 1024
"""How much the compressed streams of one PDF may unpack to, all together."""


class FileRefused(Exception):
    """Why a file cannot be kept, in words for the person who chose it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def content_type(data: bytes) -> str:
    """The type of ``data`` by its first bytes; :class:`FileRefused` if not one we keep."""
    for signature, found in _SIGNATURES:
        if data.startswith(signature):
            if found == PDF:
                _refuse_active_pdf(data)
            return found
    raise FileRefused(translatable(
        "Only PDF, PNG and JPEG files are kept in a case file; this file is none of them. "
        "Scan or print it to PDF and add it again."))


def _refuse_active_pdf(data: bytes) -> None:
    for part in _pdf_parts(data):
        plain = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), part)
        for name in ACTIVE_PDF_NAMES:
            if re.search(re.escape(name) + rb"(?![A-Za-z])", plain):
                raise FileRefused(translatable(
                    "This PDF holds scripts, actions, embedded files or forms that could "
                    "run when it is opened; it cannot be kept. Print it to a new PDF and "
                    "add that."))


def _pdf_parts(data: bytes) -> Iterator[bytes]:
    """The PDF's bytes, then each of its streams inflated where it inflates."""
    yield data
    budget = INFLATE_LIMIT
    for match in _STREAM.finditer(data):
        try:
            part = zlib.decompressobj().decompress(match.group(1), budget + 1)
        except zlib.error:
            continue
        budget -= len(part)
        if budget < 0:
            raise FileRefused(translatable(
                "This PDF unpacks to far more than its size; it cannot be kept. Print it "
                "to a new PDF and add that."))
        yield part
