"""The coordinator draws up Julija's individual protection plan, a form of some seventy
fields, in the browser.

A table of contents above the form leads to each of its nine sections; repeatable rows
(goals, emergency contacts) are added and removed with buttons, and the engine records
exactly the rows she filled, in order, gaps in their numbers and all; a half-filled form
is saved as her draft, comes back with every value when she opens the task again, and is
gone when she discards it, while the case itself does not move.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

from forms import examples
from tests.accounts import username_of
from tests.browser.pages import sign_in
from tests.scenarios.case import Case, identified

JULIJA = "SI-7K3Q-9F2M"
COORDINATOR = username_of("coordinator")
SECTIONS = ["1. Personal profile", "2. Needs assessment", "3. Goals",
            "4. Services and measures", "5. Monitoring", "6. Roles and responsibilities",
            "7. Timeframe", "8. Emergency contacts", "9. Signatures"]

PLAN = examples.PLAN
GOALS = [
    {"term": "immediate", "description": "She is safe and her health is cared for",
     "indicators": [{"id": "G1-1", "description": "Her injuries are treated",
                     "target_date": "2026-04-10"}]},
    {"term": "long_term", "description": "She is economically independent",
     "indicators": [{"id": "G3-1", "description": "She has a job",
                     "target_date": "2026-12-26"}]},
]
CONTACTS = [{"service": "Coordinator on duty", "phone": "+386 1 000 0000"},
            {"service": "National hotline", "phone": "080 1722"}]
"""What the engine should record: the rows she filled, in the order she sees them."""

REQUIRED = {
    "plan_date": PLAN["plan_date"],
    **{f"profile.{k}": PLAN["profile"][k] for k in ("languages", "case_history")},
    **{f"needs.{k}": v for k, v in PLAN["needs"].items() if k != "legal_compensation"},
    **{f"services.0.{k}": v for k, v in PLAN["services"][0].items()},
    **{f"monitoring.{k}": v for k, v in PLAN["monitoring"].items()},
    **{f"roles.{k}": v for k, v in PLAN["roles"].items()},
    "signatures.she_signed": True,
    "signatures.signed_on": PLAN["signatures"]["signed_on"],
}
"""Every other required input of the plan, by its HTML name (one service row)."""


def plan_page(page: Page, live_server: Any) -> tuple[Case, Any]:
    """Julija identified, her consent to a plan given on 2 March; on 1 April her
    coordinator opens the task of drawing up the plan."""
    engine = live_server.engine
    case = identified(engine, JULIJA)
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT, role="coordinator")
    case.at("2026-04-01")
    task = case.task("draw_up_plan")
    sign_in(page, COORDINATOR)
    page.goto(f"/tasks/{task.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(task.title)
    return case, task


def named(page: Page, name: str) -> Locator:
    return page.locator(f'[name="{name}"]')


def fill(page: Page, name: str, value: Any) -> None:
    """Type, choose or tick ``value`` into the input ``name``, as its kind asks."""
    control = named(page, name)
    kind = control.first.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
    if kind == "select":
        control.select_option(value)
    elif kind == "radio":  # a question: yes or no
        (yes if value else no)(page, name).check()
    elif kind == "checkbox":
        control.set_checked(bool(value))
    else:
        control.fill(str(value))


def yes(page: Page, name: str) -> Locator:
    return page.locator(f'input[type="radio"][name="{name}"][value="yes"]')


def no(page: Page, name: str) -> Locator:
    return page.locator(f'input[type="radio"][name="{name}"][value="no"]')


def fill_goal(page: Page, row: int, goal: dict[str, Any]) -> None:
    fill(page, f"goals.{row}.term", goal["term"])
    fill(page, f"goals.{row}.description", goal["description"])
    for key, value in goal["indicators"][0].items():
        fill(page, f"goals.{row}.indicators.0.{key}", value)


def group(page: Page, name: str) -> Locator:
    """A group of repeatable rows by its data key (``emergency_contacts``)."""
    return page.locator(f'fieldset.rows[data-rows="{name}"]')


def rows_of(group_: Locator) -> Locator:
    """The group's own rows, not those of a group inside one of them."""
    return group_.locator("xpath=./div[contains(concat(' ', @class, ' '), ' row ')]")


def add_button(group_: Locator) -> Locator:
    return group_.locator("xpath=./button[contains(@class, 'add-row')]")


def remove_button(row: Locator) -> Locator:
    return row.locator("xpath=./button[contains(@class, 'remove-row')]")


