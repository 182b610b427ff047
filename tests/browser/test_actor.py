"""A first-line police officer records Julija's preliminary identification in the browser.

She signs in, finds the case's task in her worklist, reads what to do, sends the form
once without her residence status (the message is next to that field, the rest of her
input still there), completes it, and lands on her next task of the case.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from playwright.sync_api import Locator, Page, expect

from engine import ProcessEngine
from engine.store.models import HumanTask
from engine.views import TaskView
from forms import examples
from forms.identification import INDICATORS as EVERY_INDICATOR
from tests.accounts import username_of
from tests.browser.pages import choice, expect_refusal, field, labelled, sign_in
from tests.scenarios.case import Case

JULIJA = "SI-7K3Q-9F2M"
OTHER = "SI-4P8W-2C6D"
OFFICER = username_of("first_line")
INDICATORS = ("no_identity_documents", "documents_held_by_others", "signs_of_distress",
              "controlled_movement")
NEEDS = ("safe_accommodation", "medical_care", "interpreter")
OBSERVATIONS = "Works as a cleaner, passport kept by the employer."
FILLED = {"referring_sector": "police", "observed_on": "2026-03-01",
          "preliminary_indicators": list(INDICATORS), "preliminary_observations": OBSERVATIONS,
          "age_years": 28, "stay_status": "foreigner_without_lawful_stay",
          "immediate_needs": list(NEEDS), "needs_arranged": list(NEEDS),
          "preliminary_interpreter_used": True}
"""What she enters, as the engine keeps it."""


def saved_data(engine: ProcessEngine, task_id: int) -> dict[str, Any]:
    """The data the completed task left in the saved workflow, for the steps after it."""
    with engine.db.reading() as session:
        human = session.get(HumanTask, task_id)
        row = engine.runtime.store.get(session, human.instance_id)
        workflow = engine.runtime.store.load(session, row)
        return dict(workflow.get_task_from_id(UUID(human.spiff_task_id)).data)


def worklist_row(page: Page, case_code: str, title: str) -> Locator:
    return page.locator("#worklist tbody tr").filter(has_text=case_code).filter(
        has=page.get_by_role("link", name=title))


def test_the_officer_records_the_preliminary_identification(page, live_server, screenshot):
    expect_refusal(page, 422)  # the test makes the app refuse
    engine = live_server.engine
    case = Case.open(engine, JULIJA)
    task = case.task("record_preliminary")
    assert task.role == "first_line"

    sign_in(page, OFFICER)
    expect(page).to_have_url(f"{live_server.url}/worklist")
    row = worklist_row(page, JULIJA, task.title)
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-task-id", str(task.id))
    screenshot(page, "worklist")

    row.get_by_role("link", name=task.title).click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(task.title)
    documentation = page.locator("section.documentation")
    expect(documentation).to_be_visible()
    expect(documentation).to_contain_text(task.documentation.split("\n\n")[0].strip())

    labelled(page, "Your sector").select_option("police")
    labelled(page, "Date you met her").fill("2026-03-01")
    for indicator in INDICATORS:
        choice(page, "preliminary_indicators", indicator).check()
    labelled(page, "What you noticed").fill(OBSERVATIONS)
    labelled(page, "Age").fill("28")
    for need in NEEDS:
        choice(page, "immediate_needs", need).check()
        choice(page, "needs_arranged", need).check()
    labelled(page, "An interpreter was used").check()
    page.get_by_role("button", name="Complete the task").click()  # no residence status

    expect(page.locator(".flash.error")).to_contain_text("The form has errors")
    refused = page.locator(".field.has-error")
    expect(refused).to_have_count(1)
    expect(field(page, "stay_status")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field(page, "stay_status").locator("p.error")).to_have_text(
        "Choose one.")
    # A screen reader hears the same: the refused field is invalid, and its help and
    # message are read with it; a group of checkboxes is announced by its question.
    status = labelled(page, "Her residence status")
    expect(status).to_have_attribute("aria-invalid", "true")
    expect(status).to_have_attribute("aria-required", "true")
    expect(status).to_have_accessible_description(re.compile(
        r"^A foreigner without lawful stay .* Choose one\.$"))
    indicators = page.get_by_role("group", name="Indicators you noticed *")
    expect(indicators).to_have_accessible_description(re.compile(r"^Tick what you saw"))
    # Every indicator is still offered: her sector's in sight, the others folded.
    expect(indicators.locator('input[type="checkbox"]')).to_have_count(len(EVERY_INDICATOR))
    expect(labelled(page, "Age")).not_to_have_attribute("aria-invalid", "true")
    expect(labelled(page, "Your sector")).to_have_value("police")
    expect(labelled(page, "Date you met her")).to_have_value("2026-03-01")
    for indicator in INDICATORS:
        expect(choice(page, "preliminary_indicators", indicator)).to_be_checked()
    expect(choice(page, "preliminary_indicators", "signs_of_violence")).not_to_be_checked()
    expect(labelled(page, "What you noticed")).to_have_value(OBSERVATIONS)
    expect(labelled(page, "Age")).to_have_value("28")
    expect(labelled(page, "An interpreter was used")).to_be_checked()
    screenshot(page, "refused")
    assert engine.tasks.task(task.id).status == "open"

    labelled(page, "Her residence status").select_option("foreigner_without_lawful_stay")
    page.get_by_role("button", name="Complete the task").click()

    following = case.task("ask_referral_consent")
    expect(page).to_have_url(f"{live_server.url}/tasks/{following.id}")
    expect(page.locator(".flash.success")).to_have_text(f"Done: {task.title} ({JULIJA}).")
    expect(page.get_by_role("heading", level=1)).to_have_text(following.title)
    screenshot(page, "next-task")

    done = engine.tasks.task(task.id)
    assert (done.status, done.completed_by) == ("completed", OFFICER)
    data = saved_data(engine, task.id)
    assert {key: data[key] for key in FILLED} == FILLED
    assert not data["treat_as_child"] and not data["unaccompanied"]
    (completed,) = engine.history.events(task_id=task.id, event_type="task_completed")
    assert completed.actor == OFFICER and set(FILLED) <= set(completed.data_keys)


def test_another_role_neither_sees_the_task_nor_opens_it(page, live_server, screenshot):
    expect_refusal(page, 403)  # the test makes the app refuse
    engine = live_server.engine
    task = Case.open(engine, JULIJA).task("record_preliminary")
    other = Case.open(engine, OTHER)  # referred already: the coordinator has work there
    other.complete("record_preliminary", "officer", examples.PRELIMINARY)
    other.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    theirs = other.task("formal_identification")

    sign_in(page, username_of("coordinator"))
    expect(page).to_have_url(re.compile(r"/monitor/$"))  # a coordinator lands there
    page.get_by_role("link", name="Worklist").click()
    expect(worklist_row(page, OTHER, theirs.title)).to_have_count(1)
    expect(page.locator("#worklist tbody tr").filter(has_text=JULIJA)).to_have_count(0)
    expect(page.locator(f'#worklist tr[data-task-id="{task.id}"]')).to_have_count(0)

    response = page.goto(f"/tasks/{task.id}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for your roles")
    expect(page.locator("form.task-form")).to_have_count(0)
    screenshot(page, "forbidden")
    assert engine.tasks.task(task.id).status == "open"


def referral_consent_page(page: Page, live_server: Any) -> TaskView:
    """Julija's preliminary identification recorded; her officer on the next task, which
    asks her consent to a referral."""
    case = Case.open(live_server.engine, JULIJA)
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    task = case.task("ask_referral_consent")
    sign_in(page, OFFICER)
    page.goto(f"{live_server.url}/tasks/{task.id}")
    return task


def test_her_consent_is_asked_with_yes_and_no_and_never_assumed(page, live_server,
                                                               screenshot):
    expect_refusal(page, 422)  # the test makes the app refuse
    engine = live_server.engine
    task = referral_consent_page(page, live_server)
    question = page.get_by_role("radiogroup", name="She agrees to be referred *")
    expect(question.get_by_role("radio")).to_have_count(2)
    expect(question.get_by_role("radio", name="Yes")).not_to_be_checked()
    expect(question.get_by_role("radio", name="No")).not_to_be_checked()
    labelled(page, "Date").fill("2026-03-01")
    labelled(page, "She was told how her data will be used").check()
    page.get_by_role("button", name="Complete the task").click()

    expect(question).to_have_attribute("aria-invalid", "true")
    expect(field(page, "referral_consent").locator("p.error")).to_have_text(
        "Answer yes or no.")
    summary = page.locator("#error-summary")  # every problem at once, read first
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link", name="She agrees to be referred: Answer yes or no.")
           ).to_have_attribute("href", "#f-referral_consent")
    expect(labelled(page, "Date")).to_have_value("2026-03-01")
    screenshot(page, "unanswered")
    assert engine.tasks.task(task.id).status == "open"
    assert engine.consents.consents(JULIJA) == []

    question.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Complete the task").click()
    expect(page.locator(".flash.success")).to_have_text(f"Done: {task.title} ({JULIJA}).")
    (consent,) = engine.consents.consents(JULIJA)
    assert (consent.status, consent.recorded_by) == ("given", OFFICER)


def test_a_field_shows_only_when_it_applies(page, live_server, screenshot):
    referral_consent_page(page, live_server)
    reasons = labelled(page, "Her reasons, if she wants to give them")
    expect(reasons).to_be_hidden()
    question = page.get_by_role("radiogroup", name="She agrees to be referred *")
    question.get_by_role("radio", name="No").check()
    expect(reasons).to_be_visible()
    reasons.fill("She wants to think about it")
    screenshot(page, "her-reasons")
    question.get_by_role("radio", name="Yes").check()
    expect(reasons).to_be_hidden()
    expect(reasons).to_be_disabled()  # typed before she said yes: not sent
