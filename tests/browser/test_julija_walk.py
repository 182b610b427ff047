"""Julija's case walked through the pages by five people in turn: the first-line officer,
the coordinator, the police, the NGO counsellor and the legal adviser each sign in, find
their work by what the pages show, and do it; only the opening of her case is arranged
with the engine, and only the end is checked with it."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from forms import examples
from forms.identification import (
    EXPLOITATION_FORMS,
    IMMEDIATE_NEEDS,
    INDICATORS,
    OUTCOMES,
    SECTOR_LABELS,
    STAY_STATUSES,
)
from tests.accounts import username_of
from tests.browser.pages import labelled, sign_in
from tests.scenarios.case import STAY_GRANTED, Case

JULIJA = "SI-7K3Q-9F2M"
PRELIMINARY = examples.PRELIMINARY
CONSENT = examples.REFERRAL_CONSENT
FORMAL = examples.FORMAL

Shoot = Callable[..., object]


def worklist_row(page: Page, title: str) -> Locator:
    """Her case's row of the worklist that links to the task ``title``."""
    return page.locator("#worklist tbody tr").filter(has_text=JULIJA).filter(
        has=page.get_by_role("link", name=title, exact=True))


def group(page: Page, question: str) -> Locator:
    """A group of checkboxes, by the question it asks (a required one ends in ``*``)."""
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(question)}( \*)?$"))


def tick(page: Page, question: str, labels: dict[str, str], keys: list[str]) -> None:
    boxes = group(page, question)
    for key in keys:
        boxes.get_by_role("checkbox", name=labels[key], exact=True).check()


def answer(page: Page, question: str, yes: bool) -> None:
    """A yes-or-no question: her answer is chosen, never assumed."""
    page.get_by_role("radiogroup", name=f"{question} *").get_by_role(
        "radio", name="Yes" if yes else "No").check()


def complete(page: Page, title: str) -> None:
    """Send the form and see it accepted."""
    page.get_by_role("button", name="Complete the task").click()
    expect(page.locator(".flash.success")).to_have_text(f"Done: {title} ({JULIJA}).")


def open_from_worklist(page: Page, title: str) -> None:
    row = worklist_row(page, title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("p.crumbs")).to_contain_text(JULIJA)


