"""A coordinator follows Julija's case on the monitor: the diagram shows what is done,
what waits, and the path taken, in the top procedure and in the procedures it called."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.accounts import username_of
from tests.browser.pages import sign_in
from tests.scenarios.case import identified

JULIJA = "SI-7K3Q-9F2M"


def marked(page: Page, marker: str) -> set[str]:
    """The ids of the diagram's elements that carry ``marker`` right now."""
    return set(page.locator(f"#diagram g.djs-element.{marker}").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('data-element-id'))"))


def shown(page: Page, process: str) -> None:
    expect(page.locator(f'#diagram[data-ready="true"][data-process="{process}"]')).to_be_visible()


def test_the_coordinator_sees_the_case_on_its_diagram(page, live_server, screenshot):
    engine = live_server.engine
    case = identified(engine, JULIJA)
    state = {p.process_key: p for p in engine.runtime.diagram_state(case.id).processes}

    sign_in(page, username_of("coordinator"))
    page.get_by_role("link", name="Monitor").click()
    page.get_by_role("link", name="All instances").click()
    page.locator("#instances tr", has_text=JULIJA).get_by_role(
        "link", name=str(case.id), exact=True).click()
    shown(page, "victim_protection")
    top = state["victim_protection"]
    assert marked(page, "completed") == set(top.completed)
    assert marked(page, "active") == set(top.active) == {"protection_plan",
                                                         "reflection_period"}
    assert "identification" in marked(page, "completed")
    assert marked(page, "taken") == set(top.taken_flows)
    assert not marked(page, "incident")
    screenshot(page, "victim-protection")
    zoom = page.get_by_role("toolbar", name="Zoom")
    zoom.get_by_role("button", name="Zoom in").click()
    fitted_after_zoom_in = int(zoom.get_attribute("data-zoom"))
    zoom.get_by_role("button", name="Fit the whole diagram").click()
    assert int(zoom.get_attribute("data-zoom")) < fitted_after_zoom_in

    page.locator("#diagram-tabs .tab", has_text="identification").click()
    shown(page, "identification")
    assert {"record_preliminary", "ask_referral_consent", "formal_identification"} <= \
        marked(page, "completed")
    assert "flow_start_to_record_preliminary" in marked(page, "taken")
    assert not marked(page, "active")
    screenshot(page, "identification")

    page.locator("#diagram-tabs .tab", has_text="reflection period").click()
    shown(page, "reflection_period")
    assert marked(page, "active") == {"grant_permitted_stay"}
    expect(page.locator("#timeline [data-event='task_completed']").first).to_be_visible()
