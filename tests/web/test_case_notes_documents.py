"""Her case file's notes and documents: sealed at rest, shown by need to know, checked
before they are kept, every read logged, and gone with her key.

The coordinator writes what a colleague taking over needs to know and keeps the police
decision and the permit. The legal adviser works with the permit but never reads her
account: no notes, no medical report. A renamed program, a PDF that runs scripts and a
file too large are refused with a reason, and nothing is kept.
"""

from __future__ import annotations

import re
import zlib
from io import BytesIO

import pytest
from sqlalchemy import func, select

from engine.protection.access import Reader
from engine.protection.case_file import DOCUMENT_LIMIT
from engine.store.models import CaseDocument, CaseNote
from tests.engine.raw_rows import raw_copy
from tests.web.her_case import CODE
from tests.web_app import csrf_of

NOTE = "Petrov called the safe house twice; she asks that no visitor be let in."
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Title (Decision 23-1/2026 Kovalenko) >>\n"
       b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def case_page(client) -> str:
    response = client.get(f"/cases/{CODE}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def write_note(client, text: str):
    return client.post(f"/cases/{CODE}/notes",
                       data={"text": text, "csrf_token": csrf_of(case_page(client))})


def add_document(client, kind: str, name: str, data: bytes):
    return client.post(f"/cases/{CODE}/documents", content_type="multipart/form-data",
                       data={"kind": kind, "file": (BytesIO(data), name),
                             "csrf_token": csrf_of(case_page(client))})


def state_of(engine) -> tuple[int, int]:
    with engine.db.reading() as session:
        return (session.scalar(select(func.count()).select_from(CaseNote)),
                session.scalar(select(func.count()).select_from(CaseDocument)))


def flashed(client) -> str:
    html = case_page(client)
    return " ".join(re.findall(r'class="flash [a-z]+"[^>]*>([^<]*)<', html))


def document_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr class="document [^"]*" data-kind="([a-z_]+)">.*?'
                           r'<a href="([^"]+)"', html, re.DOTALL))


def test_a_note_is_kept_sealed_and_read_by_those_who_work_with_her_account(
        case, engine, signed_in):
    coordinator = signed_in("coordinator")
    assert write_note(coordinator, f"  {NOTE}  ").status_code == 302
    page = case_page(coordinator)
    assert NOTE in page and "No note yet" not in page
    assert NOTE.encode() not in raw_copy(engine)  # sealed with her key
    (event,) = [e for e in engine.access.events(case_code=CODE) if e.username == "coordinator"]
    assert event.fields == ["case_notes"] and event.outcome == "granted"
    assert NOTE in case_page(signed_in("ngo-counsellor"))
    adviser_page = case_page(signed_in("legal-adviser"))
    assert "Petrov" not in adviser_page and 'id="notes"' not in adviser_page


def test_a_role_that_does_not_read_her_account_cannot_write_a_note(case, engine, signed_in):
    adviser = signed_in("legal-adviser")
    token = csrf_of(case_page(adviser))
    before = state_of(engine)
    response = adviser.post(f"/cases/{CODE}/notes", data={"text": NOTE, "csrf_token": token})
    assert response.status_code == 403
    assert state_of(engine) == before
    refused = engine.access.events(case_code=CODE, limit=1)[0]
    assert (refused.username, refused.outcome) == ("legal-adviser", "refused")


def test_an_empty_note_is_refused_with_a_reason_and_nothing_is_kept(case, engine, signed_in):
    coordinator = signed_in("coordinator")
    before = state_of(engine)
    write_note(coordinator, "   ")
    assert "Write the note." in flashed(coordinator)
    write_note(coordinator, "x" * 20_001)
    assert "A note is at most 20000 characters" in flashed(coordinator)
    assert state_of(engine) == before


