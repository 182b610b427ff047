"""The pages in English or Slovene: her stored choice, else her browser's, else English.

The catalogues are complete: every string the pages use is in the Slovene catalogue and
translated there, and no template shows English text outside gettext.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from engine.identity.users import USER_ROLES
from engine.kit.effects import DEADLINE_KINDS
from engine.obligations.consents import GIVEN, PURPOSES, WITHDRAWN
from engine.obligations.consents import REFUSED as CONSENT_REFUSED
from engine.obligations.deadlines import DEADLINE_STATUSES
from engine.protection.access import GRANTED, REFUSED
from engine.services.tasks import TASK_STATUSES
from engine.store.instances import STATUSES
from tests.accounts import PASSWORD
from tests.web_app import csrf_of
from web.common.i18n import TERMS

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
TEMPLATES = ROOT / "web" / "templates"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
KEYWORDS = ("lazy_gettext", "lazy_pgettext:1c,2")
"""As the Makefile's ``messages`` target extracts them, besides Babel's defaults."""


@pytest.fixture(autouse=True)
def catalogues(app, compiled_catalogues):
    app.extensions["babel"].translation_directories = [str(compiled_catalogues)]


def page(client, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def sign_in(app, username: str = "police"):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def choose(client, language: str, back: str):
    token = csrf_of(client.get(back).get_data(as_text=True))
    return client.post("/language", data={"language": language, "next": back,
                                          "csrf_token": token})


def test_a_user_with_slovene_stored_sees_her_worklist_in_slovene(app, engine):
    engine.credentials.set_language("police", "sl")
    html = page(sign_in(app), "/worklist", **{"Accept-Language": "en"})
    assert '<html lang="sl">' in html
    assert "<h1>Seznam nalog</h1>" in html and "Odprte naloge vaših vlog" in html
    assert "policija" in html  # her role, in the header
    assert "Worklist" not in html and "Sign out" not in html
    assert 'value="en" lang="en"' in html  # the way back to English


def test_a_browser_asking_for_slovene_gets_the_sign_in_page_in_slovene(app):
    client = app.test_client()
    html = page(client, "/login", **{"Accept-Language": "sl-SI,sl;q=0.9,en;q=0.5"})
    assert '<html lang="sl">' in html and "Uporabniško ime" in html and "Geslo" in html
    for browser in ("en-GB,en;q=0.8", "de-AT,de;q=0.9", ""):
        html = page(client, "/login", **{"Accept-Language": browser})
        assert '<html lang="en">' in html and "User name" in html


def test_her_stored_language_wins_over_her_browser(app, engine):
    engine.credentials.set_language("police", "en")
    html = page(sign_in(app), "/worklist", **{"Accept-Language": "sl"})
    assert '<html lang="en">' in html and "<h1>Worklist</h1>" in html


def test_switching_language_in_the_header_stores_it_and_survives_a_new_sign_in(app, engine):
    client = sign_in(app)
    answer = choose(client, "sl", "/worklist?mine=1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/worklist?mine=1"
    assert engine.credentials.language("police") == "sl"
    assert "<h1>Seznam nalog</h1>" in page(client, "/worklist?mine=1")
    assert "<h1>Seznam nalog</h1>" in page(sign_in(app), "/worklist")  # a new session

    back = choose(client, "en", "/deadlines/")
    assert back.headers["Location"] == "/deadlines/"
    assert engine.credentials.language("police") == "en"
    assert "<h1>Legal deadlines</h1>" in page(client, "/deadlines/")


def test_the_switch_returns_only_to_a_page_of_this_site(app):
    client = sign_in(app)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert choose(client, "sl", "/worklist").status_code == 302
        token = csrf_of(client.get("/worklist").get_data(as_text=True))
        answer = client.post("/language", data={"language": "sl", "next": target,
                                                 "csrf_token": token})
        assert answer.headers["Location"] == "/"


def test_an_unknown_language_is_refused_with_a_clear_message_and_nothing_stored(app, engine):
    client = sign_in(app)
    answer = choose(client, "fr", "/worklist")
    assert answer.status_code == 302 and answer.headers["Location"] == "/worklist"
    html = page(client, "/worklist")
    assert ("There is no language “fr” here: choose English / Slovenščina / "
            "Српски (ћирилица) / Srpski (latinica) / Bosanski / Hrvatski.") in html
    assert '<html lang="en">' in html
    assert engine.credentials.language("police") is None

    anonymous = app.test_client()
    choose(anonymous, "<b>xx</b>", "/login")
    html = page(anonymous, "/login")
    assert "“&lt;b&gt;xx&lt;/b&gt;”" in html and '<html lang="en">' in html


def test_the_switch_needs_the_csrf_token(app, engine):
    client = sign_in(app)
    answer = client.post("/language", data={"language": "sl", "next": "/worklist"})
    assert answer.status_code == 400
    assert engine.credentials.language("police") is None


def test_a_language_picked_on_the_sign_in_page_becomes_hers_when_she_signs_in(app, engine):
    client = app.test_client()
    answer = choose(client, "sl", "/login?next=/deadlines/")
    assert answer.headers["Location"] == "/login?next=/deadlines/"
    html = page(client, "/login?next=/deadlines/")
    assert '<html lang="sl">' in html and "Uporabniško ime" in html
    assert engine.credentials.language("police") is None  # nobody has signed in yet
    token = csrf_of(html)
    client.post("/login?next=/deadlines/", data={"username": "police", "password": PASSWORD,
                                                 "csrf_token": token})
    assert engine.credentials.language("police") == "sl"
    assert "<h1>Zakonski roki</h1>" in page(client, "/deadlines/")


def test_flashes_and_error_pages_speak_her_language(app, engine):
    engine.credentials.set_language("police", "sl")
    client = sign_in(app)
    missing = client.get("/tasks/999999")
    assert missing.status_code == 404 and "Ni najdeno" in missing.get_data(as_text=True)
    fresh = app.test_client()
    token = csrf_of(fresh.get("/login").get_data(as_text=True))
    wrong = fresh.post("/login", headers={"Accept-Language": "sl"}, data={
        "username": "police", "password": "wrong", "csrf_token": token})
    assert wrong.status_code == 401
    assert "Napačno uporabniško ime ali geslo." in wrong.get_data(as_text=True)


def test_the_api_stays_english(app, engine, bearer):
    engine.credentials.set_language("police", "sl")
    answer = app.test_client().get("/api/tasks/999999", headers=bearer("police"))
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "not_found"


def test_every_code_the_engine_shows_has_words():
    groups = {"role": USER_ROLES, "instance": STATUSES, "task": TASK_STATUSES,
              "deadline": DEADLINE_STATUSES, "kind": DEADLINE_KINDS,
              "access": (GRANTED, REFUSED), "purpose": tuple(PURPOSES),
              "consent": (GIVEN, CONSENT_REFUSED, WITHDRAWN)}
    missing = [(group, code) for group, codes in groups.items() for code in codes
               if (group, code) not in TERMS]
    assert not missing, f"add these to web.i18n.TERMS: {missing}"


# --- the catalogues ---------------------------------------------------------------------


def messages(path: Path) -> dict[tuple[str | None, str], object]:
    with path.open("rb") as source:
        catalog = read_po(source)
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str | None, str], object]:
    """Every string of web/ as `make messages` extracts it, now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    keywords = [argument for keyword in KEYWORDS for argument in ("-k", keyword)]
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                *keywords, "-o", str(pot), str(ROOT)])
    found = messages(pot)
    assert len(found) > 100, "extraction found almost nothing: is babel.cfg right?"
    return found


