"""A file's type is read from its bytes, and a PDF that would run or unpack without end
is refused before it is kept."""

from __future__ import annotations

import zlib

import pytest

from engine.protection.file_types import INFLATE_LIMIT, FileRefused, content_type

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def with_stream(content: bytes) -> bytes:
    return PDF.replace(b"%%EOF", b"2 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + content
                       + b"\nendstream\nendobj\n%%EOF")


def test_the_type_comes_from_the_content_not_the_name():
    assert content_type(PDF) == "application/pdf"
    assert content_type(b"\x89PNG\r\n\x1a\n\x00\x00") == "image/png"
    assert content_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    for other in (b"<html><script>alert(1)</script>", b"PK\x03\x04docx", b"GIF89a"):
        with pytest.raises(FileRefused, match="Only PDF, PNG and JPEG"):
            content_type(other)


def test_a_pdf_with_a_harmless_compressed_page_is_kept():
    assert content_type(with_stream(zlib.compress(b"BT /F1 12 Tf (Odlocba) Tj ET"))) \
        == "application/pdf"


@pytest.mark.parametrize("hidden", [b"/Launch", b"/JS (x)", b"/RichMedia", b"/XFA [1 0 R]",
                                    b"/J#53 (x)", b"/#4a#61vaScript"])
def test_an_active_part_is_found_plainly_escaped_or_compressed(hidden):
    with pytest.raises(FileRefused, match="scripts"):
        content_type(PDF.replace(b"/Type /Catalog", hidden))
    with pytest.raises(FileRefused, match="scripts"):
        content_type(with_stream(zlib.compress(b"<< " + hidden + b" >>")))


def test_a_name_that_only_begins_like_an_active_one_is_no_reason_to_refuse():
    assert content_type(PDF.replace(b"/Type /Catalog", b"/JSONData 1 /Launcher 2"))


def test_a_pdf_that_unpacks_without_end_is_refused_unpacked_only_to_the_limit():
    bomb = zlib.compress(b"\x00" * (INFLATE_LIMIT + 1024), 9)
    with pytest.raises(FileRefused, match="unpacks to far more"):
        content_type(with_stream(bomb))