def test_the_table_of_contents_lists_the_nine_sections_and_leads_to_each(
        page, live_server, screenshot):
    _, task = plan_page(page, live_server)
    contents = page.get_by_role("navigation", name="Sections of this form")
    expect(contents).to_be_visible()
    expect(contents.get_by_role("heading")).to_have_text("Sections of this form")
    expect(contents.get_by_role("link")).to_have_text(SECTIONS)
    # it stands above the form
    assert contents.bounding_box()["y"] < page.locator("form.task-form").bounding_box()["y"]
    screenshot(page, "contents")

    signatures = page.locator("fieldset#f-signatures")
    expect(signatures).not_to_be_in_viewport()
    contents.get_by_role("link", name="9. Signatures").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.id}#f-signatures")
    expect(signatures).to_be_in_viewport()
    expect(signatures.locator("xpath=./legend")).to_have_text("9. Signatures")
    screenshot(page, "at-signatures")

    page.locator("#form-contents-heading").scroll_into_view_if_needed()
    contacts = page.locator("fieldset#f-emergency_contacts")
    contents.get_by_role("link", name="8. Emergency contacts").click()
    expect(contacts).to_be_in_viewport()
    expect(contacts.locator("xpath=./legend")).to_have_text("8. Emergency contacts *")

    page.locator("#form-contents-heading").scroll_into_view_if_needed()
    needs = page.locator("fieldset#f-needs")
    contents.get_by_role("link", name="2. Needs assessment").click()
    expect(needs).to_be_in_viewport()
    expect(signatures).not_to_be_in_viewport()


def test_rows_are_added_and_removed_and_the_engine_records_the_filled_ones_in_order(
        page, live_server, screenshot):
    engine = live_server.engine
    _, task = plan_page(page, live_server)

    # 8. Emergency contacts: two blank rows, each removable, and a button to add one.
    contacts = group(page, "emergency_contacts")
    rows = rows_of(contacts)
    expect(rows).to_have_count(2)
    expect(add_button(contacts)).to_have_text("Add a row")
    # A screen reader hears which list a button acts on.
    expect(add_button(contacts)).to_have_accessible_name("Add a row to 8. Emergency contacts")
    expect(add_button(contacts)).to_be_visible()
    for number in range(2):
        expect(remove_button(rows.nth(number))).to_have_text("Remove this row")
        expect(remove_button(rows.nth(number))).to_be_visible()
    for key, value in CONTACTS[0].items():
        fill(page, f"emergency_contacts.0.{key}", value)
    fill(page, "emergency_contacts.1.service", "Shelter")
    fill(page, "emergency_contacts.1.phone", "01 234 5678")

    add_button(contacts).click()
    expect(rows).to_have_count(3)
    third = rows.nth(2)
    expect(third).to_have_attribute("data-row", "2")
    service, phone = named(page, "emergency_contacts.2.service"), \
        named(page, "emergency_contacts.2.phone")
    expect(service).to_be_focused()
    expect(service).to_have_value("")
    expect(phone).to_have_value("")
    expect(service).to_have_id("f-emergency_contacts-2-service")
    expect(service).to_have_accessible_name("Service *")  # its label follows it
    expect(third.locator('[name^="emergency_contacts.2."]')).to_have_count(2)
    page.keyboard.type(CONTACTS[1]["service"])  # typed where the focus went
    phone.fill(CONTACTS[1]["phone"])
    screenshot(page, "three-contacts")

    remove_button(rows.nth(1)).click()  # the shelter, between the two
    expect(rows).to_have_count(2)
    expect(named(page, "emergency_contacts.1.service")).to_have_count(0)
    expect(rows.nth(0)).to_have_attribute("data-row", "0")
    expect(rows.nth(1)).to_have_attribute("data-row", "2")
    expect(service).to_be_focused()  # the row after the one removed
    expect(service).to_have_value(CONTACTS[1]["service"])

    # 3. Goals: a row added after the highest carries its own indicator rows.
    goals = group(page, "goals")
    goal_rows = rows_of(goals)
    expect(goal_rows).to_have_count(2)
    add_button(goals).click()
    expect(goal_rows).to_have_count(3)
    expect(goal_rows.nth(2)).to_have_attribute("data-row", "2")
    expect(named(page, "goals.2.term")).to_be_focused()
    indicators = group(page, "goals.2.indicators")
    expect(indicators).to_have_count(1)
    expect(rows_of(indicators)).to_have_count(2)
    expect(named(page, "goals.2.indicators.0.id")).to_have_value("")
    expect(named(page, "goals.2.indicators.1.target_date")).to_have_value("")
    expect(add_button(indicators)).to_be_visible()
    add_button(indicators).click()
    expect(rows_of(indicators)).to_have_count(3)
    expect(named(page, "goals.2.indicators.2.id")).to_be_focused()
    fill_goal(page, 0, GOALS[0])
    fill_goal(page, 2, GOALS[1])
    remove_button(goal_rows.nth(1)).click()
    expect(goal_rows).to_have_count(2)
    expect(named(page, "goals.1.term")).to_have_count(0)
    expect(remove_button(goal_rows.nth(0))).to_be_visible()

    # The last row left cannot be removed: its button hides.
    milestones = group(page, "timeframe.milestones")
    expect(rows_of(milestones)).to_have_count(2)
    remove_button(rows_of(milestones).nth(1)).click()
    expect(rows_of(milestones)).to_have_count(1)
    expect(remove_button(rows_of(milestones).nth(0))).to_be_hidden()
    expect(add_button(milestones)).to_be_focused()
    add_button(milestones).click()
    expect(rows_of(milestones)).to_have_count(2)
    expect(rows_of(milestones).nth(1)).to_have_attribute("data-row", "1")
    expect(remove_button(rows_of(milestones).nth(0))).to_be_visible()

    for name, value in REQUIRED.items():
        fill(page, name, value)
    screenshot(page, "filled")
    page.get_by_role("button", name="Complete the task").click()

    expect(page.locator(".flash.success")).to_have_text(f"Done: {task.title} ({JULIJA}).")
    done = engine.tasks.task(task.id)
    assert (done.status, done.completed_by) == ("completed", COORDINATOR)
    recorded = engine.runtime.task_instance(task.id).variables
    assert recorded["emergency_contacts"] == CONTACTS
    assert [(g["term"], g["description"], g["indicators"]) for g in recorded["goals"]] == \
        [(g["term"], g["description"], g["indicators"]) for g in GOALS]
    assert recorded["timeframe"]["milestones"] == []
    assert [s["area"] for s in recorded["services"]] == ["health"]


