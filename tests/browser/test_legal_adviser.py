"""A legal adviser finds Julija's reflection deadline on its latest safe day."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.accounts import username_of
from tests.browser.pages import sign_in
from tests.scenarios.case import identified

JULIJA = "SI-7K3Q-9F2M"


def test_the_legal_adviser_sees_the_reflection_deadline(page, live_server, screenshot):
    case = identified(live_server.engine, JULIJA, stay_granted=True)

    sign_in(page, username_of("legal_adviser"))
    page.get_by_role("link", name="Deadlines").click()
    page.get_by_label("Kind").select_option("reflection_end")
    page.get_by_role("button", name="Filter").click()
    row = page.locator('#deadlines tr[data-kind="reflection_end"]')
    expect(row).to_have_count(1)
    # 90 days from 2 March end on Sunday 31 May: act by Friday 29 May.
    expect(row.locator(".safe-day")).to_have_text("May 29, 2026")
    expect(row.locator(".legal-date")).to_have_text("May 31, 2026")
    expect(row.locator(".days-left")).to_contain_text("88")
    expect(row).to_contain_text(JULIJA)
    screenshot(page, "in-time")

    case.at("2026-05-27")
    page.reload()
    expect(row).to_have_class("deadline urgent")
    expect(row.locator(".days-left")).to_contain_text("2")
    screenshot(page, "urgent")

    row.get_by_role("link", name=JULIJA).click()
    expect(page.get_by_role("heading", name=f"Case {JULIJA}")).to_be_visible()
    expect(page.locator('tr[data-kind="reflection_end"] .safe-day')).to_have_text("May 29, 2026")
