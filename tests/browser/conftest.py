"""Browser tests: the real app behind a real WSGI server, driven by Debian's Chromium.

Fixtures (see ``README.md`` in this folder for the addresses and DOM hooks):

* ``app``: ``web.create_app`` over the ``engine`` fixture (SQLite, and PostgreSQL when
  ``VARNAPOT_TEST_DATABASE_URL`` is set), every procedure deployed, one user per role
  named after it (``first_line`` -> ``first-line``) with ``tests.accounts.PASSWORD``;
* ``live_server``: that app served by werkzeug (threaded) on 127.0.0.1 and a free port;
  ``live_server.url`` is its root, ``live_server.engine`` the engine behind it. A request
  that raised in the app fails the test, even when the page looked fine;
* ``browser``: one headless Chromium for the tests of this folder;
* ``page``: a fresh context and page per test whose ``base_url`` is the server, so
  ``page.goto("/worklist")`` works; ``new_page()`` opens another (a second user).
  An uncaught script error or any console error on any page (a Content-Security-Policy
  refusal, a missing file such as the favicon, a library's complaint) fails the test;
  a failed test leaves ``tests/artifacts/<test>--failed.png``;
* ``screenshot(page, label="")``: saves ``tests/artifacts/<test>[--label].png``.

Without Chromium the tests are skipped, except on CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from engine import ProcessEngine
from engine.identity.users import USER_ROLES
from tests.accounts import add_users
from tests.browser.pages import REFUSALS, save_screenshot
from tests.conftest import PROCESSES
from web import create_app

CHROMIUM = Path(os.environ.get("VARNAPOT_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking"]
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIMEOUT_MS = 5_000
"""Waits of Playwright fail after this: the pages answer in milliseconds here."""

LOAD_FAILED = re.compile(r"Failed to load resource: the server responded with a status of "
                         r"(\d+)")
ROLES = USER_ROLES
"""A user for every lane of the procedures, and the admin."""


@dataclass
class LiveServer:
    url: str
    app: Flask
    engine: ProcessEngine
    errors: list[BaseException] = field(default_factory=list)


@pytest.fixture
def app(engine: ProcessEngine) -> Flask:
    engine.repository.deploy(PROCESSES)
    add_users(engine, ROLES)
    return create_app(engine=engine, SECRET_KEY="browser tests")


@pytest.fixture
def live_server(app: Flask, engine: ProcessEngine) -> Iterator[LiveServer]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(url=f"http://127.0.0.1:{server.port}", app=app, engine=engine)

    def record(_sender: Any, exception: BaseException, **_: Any) -> None:
        live.errors.append(exception)

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record, app)
    if live.errors:
        pytest.fail(f"the app raised while serving the browser: {live.errors!r}")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the folder, stopped after it: while Playwright's sync API runs,
    other tests could not call ``asyncio.run``."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if ON_CI:
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer,
             request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Open a page in a context of its own (its own cookies: another user)."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def on_console(page: Page, message: Any) -> None:
        if message.type != "error":
            return
        answered = LOAD_FAILED.match(message.text)
        if answered and int(answered.group(1)) in REFUSALS.get(page, ()):
            return  # a refusal the test asked for (expect_refusal)
        # a refused script or style, a missing file, a library's complaint, a bug
        problems.append(f"console error on {message.location.get('url', '?')}: "
                        f"{message.text}")

    def open_page() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      timezone_id="Europe/Ljubljana",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda message: on_console(page, message))
        return page

    yield open_page
    if request.node.stash.get(_FAILED, False):
        for number, context in enumerate(contexts):
            for page in context.pages:
                save_screenshot(page, request.node.name, f"failed{number or ''}")
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the pages reported: " + "; ".join(problems))


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    def shoot(page: Page, label: str = "") -> Path:
        return save_screenshot(page, request.node.name, label)

    return shoot
