"""Julija's case file on her case page: the coordinator keeps a note and the police
decision, downloads the decision as it was added and is refused a program dressed as a
PDF, told why beside the form; the legal adviser sees the decision but neither the notes
nor their text."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.accounts import username_of
from tests.browser.pages import labelled, sign_in
from tests.scenarios.case import identified

JULIJA = "SI-7K3Q-9F2M"
NOTE = "She asked us never to call her mother's number; the aunt in Maribor is her contact."
DECISION = "Police decision on her stay"
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def open_her_case(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Cases", exact=True).click()
    page.locator("#cases").get_by_role("link", name=JULIJA, exact=True).click()
    expect(page.get_by_role("heading", name=f"Case {JULIJA}")).to_be_visible()


def documents(page: Page) -> Locator:
    """The rows of her documents table."""
    return page.locator("#documents tr.document")


def keep_note(page: Page, text: str) -> None:
    labelled(page, "New note").fill(text)
    page.get_by_role("button", name="Keep the note").click()
    expect(page.get_by_role("status")).to_have_text("The note is kept in her case file.")


def add_document(page: Page, kind: str, file: Path) -> None:
    labelled(page, "What it is").select_option(label=kind)
    labelled(page, "File").set_input_files(file)
    page.get_by_role("button", name="Add the document").click()


def keep_note_and_decision(page: Page, folder: Path) -> Path:
    """The coordinator, on Julija's case page, keeps NOTE and the police decision."""
    keep_note(page, NOTE)
    decision = folder / "police-decision.pdf"
    decision.write_bytes(PDF)
    add_document(page, DECISION, decision)
    expect(page.get_by_role("status")).to_have_text(
        "The document is kept in her case file, sealed.")
    return decision


def test_the_coordinator_keeps_a_note_and_the_police_decision_and_gets_it_back_unchanged(
        page, live_server, screenshot, tmp_path):
    identified(live_server.engine, JULIJA, stay_granted=True)

    sign_in(page, username_of("coordinator"))
    open_her_case(page)
    expect(page.locator("#notes .empty")).to_be_visible()
    expect(page.locator("#documents .empty")).to_have_text(
        "No document is kept for her yet.")

    keep_note_and_decision(page, tmp_path)
    expect(page.locator("#notes .note-text")).to_have_text([NOTE])
    expect(page.locator("#notes .note .meta")).to_contain_text(username_of("coordinator"))
    expect(documents(page)).to_have_count(1)
    row = documents(page).first
    expect(row).to_contain_text(DECISION)
    expect(row).to_contain_text(username_of("coordinator"))

    with page.expect_download() as download_info:
        row.get_by_role("link", name="police-decision.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "police-decision.pdf"
    assert Path(download.path()).read_bytes() == PDF

    program = tmp_path / "permit.pdf"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    add_document(page, "Temporary residence permit", program)
    refusal = page.locator("#documents").get_by_role("alert")
    expect(refusal).to_contain_text("Only PDF, PNG and JPEG")
    expect(refusal).to_be_in_viewport()  # said beside the form, not at the top of the page
    expect(labelled(page, "What it is")).to_have_value("residence_permit")  # kept chosen
    expect(documents(page)).to_have_count(1)
    expect(page.locator("#documents")).not_to_contain_text("permit.pdf")
    screenshot(page, "coordinator")


def test_the_legal_adviser_sees_the_police_decision_but_not_the_case_notes(
        page, new_page, live_server, screenshot, tmp_path):
    identified(live_server.engine, JULIJA, stay_granted=True)
    sign_in(page, username_of("coordinator"))
    open_her_case(page)
    keep_note_and_decision(page, tmp_path)

    adviser = new_page()
    sign_in(adviser, username_of("legal_adviser"))
    open_her_case(adviser)
    expect(documents(adviser)).to_have_count(1)
    expect(documents(adviser).first).to_contain_text(DECISION)
    expect(documents(adviser).first.get_by_role(
        "link", name="police-decision.pdf")).to_be_visible()
    expect(adviser.locator("#notes")).to_have_count(0)
    expect(adviser.get_by_role("heading", name="Case notes")).to_have_count(0)
    expect(adviser.locator("body")).not_to_contain_text(NOTE)
    screenshot(adviser, "legal-adviser")
