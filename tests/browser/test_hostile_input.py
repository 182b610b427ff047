"""Hostile text is kept verbatim and shown as text: in her record and in a task's form.

SQL and HTML that an attacker (or a careless paste) puts in any text field is stored as
it was typed and shown back character for character; nothing of it runs. A script or an
inline handler that ran, or that the Content Security Policy had to block, would fail
the test (see conftest: script errors and CSP reports fail it), and so would a dialog.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from engine.protection.access import Reader
from forms import examples
from tests.accounts import username_of
from tests.browser.pages import field_id, sign_in
from tests.scenarios.case import Case

CODE = "SI-7K3Q-9F2M"
IDENTIFICATION = "Identification of a victim of trafficking"
COORDINATOR = Reader("coordinator", ("coordinator",), "test")
HOSTILE = [
    "Robert'); DROP TABLE case_record;--",
    "' OR '1'='1",
    '<script>document.title="pwned"</script>',
    '<img src=x onerror="document.title=\'pwned\'">',
    '"><svg onload=alert(1)>',
    "{{7*7}} ${7*7} %(name)s",
    "1; DELETE FROM access_event WHERE 1=1",
    "</textarea><b>bold</b>",
    "javascript:alert(1)",
    "Ana \u202eevil\u202c <i>x</i>",
    "x' UNION SELECT sealed_key FROM case_record--",
    "<iframe src=//example.org></iframe>",
]
TEXT_FIELDS = ["given_name", "family_name", "other_names", "place_of_birth", "nationality",
               "languages", "documents.0.number", "documents.0.issued_by", "phone", "email",
               "address", "narrative"]


def no_dialogs(page: Page) -> list[str]:
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def test_every_text_field_of_her_record_keeps_hostile_text_verbatim(page, new_page,
                                                                   live_server, screenshot):
    engine = live_server.engine
    Case.open(engine, CODE, process="identification")
    engine.consents.record(CODE, "record_identity", status="given",
                           decided_on=date(2026, 3, 1), obtained="in a meeting",
                           interpreter_used=False, given_by="herself", user="coordinator")
    opened = no_dialogs(page)
    sign_in(page, username_of("coordinator"))
    page.goto(f"/cases/{CODE}/person")
    page.locator(f"#{field_id('documents.0.type')}").select_option("passport")
    typed = dict(zip(TEXT_FIELDS, HOSTILE, strict=True))
    for name, text in typed.items():
        page.locator(f"#{field_id(name)}").fill(text)
    page.get_by_role("button", name="Save her record").click()
    expect(page.locator(".flash.success")).to_be_visible()

    for name, text in typed.items():  # read back from the database into the form
        expect(page.locator(f"#{field_id(name)}")).to_have_value(text)
    expect(page).to_have_title(f"Personal record {CODE} · Varna pot")
    screenshot(page, "record")
    stored = engine.people.read(COORDINATOR, CODE, "test").fields
    assert stored["family_name"] == typed["family_name"]
    assert stored["documents"][0]["number"] == typed["documents.0.number"]

    police = new_page()  # a reader without the form: the values are text in a list
    no_dialogs(police)
    sign_in(police, username_of("police"))
    police.goto(f"/cases/{CODE}/person")
    facts = police.locator("dl.person")
    expect(facts).to_contain_text(typed["given_name"])
    expect(facts).to_contain_text(typed["family_name"])
    expect(police.locator("dl.person b, dl.person script, dl.person img")).to_have_count(0)
    assert opened == []


def test_hostile_text_in_a_task_form_is_shown_verbatim_to_the_coordinator(page, live_server):
    engine = live_server.engine
    case = Case.open(engine, CODE, process="identification")
    task = case.task("record_preliminary")
    hostile = " | ".join(HOSTILE[:4])
    engine.tasks.complete(task.id, "officer", {**examples.PRELIMINARY,
                                               "preliminary_observations": hostile})
    opened = no_dialogs(page)
    sign_in(page, username_of("coordinator"))
    page.goto(f"/monitor/instances/{case.id}")
    page.get_by_text(re.compile(r"^\d+ things recorded$")).click()
    cell = page.locator('#variables tr[data-name="preliminary_observations"]')
    expect(cell.locator("td").nth(1)).to_have_text(hostile)
    expect(page).to_have_title(f"{IDENTIFICATION} {CODE} · Varna pot")
    assert opened == []