def the_officer_identifies_her_and_asks_her_consent(page: Page, shoot: Shoot) -> None:
    sign_in(page, username_of("first_line"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    shoot(page, "1-officer-worklist")
    open_from_worklist(page, "Record the preliminary identification")
    expect(page.locator("section.documentation")).to_be_visible()

    labelled(page, "Your sector").select_option(
        label=SECTOR_LABELS[PRELIMINARY["referring_sector"]])
    labelled(page, "Date you met her").fill(PRELIMINARY["observed_on"])
    tick(page, "Indicators you noticed", INDICATORS, PRELIMINARY["preliminary_indicators"])
    labelled(page, "What you noticed").fill(PRELIMINARY["preliminary_observations"])
    labelled(page, "Age").fill(str(PRELIMINARY["age_years"]))
    labelled(page, "Her residence status").select_option(
        label=STAY_STATUSES[PRELIMINARY["stay_status"]])
    tick(page, "Immediate needs", IMMEDIATE_NEEDS, PRELIMINARY["immediate_needs"])
    tick(page, "Needs already arranged", IMMEDIATE_NEEDS, PRELIMINARY["needs_arranged"])
    labelled(page, "An interpreter was used").check()
    shoot(page, "1-officer-preliminary")
    complete(page, "Record the preliminary identification")

    # Her next task of the case opens by itself: ask Julija's consent to a referral.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask her consent to a referral")
    answer(page, "She agrees to be referred", CONSENT["referral_consent"])
    labelled(page, "Date").fill(CONSENT["referral_consent_date"])
    labelled(page, "She was told how her data will be used").check()
    labelled(page, "An interpreter was used").check()
    shoot(page, "1-officer-consent")
    complete(page, "Ask her consent to a referral")
    # Nothing more of hers in the case: she is back on her worklist, without Julija.
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    expect(page.locator("#worklist tbody tr").filter(has_text=JULIJA)).to_have_count(0)
    shoot(page, "1-officer-done")


def the_coordinator_identifies_her_formally(page: Page, shoot: Shoot) -> None:
    sign_in(page, username_of("coordinator"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitor")
    page.get_by_role("navigation").get_by_role("link", name="Cases").click()
    page.locator("#cases").get_by_role("link", name=JULIJA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {JULIJA}")
    identification = page.locator('#standing [data-topic="identification"] dd')
    # The identification is under way since the officer met her; her open task is
    # linked from there.
    expect(identification.get_by_role("link")).to_have_text(
        "Under way since Mar 1, 2026: no outcome yet. Referred by: Police.")
    expect(page.locator("table.tasks tbody tr").filter(
        has_text="Make the formal identification")).to_have_count(1)
    shoot(page, "2-coordinator-case")

    page.get_by_role("navigation").get_by_role("link", name="Worklist").click()
    open_from_worklist(page, "Make the formal identification")
    # What the officer recorded is in front of her, in words.
    expect(page.get_by_role("heading", name="What this task builds on")).to_be_visible()
    built_on = page.locator("#builds-on")
    noticed = built_on.locator("tr").filter(has_text="Indicators you noticed")
    for key in PRELIMINARY["preliminary_indicators"]:
        expect(noticed).to_contain_text(INDICATORS[key])
    expect(built_on.locator("tr").filter(has_text="What you noticed")).to_contain_text(
        PRELIMINARY["preliminary_observations"])
    expect(built_on).to_contain_text("Police")
    shoot(page, "2-coordinator-builds-on")

    labelled(page, "Date of the assessment").fill(FORMAL["identification_date"])
    answer(page, "She took part", FORMAL["she_participated"])
    labelled(page, "Her own view of her situation").fill(FORMAL["her_view"])
    labelled(page, "Her current state and needs").fill(FORMAL["current_state_and_needs"])
    labelled(page, "How the exploitation was created").fill(
        FORMAL["exploitation_how_created"])
    labelled(page, "Effect on her physical and mental health").fill(
        FORMAL["exploitation_effect_on_health"])
    labelled(page, "Consequences she faces now").fill(FORMAL["current_consequences"])
    confirmed = group(page, "Indicators confirmed")
    for key in INDICATORS:  # what the officer noticed comes ticked; the rest does not
        box = confirmed.get_by_role("checkbox", name=INDICATORS[key], exact=True)
        if key in PRELIMINARY["preliminary_indicators"]:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()
        box.set_checked(key in FORMAL["indicators_confirmed"])
    tick(page, "Forms of exploitation", EXPLOITATION_FORMS, FORMAL["exploitation_forms"])
    labelled(page, "An interpreter was used").check()
    labelled(page, "Outcome").select_option(label=OUTCOMES[FORMAL["identification_outcome"]])
    labelled(page, "Reasoning").fill(FORMAL["identification_reasoning"])
    shoot(page, "2-coordinator-formal")
    complete(page, "Make the formal identification")
    # Her next task of the case opens by itself.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask her consent to a protection plan")
    shoot(page, "2-coordinator-done")


def the_police_grant_her_stay(page: Page, shoot: Shoot) -> None:
    sign_in(page, username_of("police"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    row = worklist_row(page, "Decide on the permitted stay")
    expect(row).to_have_count(1)
    # Due on its latest safe day (ZUP Art. 222(1): a month from 2 March). The legal date
    # is shown beside it only when it falls later; Thursday 2 April is a working day.
    due = row.locator("td").first
    expect(due).to_have_text("Apr 2, 2026")
    expect(due.locator(".legal-date")).to_have_count(0)
    shoot(page, "3-police-worklist")
    open_from_worklist(page, "Decide on the permitted stay")

    labelled(page, "Decision").select_option(label="Stay granted")
    labelled(page, "Date of the decision").fill(STAY_GRANTED["stay_decision_date"])
    labelled(page, "She is a victim of").select_option(label="Trafficking in human beings")
    labelled(page, "She was told about the temporary residence permit").check()
    labelled(page, "An interpreter was provided").check()
    shoot(page, "3-police-stay")
    complete(page, "Decide on the permitted stay")
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    expect(worklist_row(page, "Decide on the permitted stay")).to_have_count(0)
    shoot(page, "3-police-done")


def the_counsellor_informs_her_of_the_permit(page: Page, shoot: Shoot) -> None:
    sign_in(page, username_of("ngo_counsellor"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    shoot(page, "4-counsellor-worklist")
    open_from_worklist(page, "Inform her of the residence permit")
    labelled(page, "Informed on").fill("2026-03-02")
    labelled(page, "An interpreter was used").check()
    answer(page, "She understood", True)
    shoot(page, "4-counsellor-inform")
    complete(page, "Inform her of the residence permit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")
    expect(worklist_row(page, "Inform her of the residence permit")).to_have_count(0)
    shoot(page, "4-counsellor-done")


def the_legal_adviser_sees_when_her_reflection_ends(page: Page, shoot: Shoot) -> None:
    sign_in(page, username_of("legal_adviser"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal deadlines")
    headers = page.locator("#deadlines thead th")
    expect(headers.nth(0)).to_have_text("Latest safe day")
    expect(headers.nth(2)).to_have_text("Legal date")
    row = page.locator("#deadlines tbody tr").filter(has_text=JULIJA).filter(
        has_text="End of the reflection period")
    expect(row).to_have_count(1)
    # 90 days from 2 March end on Sunday 31 May: act by Friday 29 May.
    expect(row.locator(".safe-day")).to_have_text("May 29, 2026")
    expect(row.locator(".legal-date")).to_have_text("May 31, 2026")
    shoot(page, "5-adviser-deadlines")

    row.get_by_role("link", name=JULIJA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {JULIJA}")
    standing = page.locator("#standing")
    expect(standing.locator('[data-topic="stay"] dd')).to_have_text(
        "End of the reflection period: act by May 29, 2026 (legal date May 31, 2026).")
    expect(standing.locator('[data-topic="identification"] dd')).to_have_text(
        "Identified as a victim of trafficking on Mar 2, 2026. Referred by: Police.")
    shoot(page, "5-adviser-case")


def test_five_people_carry_julija_from_the_first_check_to_her_reflection_deadline(
        new_page, live_server, screenshot):
    engine = live_server.engine
    case = Case.open(engine, JULIJA)

    the_officer_identifies_her_and_asks_her_consent(new_page(), screenshot)
    the_coordinator_identifies_her_formally(new_page(), screenshot)
    the_police_grant_her_stay(new_page(), screenshot)
    the_counsellor_informs_her_of_the_permit(new_page(), screenshot)
    the_legal_adviser_sees_when_her_reflection_ends(new_page(), screenshot)

    done = {t.element_id: t.completed_by
            for t in engine.tasks.tasks(status="completed", case_code=JULIJA)}
    assert done == {"record_preliminary": username_of("first_line"),
                    "ask_referral_consent": username_of("first_line"),
                    "formal_identification": username_of("coordinator"),
                    "grant_permitted_stay": username_of("police"),
                    "inform_of_permit": username_of("ngo_counsellor")}
    decided = case.deadline("stay_decision_due")  # met on the day; a working day's date
    assert (str(decided.legal_date), str(decided.latest_safe_day), decided.status) == (
        "2026-04-02", "2026-04-02", "met")
    stay = case.deadline("reflection_end")
    assert (str(stay.legal_date), str(stay.latest_safe_day)) == ("2026-05-31", "2026-05-29")
    assert "record_decision" in case.open_elements()
