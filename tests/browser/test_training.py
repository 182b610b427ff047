"""A training run in the browser: the trainer opens a workspace with two groups on
Julija's case, four trainees join under pseudonyms, take the pre-test, play her
reflection period while the trainer injects an event and moves the clocks, take the
post-test, and the debrief and the before/after report show what the test computed.
Every live table is the same before and after."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from engine.training import question_bank
from tests.browser.pages import labelled, sign_in
from tests.engine.raw_rows import live_rows

TRAINEES = (("Bee", 1, "police", "police"), ("Cat", 1, "coordinator", "ngo_outreach"),
            ("Dog", 2, "police", "police"), ("Eel", 2, "coordinator", "social_services"))
BANK = question_bank()
RIGHT = {q.id: q.answer for q in BANK.questions}
WRONG = {q.id: (q.answer + 1) % len(q.options) for q in BANK.questions}
FIRST_HALF = {q.id for q in BANK.questions[: len(BANK.questions) // 2]}
HALF = {q: RIGHT[q] if q in FIRST_HALF else WRONG[q] for q in RIGHT}



def join(page: Page, code: str, pseudonym: str, group: int, role: str, sector: str) -> None:
    page.goto("/training/join")
    page.get_by_label("Join code").fill(code)
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Group").fill(str(group))
    page.get_by_label("Your role in the case").select_option(value=role)
    page.get_by_label("Your sector").select_option(value=sector)
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#training-banner")).to_contain_text(
        "Training with fictitious cases: Ljubljana, March")
    expect(page.locator("header .who .user")).to_have_text(pseudonym)


def take_test(page: Page, test: str, answers: dict[str, int]) -> None:
    page.goto("/training/home")
    page.locator("#tests").get_by_role(
        "link", name="Before the training" if test == "pre" else "After the training").click()
    for question, option in answers.items():
        page.locator(f'input[name="{question}"][value="{option}"]').check()
    page.get_by_role("button", name="Hand in").click()
    right = sum(option == RIGHT[q] for q, option in answers.items())
    expect(page.locator(".flash.info")).to_have_text(
        f"Your answers were stored: {right} of {len(answers)} right.")


def open_task(page: Page, title: str) -> None:
    page.goto("/worklist")
    page.locator("#worklist").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def grant_stay(page: Page, day: str) -> None:
    open_task(page, "Decide on the permitted stay")
    labelled(page, "Decision").select_option(label="Stay granted")
    labelled(page, "Date of the decision").fill(day)
    labelled(page, "She is a victim of").select_option(label="Trafficking in human beings")
    labelled(page, "She was told about the temporary residence permit").check()
    labelled(page, "An interpreter was provided").check()
    page.get_by_role("button", name="Complete the task").click()
    expect(page.locator(".flash.success")).to_contain_text("Done: Decide on the permitted stay")


def record_decision(page: Page, decision: str, day: str) -> None:
    open_task(page, "Record her decision on cooperating")
    labelled(page, "Her decision").select_option(value=decision)
    labelled(page, "Date she decided").fill(day)
    page.get_by_role("button", name="Complete the task").click()
    expect(page.locator(".flash.success")).to_contain_text("Done: Record her decision")


def move_clock(page: Page, workspace: str, days: int, group: str) -> None:
    page.goto(workspace)
    form = page.locator("#move-clock")
    form.get_by_label("Days forward").fill(str(days))
    form.get_by_label("For", exact=True).select_option(value=group)
    form.get_by_role("button", name="Move the clock").click()


def test_a_training_with_two_groups_from_pre_test_to_debrief(new_page, live_server,
                                                             tmp_path, screenshot):
    live_server.app.config["TRAINING_DIR"] = str(tmp_path / "training")
    trainer = new_page()
    sign_in(trainer, "trainer")  # the one live row of the training: her own sign-in
    before = live_rows(live_server.engine)
    trainer.get_by_role("link", name="Training").click()
    trainer.get_by_label("Name").fill("Ljubljana, March")
    trainer.get_by_label("Scripted case").select_option(value="julija")
    trainer.get_by_label("Groups").fill("2")
    trainer.get_by_role("button", name="Open the training").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text("Ljubljana, March")
    workspace = trainer.url
    code = trainer.locator("#join-code").inner_text()

    pages = {}
    for name, group, role, sector in TRAINEES:
        pages[name] = new_page()
        join(pages[name], code, name, group, role, sector)
        take_test(pages[name], "pre", HALF if name in ("Bee", "Cat") else WRONG)

    # Group 1 grants her stay on the first day; group 2 waits.
    screenshot(pages["Bee"], "trainee-home")
    expect(pages["Bee"].locator("#facts")).not_to_contain_text("A former colleague")
    grant_stay(pages["Bee"], "2026-03-02")
    trainer.goto(workspace)
    trainer.locator("#events").get_by_role("button", name="Inject").first.click()
    expect(trainer.locator(".flash.info")).to_have_text("The event was injected.")
    move_clock(trainer, workspace, 10, "all")
    pages["Cat"].goto("/inbox")
    expect(pages["Cat"].locator("main")).to_contain_text(
        "Her former employer calls the shelter asking for her")
    record_decision(pages["Cat"], "cooperate", "2026-03-12")
    pages["Cat"].goto("/training/home")  # day 10 of her group's case: a new fact
    expect(pages["Cat"].locator("#facts")).to_contain_text("A former colleague tells the NGO")

    move_clock(trainer, workspace, 35, "2")  # group 2 decides after the month is out
    expect(trainer.locator('#groups tr[data-group="2"] .clock')).to_contain_text("Apr 16, 2026")
    expect(trainer.locator('#groups tr[data-group="1"] .clock')).to_contain_text("Mar 12, 2026")
    grant_stay(pages["Dog"], "2026-04-16")
    record_decision(pages["Eel"], "not_cooperate", "2026-04-16")

    for name in pages:
        take_test(pages[name], "post", RIGHT if name in ("Bee", "Cat", "Dog") else HALF)

    trainer.goto(workspace)
    trainer.get_by_role("link", name="Debrief").click()
    decisions = trainer.locator("#decisions")
    grant = decisions.locator('tr[data-decision="grant_stay"]')
    expect(grant.locator('[data-group="1"]')).to_contain_text("as expected")
    expect(grant.locator('[data-group="1"]')).to_contain_text("in time")
    expect(grant.locator('[data-group="1"]')).to_contain_text("Bee (police)")
    expect(grant.locator('[data-group="2"]')).to_contain_text("as expected")
    # Decided on 16 April, two weeks after its legal date: late, not missed.
    expect(grant.locator('[data-group="2"]')).to_contain_text("after the latest safe day")
    decided = decisions.locator('tr[data-decision="her_decision"]')
    expect(decided.locator('[data-group="1"]')).to_contain_text("as expected")
    expect(decided.locator('[data-group="2"]')).to_contain_text("another decision")
    expect(trainer.locator('.right-count[data-group="1"]')).to_have_text("2 / 3")
    expect(trainer.locator('.right-count[data-group="2"]')).to_have_text("1 / 3")
    expect(trainer.locator('.timeline[data-group="2"]')).to_contain_text(
        "Decide on her permitted stay: missed")
    expect(trainer.locator('.timeline[data-group="1"] li.event')).to_contain_text(
        "Her former employer calls the shelter asking for her")
    screenshot(trainer, "debrief")

    n, half = len(BANK.questions), len(FIRST_HALF)
    trainer.goto(workspace)
    trainer.get_by_role("link", name="Tests before and after").click()
    overall = trainer.locator('#overall tr[data-key="all"]')
    expect(overall.locator(".before")).to_have_text(f"{round(100 * 2 * half / (4 * n), 1)} %")
    expect(overall.locator(".after")).to_have_text(
        f"{round(100 * (3 * n + half) / (4 * n), 1)} %")
    police = trainer.locator('#by-sector tr[data-key="police"]')
    expect(police.locator(".before")).to_have_text(f"{round(100 * half / (2 * n), 1)} %")
    expect(police.locator(".after")).to_have_text("100.0 %")
    expect(trainer.locator('#by-trainee tr[data-key="Eel"] .after')).to_have_text(
        f"{round(100 * half / n, 1)} %")
    expect(trainer.locator("#sector-chart svg rect.after")).to_have_count(3)
    screenshot(trainer, "report")
    trainer.goto(workspace)
    screenshot(trainer, "workspace")
    assert re.fullmatch(r"[0-9A-F]{6}", code)

    assert live_rows(live_server.engine) == before  # not one live row was written
