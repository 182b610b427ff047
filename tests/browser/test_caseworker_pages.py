"""The coordinator's pages seen in the browser: the case timeline and its filter, the
worklist's filter and sorting, the monitor's charts, the inbox badge, and Slovene dates."""

from __future__ import annotations

import re
from datetime import date, datetime

from playwright.sync_api import Page, expect

from tests.accounts import username_of
from tests.browser.pages import labelled, sign_in
from tests.scenarios.case import STAY_GRANTED, identified

JULIJA = "SI-7K3Q-9F2M"
OTHER = "SI-2B8D-4H6J"


def open_her_case(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Cases").click()
    page.locator("#cases").get_by_role("link", name=JULIJA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {JULIJA}")


def due_days(page: Page) -> list[date]:
    """The due day of each worklist row that has one, in the order shown."""
    cells = page.locator("#worklist tbody tr td:first-child").all_inner_texts()
    found = [re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", cell) for cell in cells]
    return [datetime.strptime(m.group(), "%b %d, %Y").date() for m in found if m]


def test_the_case_timeline_tells_what_happened_and_narrows_to_one_procedure(
        page, live_server, screenshot):
    identified(live_server.engine, JULIJA, stay_granted=True)
    sign_in(page, username_of("coordinator"))
    open_her_case(page)
    timeline = page.locator("#what-happened")
    expect(timeline.get_by_role("heading", name="What happened")).to_be_visible()
    events = timeline.locator("li.event")
    expect(events.first).to_be_visible()
    everything = events.count()
    for text in events.all_inner_texts():
        assert re.search(r"[A-Za-z]{3,} ", text), text  # in words, not codes only
    screenshot(page, "all")

    select = timeline.get_by_label("Procedure")
    options = [o for o in select.locator("option").all() if o.get_attribute("value")]
    assert options, "no procedure to choose"
    chosen = options[-1]
    name = chosen.inner_text().strip()
    select.select_option(value=chosen.get_attribute("value"))
    timeline.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"procedure="))
    expect(timeline.get_by_label("Procedure")).to_have_value(chosen.get_attribute("value"))
    narrowed = timeline.locator("li.event")
    assert narrowed.count() <= everything
    for item in narrowed.all():
        expect(item.locator("span.meta")).to_contain_text(name)
    screenshot(page, "one-procedure")


def test_the_worklist_filters_by_case_code_and_reverses_by_due_date(
        page, live_server, screenshot):
    identified(live_server.engine, JULIJA, stay_granted=True)
    other = identified(live_server.engine, OTHER)
    other.at("2026-03-09")  # her stay is granted a week later: a later safe day
    other.complete("grant_permitted_stay", "officer",
                   {**STAY_GRANTED, "stay_decision_date": "2026-03-09"})
    sign_in(page, username_of("coordinator"))
    page.get_by_role("navigation").get_by_role("link", name="Worklist").click()
    rows = page.locator("#worklist tbody tr")
    expect(rows.filter(has_text=OTHER).first).to_be_visible()
    screenshot(page, "all")

    labelled(page, "Case code").fill(JULIJA)
    page.get_by_role("button", name="Filter").click()
    expect(rows.filter(has_not_text=JULIJA)).to_have_count(0)
    expect(rows.first).to_be_visible()
    codes = rows.locator("td.code").all_inner_texts()
    assert codes and set(codes) == {JULIJA}, codes
    screenshot(page, "one-case")

    page.get_by_role("link", name="Clear the filters").click()
    expect(rows.filter(has_text=OTHER).first).to_be_visible()
    # Sorted by another column first, so that "Due" is a choice of hers, then reversed.
    head = page.locator("#worklist thead th")
    head.filter(has_text="Task").get_by_role("link").click()
    expect(head.filter(has_text="Task")).to_have_attribute("aria-sort", "ascending")
    due = head.filter(has_text="Due")
    due.get_by_role("link").click()
    expect(due).to_have_attribute("aria-sort", "ascending")
    ascending = due_days(page)
    due.get_by_role("link").click()
    expect(due).to_have_attribute("aria-sort", "descending")
    descending = due_days(page)
    assert len(set(ascending)) > 1, ascending
    assert ascending == sorted(ascending)
    assert descending == sorted(ascending, reverse=True)
    screenshot(page, "descending")


def test_the_monitor_draws_its_charts_and_offers_no_escalation_to_start(
        page, live_server, screenshot):
    identified(live_server.engine, JULIJA, stay_granted=True)
    sign_in(page, username_of("coordinator"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitor")
    for chart in ("open-tasks-chart", "safe-days-chart", "missed-chart"):
        expect(page.locator(f"#{chart} svg[role=img]")).to_be_visible()
    expect(page.get_by_role("img", name="Latest safe days in each of the next twelve weeks")
           ).to_be_visible()
    offered = page.locator("#start select[name=process_key] option")
    expect(offered.first).to_be_attached()
    values = offered.evaluate_all("options => options.map(o => o.value)")
    words = offered.all_inner_texts()
    assert "victim_protection" in values
    assert "deadline_escalation" not in values, values
    assert not any("missed safe day" in w.lower() for w in words), words
    screenshot(page)


def test_the_navigation_counts_her_unread_notices_and_marking_nothing_changes_nothing(
        page, live_server, screenshot):
    identified(live_server.engine, JULIJA, stay_granted=True)
    sign_in(page, username_of("coordinator"))
    badge = page.locator("#unread-count")
    expect(badge).to_be_visible()
    unread = badge.inner_text().split()[0]
    assert unread.isdigit() and int(unread) > 0
    page.get_by_role("navigation").get_by_role("link", name=re.compile("^Inbox")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator("ul.inbox li.unread")).to_have_count(int(unread))
    screenshot(page, "before")
    page.get_by_role("button", name="Mark the ticked ones as read").click()
    expect(page.locator("p.flash.error")).to_have_text("Tick the notices to mark as read.")
    expect(page.locator("ul.inbox li.unread")).to_have_count(int(unread))
    expect(badge).to_contain_text(unread)
    screenshot(page, "after")


def test_in_slovene_the_case_page_writes_dates_day_first_with_dots(
        page, live_server, screenshot):
    identified(live_server.engine, JULIJA, stay_granted=True)
    sign_in(page, username_of("coordinator"))
    open_her_case(page)
    page.locator("header form.language").get_by_role("button").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "sl")
    main = page.locator("main")
    expect(main).to_contain_text("2. mar. 2026")
    expect(main).not_to_contain_text("Mar 2, 2026")
    screenshot(page)