DRAFT = {"plan_date": "2026-04-01",
         "profile.case_history": "Recruited for hotel cleaning;\npassport taken; unpaid.",
         "profile.languages": "Ukrainian, Russian",
         "needs.safety_risk_level": "high",
         "goals.0.indicators.0.target_date": "2026-04-10",
         "emergency_contacts.0.service": CONTACTS[0]["service"],
         "signatures.she_signed": True}
"""Part of the plan: a date, free text over two lines, a choice, a tick and a row."""


def test_a_draft_keeps_every_typed_value_for_her_until_she_discards_it(
        page, live_server, screenshot):
    engine = live_server.engine
    case, task = plan_page(page, live_server)
    revision = case.instance.revision
    expect(page.locator(".draft-notice")).to_have_count(0)
    for name, value in DRAFT.items():
        fill(page, name, value)
    add_button(group(page, "emergency_contacts")).click()
    fill(page, "emergency_contacts.2.phone", CONTACTS[1]["phone"])  # row 1 left blank

    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash.success")).to_have_text(
        "Your draft is saved. Only you see it; it is checked when you complete the task.")
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.id}")
    expect(page.locator(".flash.error")).to_have_count(0)
    expect(page.locator(".field.has-error")).to_have_count(0)  # not checked yet
    # The case did not move: the task is open, the instance as it was.
    assert engine.tasks.task(task.id).status == "open"
    assert case.instance.revision == revision
    assert engine.drafts.draft(task.id, COORDINATOR) is not None

    page.reload()
    notice = page.locator(".draft-notice")
    expect(notice).to_contain_text("You are continuing your draft of ")
    expect(notice).to_contain_text("Only you see it.")
    for name, value in DRAFT.items():
        if value is True:
            expect(yes(page, name)).to_be_checked()
        else:
            expect(named(page, name)).to_have_value(value)
    # The rows she filled come back in order; blank rows wait below them.
    contacts = rows_of(group(page, "emergency_contacts"))
    expect(contacts.nth(0).locator('[name$=".service"]')).to_have_value(CONTACTS[0]["service"])
    expect(contacts.nth(1).locator('[name$=".phone"]')).to_have_value(CONTACTS[1]["phone"])
    expect(contacts.nth(1).locator('[name$=".service"]')).to_have_value("")
    expect(named(page, "profile.age")).to_have_value("")
    screenshot(page, "draft-back")

    notice.get_by_role("button", name="Discard the draft").click()
    expect(page.locator(".flash.success")).to_have_text("Your draft was discarded.")
    expect(page.locator(".draft-notice")).to_have_count(0)
    for name, value in DRAFT.items():
        if value is True:
            expect(yes(page, name)).not_to_be_checked()
            expect(no(page, name)).not_to_be_checked()
        else:
            expect(named(page, name)).to_have_value("")
    expect(rows_of(group(page, "emergency_contacts"))).to_have_count(2)
    screenshot(page, "discarded")
    assert engine.drafts.draft(task.id, COORDINATOR) is None
    assert engine.tasks.task(task.id).status == "open"
    assert case.instance.revision == revision