def test_a_document_is_sealed_listed_by_kind_and_handed_back_as_it_was(
        case, engine, signed_in):
    coordinator = signed_in("coordinator")
    assert add_document(coordinator, "police_decision", "../../decision.pdf", PDF).status_code \
        == 302
    add_document(coordinator, "medical_report", "clinic.png", PNG)
    assert b"Kovalenko" not in raw_copy(engine)
    links = document_links(case_page(coordinator))
    assert set(links) == {"police_decision", "medical_report"}
    response = coordinator.get(links["police_decision"])
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=decision.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    read = engine.access.events(case_code=CODE, limit=1)[0]
    assert (read.what, read.fields) == ("opening a document", ["police_decision"])

    adviser = signed_in("legal-adviser")
    seen = document_links(case_page(adviser))
    assert list(seen) == ["police_decision"]  # the medical report is her account
    assert adviser.get(seen["police_decision"]).data == PDF
    refused = adviser.get(links["medical_report"])
    assert refused.status_code == 403 and PNG not in refused.data
    last = engine.access.events(case_code=CODE, limit=1)[0]
    assert (last.username, last.outcome) == ("legal-adviser", "refused")


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("permit.pdf", b"MZ\x90\x00" + b"\x00" * 60, "Only PDF, PNG and JPEG"),
    ("permit.pdf", PDF.replace(b"/Type /Catalog", b"/OpenAction << /S /JavaScript /JS "
                                                  b"(app.alert(1)) >>"), "scripts"),
    ("permit.pdf", PDF.replace(b"/Type /Catalog", b"/OpenAction << /S /J#61vaScript >>"),
     "scripts"),
    ("permit.pdf", PDF.replace(b"trailer", b"2 0 obj\n<< /Filter /FlateDecode >>\nstream\n"
                               + zlib.compress(b"<< /Type /EmbeddedFile >>")
                               + b"\nendstream\nendobj\ntrailer"), "embedded files"),
    ("permit.pdf", b"", "Choose the file to add."),
    ("permit.pdf", PDF + b"\x00" * DOCUMENT_LIMIT, "a document is at most 10 MB"),
])
def test_a_file_that_could_harm_or_is_too_large_is_refused_and_nothing_is_kept(
        case, engine, signed_in, name, data, reason):
    coordinator = signed_in("coordinator")
    before = state_of(engine)
    add_document(coordinator, "residence_permit", name, data)
    assert reason in flashed(coordinator)
    assert state_of(engine) == before


def test_an_unknown_kind_is_refused_and_a_role_cannot_add_a_kind_it_may_not_read(
        case, engine, signed_in):
    before = state_of(engine)
    coordinator = signed_in("coordinator")
    add_document(coordinator, "anything", "x.pdf", PDF)
    assert "Choose what kind of document it is." in flashed(coordinator)
    adviser = signed_in("legal-adviser")
    assert add_document(adviser, "medical_report", "x.pdf", PDF).status_code == 403
    assert 'value="medical_report"' not in case_page(adviser)
    assert state_of(engine) == before


def test_a_document_is_removed_only_by_who_added_it_or_the_coordinator(
        case, engine, signed_in):
    adviser = signed_in("legal-adviser")
    add_document(adviser, "residence_permit", "permit.pdf", PDF)
    counsellor = signed_in("ngo-counsellor")
    (link,) = document_links(case_page(counsellor)).values()
    remove = link + "/remove"
    token = csrf_of(case_page(counsellor))
    assert counsellor.post(remove, data={"confirmed": "1", "csrf_token": token}) \
        .status_code == 403
    coordinator = signed_in("coordinator")
    token = csrf_of(case_page(coordinator))
    coordinator.post(remove, data={"csrf_token": token})  # not confirmed: nothing happens
    assert coordinator.get(link).data == PDF
    coordinator.post(remove, data={"confirmed": "1", "csrf_token": token})
    assert coordinator.get(link).status_code == 404
    page = case_page(coordinator)
    assert "removed by coordinator" in page and "permit.pdf" in page
    with engine.db.reading() as session:
        assert session.scalar(select(CaseDocument.content)) is None


def test_notes_and_documents_are_in_her_export_and_gone_with_her_key(case, engine,
                                                                     signed_in):
    coordinator = signed_in("coordinator")
    write_note(coordinator, NOTE)
    add_document(coordinator, "police_decision", "decision.pdf", PDF)
    exported = engine.rights.export(Reader("coordinator", ("coordinator",), "tests"), CODE)
    assert exported["case_notes"][0]["text"] == NOTE
    (document,) = exported["documents"]
    assert (document["name"], document["kind"]) == ("decision.pdf", "police_decision")
    engine.rights.erase(CODE, "coordinator")
    with engine.db.reading() as session:
        assert session.scalar(select(CaseNote.body)) is None
        assert session.scalar(select(CaseDocument.content)) is None
        assert session.scalar(select(CaseDocument.about)) is None
    assert coordinator.get(f"/cases/{CODE}/documents/1").status_code == 410
