"""The first-line officer's indicator checklist follows her sector, in the browser.

Choosing "Your sector" puts that sector's indicators first, in its order, and folds the
others under "Indicators of other sectors"; another sector reorders the list again. A
ticked indicator is never folded away when the sector changes, ticking a folded one
does not move the list under her hand, and the engine records every indicator she ticked.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from forms.identification import INDICATORS, SECTOR_INDICATORS
from tests.accounts import username_of
from tests.browser.pages import choice, labelled, sign_in
from tests.scenarios.case import Case

JULIJA = "SI-7K3Q-9F2M"
OFFICER = username_of("first_line")
NAME = "preliminary_indicators"
OTHERS = "Indicators of other sectors"


def open_preliminary(page: Page, live_server) -> Case:
    """Julija's case opened; her officer signed in and on the preliminary identification."""
    case = Case.open(live_server.engine, JULIJA, process="identification")
    task = case.task("record_preliminary")
    sign_in(page, OFFICER)
    page.get_by_role("link", name=task.title).click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{task.id}")
    return case


def checklist(page: Page) -> Locator:
    return page.get_by_role("group", name="Indicators you noticed *")


def in_sight(page: Page) -> Locator:
    """The indicators shown at the top of the checklist, not folded."""
    return checklist(page).locator(":scope > label[data-choice]")


def folded(page: Page) -> Locator:
    return checklist(page).locator("details.more-choices")


def ticked_box(page: Page, key: str) -> Locator:
    return choice(page, NAME, key)


def order_on_page(page: Page) -> list[str]:
    return checklist(page).locator("label[data-choice]").evaluate_all(
        "labels => labels.map(label => label.dataset.choice)")


def words(keys) -> list[str]:
    return [INDICATORS[key] for key in keys]


def others_of(sector: str) -> list[str]:
    return [key for key in INDICATORS if key not in SECTOR_INDICATORS[sector]]


def fill_the_rest(page: Page) -> None:
    """The other required fields, with values from forms.examples.PRELIMINARY."""
    labelled(page, "Date you met her").fill("2026-03-01")
    labelled(page, "Age").fill("28")
    labelled(page, "Her residence status").select_option("foreigner_without_lawful_stay")
    choice(page, "immediate_needs", "safe_accommodation").check()
    choice(page, "needs_arranged", "safe_accommodation").check()


def test_her_sectors_indicators_come_first_and_the_others_fold_away(page, live_server,
                                                                    screenshot):
    open_preliminary(page, live_server)
    expect(in_sight(page)).to_have_count(len(INDICATORS))  # no sector yet: all in sight
    expect(folded(page)).to_be_hidden()

    labelled(page, "Your sector").select_option("police")
    expect(in_sight(page)).to_have_text(words(SECTOR_INDICATORS["police"]))
    expect(folded(page)).to_be_visible()
    expect(folded(page)).not_to_have_attribute("open", "")
    expect(folded(page).locator("summary")).to_have_text(OTHERS)
    expect(folded(page).locator("label[data-choice]")).to_have_text(words(others_of("police")))
    expect(ticked_box(page, "unpaid_or_withheld_wages")).to_be_hidden()
    screenshot(page, "police")

    labelled(page, "Your sector").select_option("labour_inspection")
    expect(in_sight(page).first).to_have_text(INDICATORS["unpaid_or_withheld_wages"])
    expect(in_sight(page)).to_have_text(words(SECTOR_INDICATORS["labour_inspection"]))
    expect(folded(page).locator("label[data-choice]")).to_have_text(
        words(others_of("labour_inspection")))
    expect(ticked_box(page, "fear_of_authorities")).to_be_hidden()
    screenshot(page, "labour-inspection")


def test_a_ticked_indicator_stays_in_sight_and_ticked_when_she_changes_her_sector(
        page, live_server, screenshot):
    open_preliminary(page, live_server)
    labelled(page, "Your sector").select_option("police")
    kept = "fear_of_authorities"
    assert kept in SECTOR_INDICATORS["police"]
    assert kept not in SECTOR_INDICATORS["labour_inspection"]
    ticked_box(page, kept).check()

    labelled(page, "Your sector").select_option("labour_inspection")
    expect(in_sight(page)).to_have_text(
        [*words(SECTOR_INDICATORS["labour_inspection"]), INDICATORS[kept]])
    expect(folded(page)).not_to_have_attribute("open", "")
    expect(folded(page).locator(f'label[data-choice="{kept}"]')).to_have_count(0)
    expect(ticked_box(page, kept)).to_be_visible()
    expect(ticked_box(page, kept)).to_be_checked()
    # Not ticked, the same indicator of the police folds away with the others.
    expect(folded(page).locator('label[data-choice="inconsistent_story"]')).to_have_count(1)
    expect(ticked_box(page, "inconsistent_story")).to_be_hidden()
    screenshot(page, "kept-in-sight")


OWN = ("no_identity_documents", "signs_of_distress")
"""Ticked in sight: indicators of the police."""
OTHER = ("unpaid_or_withheld_wages", "excessive_hours")
"""Ticked in the folded part: indicators of labour inspection, not of the police."""


def tick_both_parts(page: Page) -> None:
    """As a police officer, tick two indicators in sight, open the folded part and tick
    two there; the list stays where it was while she ticks."""
    labelled(page, "Your sector").select_option("police")
    expect(in_sight(page)).to_have_text(words(SECTOR_INDICATORS["police"]))
    for key in OWN:
        ticked_box(page, key).check()
    before = order_on_page(page)
    folded(page).locator("summary").click()
    expect(folded(page)).to_have_attribute("open", "")
    for key in OTHER:
        ticked_box(page, key).check()
        expect(ticked_box(page, key)).to_be_checked()
        expect(folded(page).locator(f'label[data-choice="{key}"]')).to_have_count(1)
    assert order_on_page(page) == before  # nothing moved under her hand


def test_ticking_a_folded_indicator_leaves_the_list_where_it_is(page, live_server,
                                                                screenshot):
    open_preliminary(page, live_server)
    tick_both_parts(page)
    expect(folded(page)).to_have_attribute("open", "")
    expect(folded(page).locator("label[data-choice]")).to_have_text(words(others_of("police")))
    expect(in_sight(page)).to_have_text(words(SECTOR_INDICATORS["police"]))
    for key in OWN + OTHER:
        expect(ticked_box(page, key)).to_be_visible()
        expect(ticked_box(page, key)).to_be_checked()
    screenshot(page, "both-parts")


def test_the_engine_records_every_indicator_she_ticked_in_either_part(page, live_server,
                                                                      screenshot):
    case = open_preliminary(page, live_server)
    task = case.task("record_preliminary")
    tick_both_parts(page)
    fill_the_rest(page)
    page.get_by_role("button", name="Complete the task").click()

    expect(page.locator("p.flash")).to_be_visible()  # done, or refused
    screenshot(page, "sent")
    refused = page.locator(".field p.error").all_inner_texts()
    assert not refused, f"the form was refused: {refused}"
    expect(page.locator(".flash.success")).to_have_text(f"Done: {task.title} ({JULIJA}).")
    assert live_server.engine.tasks.task(task.id).status == "completed"
    recorded = live_server.engine.runtime.instance(task.instance_id).variables
    assert sorted(recorded[NAME]) == sorted(OWN + OTHER)