def test_every_string_of_the_pages_is_in_the_catalogues(extracted):
    hint = "run `make messages`, then translate web/translations/*/LC_MESSAGES/messages.po"
    assert len(CATALOGUES) >= 6, CATALOGUES  # en, sl, sr_Latn, sr_Cyrl, bs, hr
    for path in (TRANSLATIONS / "messages.pot", *CATALOGUES):
        catalog = messages(path)
        missing = sorted(set(extracted) - set(catalog), key=str)
        stale = sorted(set(catalog) - set(extracted), key=str)
        assert not missing, f"{path.relative_to(ROOT)} lacks {missing}: {hint}"
        assert not stale, f"{path.relative_to(ROOT)} has strings no page uses {stale}: {hint}"


@pytest.mark.parametrize("path", [p for p in CATALOGUES if p.parts[-3] != "en"],
                         ids=lambda path: path.parts[-3])
def test_every_message_is_translated_in_every_language_and_none_is_fuzzy(path):
    language = path.parts[-3]
    catalog = messages(path)
    untranslated = [key for key, m in catalog.items()
                    if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [key for key, m in catalog.items() if m.fuzzy]
    assert not untranslated, f"translate these in {language}: {untranslated}"
    assert not fuzzy, f"check these {language} translations and drop their fuzzy flag: {fuzzy}"
    for key, m in catalog.items():  # the placeholders survive translation
        wanted = set(re.findall(r"%\(\w+\)\w", key[1]))
        for text in m.string if isinstance(m.string, tuple) else (m.string,):
            assert set(re.findall(r"%\(\w+\)\w", text)) == wanted, (key, text)


JINJA = re.compile(r"\{#.*?#\}|\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}",
                   re.S)
SHOWN = ("placeholder", "aria-label", "title", "alt")
NAMES = re.compile(r"\bVarna pot\b")
"""The product's name is the same in every language."""


class _Text(HTMLParser):
    """The text a template shows outside gettext: between tags and in shown attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        self.found += [value or "" for name, value in attrs if name in SHOWN]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.found.append(data)


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")
                                            if p.name != "api_docs.html"))
def test_templates_show_no_text_outside_gettext(template):
    """api_docs.html is Swagger UI's page, which is in English whatever we do."""
    parser = _Text()
    parser.feed(JINJA.sub("", (TEMPLATES / template).read_text(encoding="utf-8")))
    words = [text.strip() for text in parser.found
             if re.search(r"[A-Za-z]{2,}", NAMES.sub("", text))]
    assert not words, f"wrap in {{{{ _('...') }}}} or {{% trans %}}: {words}"


@pytest.mark.parametrize("path", sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")),
                         ids=lambda path: f"{path.parts[-3]}-{path.stem}")
def test_no_catalogue_is_marked_fuzzy_as_a_whole(path):
    """`make install` compiles each catalogue with pybabel, which skips one whose header
    is fuzzy: its language would then show in English without a word of warning."""
    with path.open("rb") as source:
        assert not read_po(source).fuzzy, f"{path.relative_to(ROOT)} has a fuzzy header"
