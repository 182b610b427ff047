"""A caseworker in Belgrade or Banja Luka: the pages in Serbian Cyrillic or Bosnian, roles
named as her country names them, and a deadline whose legal basis the law's text does
not confirm yet flagged where she tracks it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po

from tests.accounts import add_users
from tests.web_app import csrf_of

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
CYRILLIC = re.compile(r"^[\u0400-\u04FF\s,.:;()\-–0-9]+$")


@pytest.fixture(autouse=True)
def catalogues(app, compiled_catalogues):
    app.extensions["babel"].translation_directories = [str(compiled_catalogues)]


def translated(language: str, domain: str, text: str) -> str:
    with (TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as source:
        found = read_po(source).get(text)
    assert found is not None and found.string and not found.fuzzy, (language, text)
    return str(found.string)


def returning_victim(engine) -> None:
    engine.runtime.start("returning_victim_rs", "RS-2026-0007", {
        "referred_by": "embassy", "returning_from": "Austria",
        "expected_arrival": "2026-03-09"}, actor="coordinator", jurisdiction="RS")


def test_the_centre_reads_a_returning_victims_task_in_serbian_cyrillic(app, engine,
                                                                       signed_in):
    returning_victim(engine)
    engine.credentials.set_language("coordinator", "sr_Cyrl")
    html = signed_in("coordinator").get("/worklist").get_data(as_text=True)
    assert '<html lang="sr-Cyrl">' in html
    title = translated("sr_Cyrl", "procedures", "Prepare her reception")
    centre = translated("sr_Cyrl", "procedures",
                        "Centre for the Protection of Victims of Trafficking, Coordination "
                        "Service")
    assert CYRILLIC.match(title) and CYRILLIC.match(centre), (title, centre)
    row = re.search(r'<tr[^>]*data-task-id="(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    assert row and title in row.group(2) and centre in row.group(2), html

    # She prepares the reception through the form, in Cyrillic; a missing answer is
    # explained in Cyrillic and records nothing.
    client, task = signed_in("coordinator"), row.group(1)
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    for label in ("Her reception at home", "Where she will stay"):
        assert translated("sr_Cyrl", "procedures", label) in page
    answers = {"stay_place": "shelter", "arranged": ["meeting_at_border", "transport"],
               "csrf_token": csrf_of(page)}
    refused = client.post(f"/tasks/{task}", data=answers)
    assert refused.status_code == 422
    missing = translated("sr_Cyrl", "procedures", "Fill this in.")
    assert CYRILLIC.match(missing) and missing in refused.get_data(as_text=True)
    assert [t.element_id for t in engine.tasks.tasks(roles=["police"])] == []
    done = client.post(f"/tasks/{task}", data={**answers, "arrival_crossing": "Батајница"})
    assert done.status_code == 302
    [received] = engine.tasks.tasks(roles=["police"])
    assert (received.element_id, str(received.due_date)) == ("receive_her", "2026-03-09")


def test_a_slovene_coordinator_sees_the_same_role_by_its_generic_name(app, engine,
                                                                      signed_in):
    """The label follows the case, not the reader: a Slovene case keeps the generic one."""
    returning_victim(engine)
    html = signed_in("coordinator").get("/worklist").get_data(as_text=True)
    assert "Centre for the Protection of Victims of Trafficking" in html  # the RS case
    engine.runtime.start("victim_protection", "SI-2026-0007", actor="coordinator")
    rows = re.findall(r'<tr[^>]*data-task-id="\d+"[^>]*>(.*?)</tr>',
                      signed_in("first-line").get("/worklist").get_data(as_text=True), re.S)
    assert rows and all("Centre for the Protection" not in r for r in rows)


def test_the_tracker_flags_a_deadline_whose_legal_basis_is_not_confirmed(app, engine,
                                                                         signed_in):
    engine.runtime.start("protection_ba", "BA-2026-0007", {
        "reasonable_grounds_on": "2026-03-02"}, actor="coordinator", jurisdiction="BA-SRP")
    engine.runtime.start("reflection_period", "SI-2026-0008", actor="coordinator")
    client = signed_in("coordinator")
    html = client.get("/deadlines/").get_data(as_text=True)
    rows = {re.search(r"[A-Z]{2}-2026-\d{4}", row).group(): row
            for row in re.findall(r'<tr class="deadline.*?</tr>', html, re.S)}
    assert "legal basis to be confirmed" in rows["BA-2026-0007"]
    assert "reflection.decision_months" in rows["BA-2026-0007"]
    assert "legal basis to be confirmed" not in rows["SI-2026-0008"]

    engine.credentials.set_language("coordinator", "bs")
    flag = translated("bs", "messages", "legal basis to be confirmed")
    assert flag in client.get("/deadlines/").get_data(as_text=True)
    api = client.get("/api/deadlines?case=BA-2026-0007").get_json()
    assert [d["unconfirmed_basis"] for d in api] == [["reflection.decision_months"]]


def test_the_calendar_feed_speaks_its_readers_language(app, engine, signed_in):
    engine.runtime.start("protection_ba", "BA-2026-0009", {
        "reasonable_grounds_on": "2026-03-02"}, actor="coordinator", jurisdiction="BA-SRP")
    engine.credentials.set_language("coordinator", "hr")
    client = signed_in("coordinator")
    page = client.get("/deadlines/").get_data(as_text=True)
    created = client.post("/deadlines/calendar", data={"csrf_token": csrf_of(page)})
    path = re.search(r'id="calendar-feed" value="([^"]+)"',
                     created.get_data(as_text=True)).group(1).replace("http://localhost", "")
    feed = app.test_client().get(path).get_data(as_text=True).replace("\r\n ", "")
    decision_due = format_date(date(2026, 4, 2), "medium", locale="hr")  # 1 month on
    assert translated("hr", "messages", "Legal date: %(day)s") % {"day": decision_due} in feed
    flagged = translated("hr", "messages", "Legal basis to be confirmed: %(keys)s")
    assert flagged % {"keys": "reflection.decision_months"} in feed


def test_the_service_for_foreigners_affairs_decides_her_stay_in_bosnian(app, engine,
                                                                        signed_in):
    engine.runtime.start("protection_ba", "BA-2026-0011", {
        "reasonable_grounds_on": "2026-03-02"}, actor="coordinator", jurisdiction="BA-SRP")
    add_users(engine, ["admin_unit"])
    engine.credentials.set_language("admin-unit", "bs")
    client = signed_in("admin-unit")
    [task] = engine.tasks.tasks(roles=["admin_unit"])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert '<html lang="bs">' in page
    for text in ("Decide on the recovery and reflection period",
                 "Service for Foreigners' Affairs", "Decision on the recovery and reflection "
                 "period"):
        assert translated("bs", "procedures", text).replace("'", "&#39;") in page, text
    done = client.post(f"/tasks/{task.id}", data={
        "stay_decision": "granted", "stay_decision_date": "2026-03-02",
        "csrf_token": csrf_of(page)})
    assert done.status_code == 302
    [end] = [d for d in engine.deadlines.deadlines(case_code="BA-2026-0011")
             if d.kind == "reflection_end"]
    assert (str(end.legal_date), end.jurisdiction) == ("2026-04-01", "BA-SRP")
