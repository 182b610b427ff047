"""A policy analyst renames a task in the modeler and publishes version 2; the instance
already running stays on version 1."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.accounts import username_of
from tests.browser.pages import expect_refusal, publish, sign_in
from tests.conftest import PROCESSES

NEW_NAME = "Decide on the permitted stay (90 days)"
SCRIPTED = re.sub(
    rb'<bpmn:userTask id="contact_family" name="([^"]*)"[^>]*>(.*?)</bpmn:userTask>',
    rb'<bpmn:scriptTask id="contact_family" name="\1">\2</bpmn:scriptTask>',
    (PROCESSES / "reflection_period.bpmn").read_bytes(), flags=re.S)


def open_and_validate(page, folder, content: bytes) -> None:
    """The analyst opens her own copy of the reflection period in the modeler, as a file
    saved from another modeler, and validates it."""
    copy = folder / "reflection_period.bpmn"
    copy.write_bytes(content)
    sign_in(page, username_of("policy_analyst"))
    page.goto("/modeler/reflection_period/1")
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()
    page.locator("#open-file").set_input_files(str(copy))
    expect(page.locator("#modeler-status")).to_contain_text("reflection_period.bpmn")
    page.get_by_role("button", name="Validate").click()


def test_the_analyst_publishes_a_renamed_task(page, live_server, screenshot):
    engine = live_server.engine
    running = engine.runtime.start("reflection_period", "SI-4P8W-2C6D", actor="tests")

    sign_in(page, username_of("policy_analyst"))
    page.get_by_role("link", name="Procedures").click()
    page.locator('#definitions tr[data-key="reflection_period"]').get_by_role(
        "link", name="Edit").click()
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()

    page.locator('#modeler g.djs-element[data-element-id="grant_permitted_stay"]').dblclick()
    editor = page.locator(".djs-direct-editing-content")
    expect(editor).to_be_visible()
    editor.fill(NEW_NAME)
    page.locator("#modeler .djs-container > svg").click(position={"x": 8, "y": 8})
    expect(editor).to_be_hidden()

    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#modeler-status")).to_contain_text("can be published")
    publish(page, "The decision names the 90 days.", staying="1 on version 1")
    expect(page.locator("#modeler-status")).to_contain_text(
        "Published reflection_period version 2")
    expect(page.locator("h1 .meta")).to_have_text("version 2")
    assert page.url.endswith("/modeler/reflection_period/2")
    screenshot(page, "published")

    versions = engine.repository.versions("reflection_period")
    assert [v.version for v in versions] == [1, 2]
    assert f'name="{NEW_NAME}"' in engine.repository.xml("reflection_period", 2)
    assert engine.runtime.instance(running.id).version == 1
    [task] = engine.runtime.instance(running.id).open_tasks
    assert task.title == "Decide on the permitted stay"
    assert engine.runtime.start("reflection_period", "SI-9H3K-7M4N").open_tasks[0].title \
        == NEW_NAME

    page.goto("/modeler/reflection_period/compare?from=1&to=2")
    expect(page.locator('#changes tr[data-element-id="grant_permitted_stay"]')).to_contain_text(
        "changed")


def test_a_name_still_being_typed_is_what_is_validated_and_published(page, live_server):
    """She renames a task and goes straight to the buttons, without Enter or a click on
    the canvas: what the canvas shows is what is checked and what becomes version 2."""
    engine = live_server.engine
    sign_in(page, username_of("policy_analyst"))
    page.goto("/modeler/reflection_period/1")
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()
    page.locator('#modeler g.djs-element[data-element-id="grant_permitted_stay"]').dblclick()
    editor = page.locator(".djs-direct-editing-content")
    editor.fill(NEW_NAME)
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#modeler-status")).to_contain_text("can be published")
    expect(editor).to_be_hidden()
    page.locator('#modeler g.djs-element[data-element-id="decide_extension"]').dblclick()
    expect(editor).to_be_visible()
    editor.fill("Decide on the extension, in writing")
    publish(page, "Two clearer names.", staying="No instance of this procedure is running")
    expect(page.locator("#modeler-status")).to_contain_text(
        "Published reflection_period version 2")
    published = engine.repository.xml("reflection_period", 2)
    assert f'name="{NEW_NAME}"' in published
    assert 'name="Decide on the extension, in writing"' in published
    expect(editor).to_be_hidden()


def test_validate_shows_each_problem_on_its_element(page, live_server, screenshot, tmp_path):
    expect_refusal(page, 422)  # the test makes the app refuse
    engine = live_server.engine
    open_and_validate(page, tmp_path, SCRIPTED)
    expect(page.locator('#problems li[data-element-id="contact_family"]')).to_contain_text(
        "handler")
    expect(page.locator('#modeler g.djs-element.problem[data-element-id="contact_family"]')
           ).to_be_attached()
    screenshot(page, "problem")

    page.get_by_role("button", name="Publish as a new version").click()
    dialog = page.locator("#publish-dialog")
    dialog.get_by_role("button", name="Publish", exact=True).click()
    expect(dialog).to_be_visible()  # not without a change note
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#modeler-status")).to_have_text("Not published.")
    publish(page, "The family is contacted by a script.")
    expect(page.locator("#modeler-status")).to_contain_text("Not published:")
    assert [v.version for v in engine.repository.versions("reflection_period")] == [1]

    with page.expect_download() as download:
        page.get_by_role("button", name="Download XML").click()
    saved = download.value.path().read_bytes()
    assert b'<bpmn:scriptTask id="contact_family"' in saved


def test_the_analyst_reads_a_decision_table(page, live_server, screenshot):
    """A published DMN table is shown read-only, with its rules, by dmn-js."""
    table = PROCESSES.parent / "tests" / "engine" / "constructs" / "referral.dmn"
    live_server.engine.repository.deploy(table)
    sign_in(page, username_of("policy_analyst"))
    page.get_by_role("link", name="Decision tables").click()
    page.locator('#decisions tr[data-key="referral_path"]').get_by_role("link").click()
    expect(page.locator('#decision[data-ready="true"]')).to_be_attached()
    rules = page.locator("#decision .tjs-table tbody tr")
    expect(rules).to_have_count(3)
    expect(rules.nth(0)).to_contain_text("labour_inspectorate")
    expect(page.locator("#decision [contenteditable=true]")).to_have_count(0)
    screenshot(page, "decision table")


def test_validate_names_a_camunda_setting_it_ignores(page, live_server, tmp_path):
    """A task assigned to a group in Camunda Modeler: the diagram can be published, and
    the analyst is told the task goes to the role of its lane instead."""
    open_and_validate(page, tmp_path, (PROCESSES / "reflection_period.bpmn").read_bytes().replace(
        b'<bpmn:userTask id="grant_permitted_stay"',
        b'<bpmn:userTask camunda:candidateGroups="police" id="grant_permitted_stay"', 1))
    expect(page.locator("#modeler-status")).to_contain_text("can be published")
    warning = page.locator('#problems li.ignored[data-element-id="grant_permitted_stay"]')
    expect(warning).to_contain_text("camunda:candidateGroups is ignored")
    expect(page.locator('#modeler g.djs-element.ignored[data-element-id='
                        '"grant_permitted_stay"]')).to_be_attached()


def test_compare_colours_each_change_on_the_two_diagrams(page, live_server, screenshot):
    """Version 2 renames a task, moves another on the diagram and adds a note: each is
    coloured on the diagram that has it, and a row of the table shows its element."""
    plane = b'<bpmndi:BPMNPlane id="BPMNPlane_reflection_period" bpmnElement=' \
            b'"Collaboration_reflection_period">'
    second = (PROCESSES / "reflection_period.bpmn").read_bytes().replace(
        b'name="Decide on the permitted stay"', b'name="Decide on the 90-day stay"').replace(
        b'<dc:Bounds x="930" y="295" width="100" height="80" />',
        b'<dc:Bounds x="960" y="295" width="100" height="80" />').replace(
        b"  </bpmn:process>", b'    <bpmn:textAnnotation id="note_on_law"><bpmn:text>Art. 50 '
        b"ZTuj-2</bpmn:text></bpmn:textAnnotation>\n  </bpmn:process>").replace(
        plane, plane + b'\n      <bpmndi:BPMNShape id="note_on_law_di" bpmnElement='
        b'"note_on_law"><dc:Bounds x="200" y="100" width="120" height="40" />'
        b"</bpmndi:BPMNShape>")
    live_server.engine.repository.deploy(second, source="second.bpmn")
    sign_in(page, username_of("policy_analyst"))
    page.goto("/modeler/reflection_period/compare?from=1&to=2")
    before, after = page.locator("#diff-from"), page.locator("#diff-to")
    expect(before).to_have_attribute("data-ready", "true")
    expect(after).to_have_attribute("data-ready", "true")

    def shape(side, change: str, element_id: str):
        return side.locator(f'g.djs-element.diff-{change}[data-element-id="{element_id}"]')

    expect(shape(after, "changed", "grant_permitted_stay")).to_be_attached()
    expect(shape(before, "changed", "grant_permitted_stay")).to_be_attached()
    expect(shape(after, "added", "note_on_law")).to_be_attached()
    expect(before.locator('[data-element-id="note_on_law"]')).to_have_count(0)
    expect(shape(after, "moved", "plan_after_refusal")).to_be_attached()
    expect(shape(before, "moved", "plan_after_refusal")).to_be_attached()
    expect(after.locator(".diff-changed, .diff-added, .diff-moved, .diff-removed")) \
        .to_have_count(3)
    moved = page.locator('#changes tr[data-element-id="plan_after_refusal"]')
    expect(moved).to_contain_text("moved")
    moved.click()
    expect(shape(after, "moved", "plan_after_refusal")).to_have_class(re.compile("diff-focus"))
    screenshot(page, "compared")

    page.goto("/modeler/reflection_period/compare?from=2&to=1")
    expect(page.locator("#diff-from")).to_have_attribute("data-ready", "true")
    expect(shape(page.locator("#diff-from"), "removed", "note_on_law")).to_be_attached()


def test_the_analyst_sees_where_cases_wait_on_the_diagram(page, live_server, screenshot):
    """Two stays wait for the police's decision and one went on to the coordinator: the
    heat map colours the police's task darkest, with its count beside it."""
    engine = live_server.engine
    first = engine.runtime.start("reflection_period", "SI-2026-0001").id
    for code in ("SI-2026-0002", "SI-2026-0003"):
        engine.runtime.start("reflection_period", code)
    [task] = [t for t in engine.runtime.instance(first).open_tasks
              if t.element_id == "grant_permitted_stay"]
    engine.tasks.complete(task.id, "officer", {
        "stay_decision": "granted", "stay_decision_date": engine.ctx.today().isoformat(),
        "victim_category": "trafficking", "informed_of_permit": True,
        "interpreter_provided": True})
    sign_in(page, username_of("policy_analyst"))
    page.goto("/modeler/reflection_period")
    page.get_by_role("link", name="How it performs").click()
    page.get_by_label("Colour the diagram by").select_option("waiting")
    page.get_by_role("button", name="Show").click()
    heat = page.locator("#heat-map")
    expect(heat).to_have_attribute("data-ready", "true")
    expect(heat.locator('g.djs-element.heat-5[data-element-id="grant_permitted_stay"]')) \
        .to_be_attached()
    expect(heat.locator('g.djs-element.heat-3[data-element-id="record_decision"]')) \
        .to_be_attached()
    expect(heat.locator(".heat-badge.heat-5")).to_have_text("2")
    expect(page.locator('#steps tr[data-element-id="grant_permitted_stay"]')).to_contain_text(
        "Decide on the permitted stay")
    screenshot(page, "heat map")
