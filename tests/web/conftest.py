"""A signed-in browser session or an API token per role, over the engine fixture."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.accounts import PASSWORD, add_users
from tests.conftest import PROCESSES
from tests.scenarios.case import Case, identified
from web import create_app

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"

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


@pytest.fixture
def julija(app, engine) -> Case:
    """Julija identified, with her permitted stay granted on 2 March 2026."""
    return identified(engine, "SI-7K3Q-9F2M", stay_granted=True)


@pytest.fixture(scope="session")
def compiled_catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogues as the .po files say now (``make`` compiles the same into web/)."""
    directory = tmp_path_factory.mktemp("translations")
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        target = directory / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source, target.open("wb") as out:
            write_mo(out, read_po(source))
    return directory
