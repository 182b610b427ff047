"""What browser tests do on the pages: sign in, find a form field and its message, save a
screenshot. The addresses and DOM hooks they rely on are listed in ``README.md`` here."""

from __future__ import annotations

import re
from pathlib import Path
from weakref import WeakKeyDictionary

from playwright.sync_api import Locator, Page, expect

from tests.accounts import PASSWORD

REFUSALS: WeakKeyDictionary[Page, set[int]] = WeakKeyDictionary()
"""The HTTP statuses a test makes a page answer on purpose (a form refused with 422)."""


def expect_refusal(page: Page, status: int) -> None:
    """This test makes the app answer ``status`` on ``page`` on purpose: the browser's
    console line about such an answer is not an error of the page. Any other still is."""
    REFUSALS.setdefault(page, set()).add(status)


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
"""Screenshots land here (ignored by git; CI may keep them)."""


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real /login form and wait until the app let her in."""
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header .who .user")).to_have_text(username)


def publish(page: Page, note: str, staying: str = "") -> None:
    """Publish what the modeler shows: the dialog asks for a change note and says which
    running instances stay on their version (``staying`` is part of what it says)."""
    page.get_by_role("button", name="Publish as a new version").click()
    dialog = page.locator("#publish-dialog")
    expect(dialog).to_be_visible()
    if staying:
        expect(dialog.locator("#publish-running")).to_contain_text(staying)
    dialog.get_by_label("What changed, and why").fill(note)
    dialog.get_by_role("button", name="Publish", exact=True).click()
    expect(dialog).to_be_hidden()


def field_id(name: str) -> str:
    """The id of a form input: ``f-`` and its HTML name, dots made dashes."""
    return "f-" + name.replace(".", "-")


def field(page: Page, name: str) -> Locator:
    """The ``div.field`` holding the input ``name``: label, input, help and messages."""
    return page.locator(f"#{field_id(name)}").locator(
        "xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' field ')][1]")


def labelled(page: Page, label: str) -> Locator:
    """The input whose label is ``label``, with or without the `` *`` of a required one."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}( \*)?\s*$"))


def choice(page: Page, name: str, value: str) -> Locator:
    """One checkbox of a several-of field (``choices``), by its stored key."""
    return page.locator(f'input[type="checkbox"][name="{name}"][value="{value}"]')


def screenshot_path(test_name: str, label: str = "") -> Path:
    """``tests/artifacts/<test name>[--<label>].png``, safe as a file name."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
    if label:
        stem += "--" + re.sub(r"[^A-Za-z0-9_.-]+", "-", label)
    return ARTIFACTS / f"{stem}.png"


def save_screenshot(page: Page, test_name: str, label: str = "") -> Path:
    path = screenshot_path(test_name, label)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
