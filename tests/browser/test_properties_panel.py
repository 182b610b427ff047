"""A policy analyst sets, in the properties panel, what the engine reads from a diagram:
the role of a lane, a task's form and legal deadline, a condition checked as she types,
and publishes them as version 2."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.accounts import username_of
from tests.browser.pages import publish, sign_in


def select(page: Page, element_id: str) -> None:
    """Click an element of the canvas (a connection on its line), as she would."""
    shape = page.locator(f'#modeler g.djs-element[data-element-id="{element_id}"]')
    shape.locator(".djs-hit").first.dispatch_event("click")
    expect(page.locator("#properties .bio-properties-panel-header-label")).to_be_visible()


def entry(page: Page, entry_id: str):
    return page.locator(f'#properties [data-entry-id="{entry_id}"]')


def checked(page: Page):
    """Until the panel has written what was typed and asked the server about it."""
    return page.expect_response(lambda response: "/api/modeling/check?" in response.url)


def lane_text(page: Page, lane_id: str):
    return page.locator(f'#modeler g.djs-element[data-element-id="{lane_id}"] .djs-visual text')


def open_modeler(page: Page) -> None:
    sign_in(page, username_of("policy_analyst"))
    page.goto("/modeler/reflection_period/1")
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()


def test_the_panel_sets_roles_forms_deadlines_and_checked_conditions(page, live_server,
                                                                    screenshot):
    engine = live_server.engine
    open_modeler(page)
    expect(lane_text(page, "Lane_social_work")).to_have_text("social work centre")

    select(page, "Lane_social_work")
    role = entry(page, "varnapot-role").locator("select")
    expect(role).to_have_value("social_work")
    role.select_option("ngo_counsellor")
    expect(lane_text(page, "Lane_social_work")).to_have_text("NGO counsellor")

    select(page, "grant_permitted_stay")
    form = entry(page, "varnapot-form").locator("select")
    expect(form).to_have_value("reflection.grant")
    form.select_option("reflection.decision")
    deadline = entry(page, "varnapot-deadline").locator("select")
    expect(deadline).to_have_value("stay_decision_due")
    expect(entry(page, "varnapot-due")).to_have_count(0)
    deadline.select_option("")
    due = entry(page, "varnapot-due").locator("input")
    with checked(page):
        due.fill("add_days(stay_started_on, 3)")
    screenshot(page, "task")

    select(page, "flow_refused")
    condition = entry(page, "varnapot-condition")
    expect(condition.locator("input")).to_have_value("stay_decision == 'refused'")
    condition.locator("input").fill("__import__('os').system('id')")
    expect(condition.locator(".bio-properties-panel-error")).to_contain_text(
        "only these functions may be called")
    screenshot(page, "refused-condition")
    condition.locator("input").fill("stay_decision in ('refused', 'withdrawn')")
    expect(condition.locator(".bio-properties-panel-error")).to_have_count(0)

    publish(page, "Social work's tasks move to the NGO; the decision has three days.")
    expect(page.locator("#modeler-status")).to_contain_text(
        "Published reflection_period version 2")
    published = engine.repository.xml("reflection_period", 2)
    assert '<bpmn:lane id="Lane_social_work" name="ngo_counsellor">' in published
    assert 'camunda:formKey="reflection.decision"' in published
    assert 'camunda:dueDate="add_days(stay_started_on, 3)"' in published
    assert "stay_decision in ('refused', 'withdrawn')" in published
    assert "deadline:stay_decision_due" not in published.split('id="grant_permitted_stay"')[1] \
        .split(">")[0]


def test_a_service_task_chooses_its_handler_and_a_timer_is_checked(page, live_server):
    engine = live_server.engine
    open_modeler(page)
    select(page, "record_stay_decision")
    handler = entry(page, "varnapot-handler").locator("select")
    expect(handler).to_have_value("reflection.record_stay_decision")
    expect(handler.locator("option", has_text="(residence_permit.record_permit)")) \
        .to_have_count(1)

    select(page, "stay_expiring")
    kind = entry(page, "varnapot-timer-type").locator("select")
    expect(kind).to_have_value("timeDate")
    kind.select_option("timeCycle")
    value = entry(page, "varnapot-timer-value").locator("input")
    value.fill("R/PT5M")
    expect(entry(page, "varnapot-timer-value").locator(".bio-properties-panel-error")) \
        .to_contain_text("at most once an hour")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#modeler-status")).to_contain_text("Problems found")
    assert [v.version for v in engine.repository.versions("reflection_period")] == [1]
