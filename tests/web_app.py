"""The web application of the tests, for every folder: one user per role, a client
signed in through the login form, an API token per user. Registered in the root
``conftest.py``; the browser tests serve their own ``app`` (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.accounts import PASSWORD, add_users
from tests.conftest import PROCESSES, ROOT
from web import create_app

TRANSLATIONS = ROOT / "web" / "translations"

ROLES = ("police", "first_line", "coordinator", "legal_adviser", "policy_analyst",
         "ngo_counsellor", "prosecutor", "admin")


@pytest.fixture
def app(engine) -> Flask:
    engine.repository.deploy(PROCESSES)
    add_users(engine, ROLES)
    return create_app(engine=engine, SECRET_KEY="tests", TESTING=True)


def hidden(html: str, name: str) -> str:
    """The value of the page's hidden input ``name``, as the browser would send it."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"the page has no {name}"
    return found.group(1)


def csrf_of(html: str) -> str:
    return hidden(html, "csrf_token")


def sign_in(app: Flask, username: str) -> FlaskClient:
    """A client signed in through the login form, as a browser does it."""
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def signed_in(app) -> Callable[[str], FlaskClient]:
    return lambda username: sign_in(app, username)


@pytest.fixture
def bearer(app, engine) -> Callable[[str], dict[str, str]]:
    def headers(username: str) -> dict[str, str]:
        token = engine.credentials.create_token(username, "tests", by="tests").token
        return {"Authorization": f"Bearer {token}"}

    return headers


def read_onward(client: FlaskClient, url: str | None,
                between: Callable[[], object] | None = None) -> list[str]:
    """Every page of a list page from ``url`` on, as HTML, following each page's
    ``rel="next"`` link until a page has none; ``between`` runs after the first page,
    as someone else's work would between two of a reader's pages."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
        if between and len(pages) == 1:
            between()
        found = re.search(r'href="([^"]+)" rel="next"', pages[-1])
        url = found.group(1).replace("&amp;", "&") if found else None
    return pages


def walk_pages(client: FlaskClient, headers: dict[str, str], url: str | None,
               key: str = "id") -> list[list[Any]]:
    """The ``key`` (the id) of each row of every page of an API list from ``url`` on,
    following each page's ``Link: <...>; rel="next"`` header until a page has none."""
    pages = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        pages.append([row[key] for row in response.get_json()])
        link = response.headers.get("Link")
        assert link is None or link.endswith('rel="next"')
        url = link.removeprefix("<").split(">;")[0] if link else None
    return pages
