"""Julija's case as the web tests meet it, and the catalogues as the .po files say now;
the application, its users and their clients come from ``tests/web_app.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.scenarios.case import Case, identified
from tests.web.her_case import CODE, JULIJA, consent_to_her_name, identified_with_her_words
from tests.web_app import TRANSLATIONS, csrf_of


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


@pytest.fixture
def case(app, engine) -> Case:
    """Julija identified, with her own words recorded by the coordinator."""
    return identified_with_her_words(engine)


@pytest.fixture
def recorded(case, engine, signed_in) -> Case:
    """Her case, with her personal record written by the coordinator through the page."""
    consent_to_her_name(engine)
    coordinator = signed_in("coordinator")
    form = coordinator.get(f"/cases/{CODE}/person").get_data(as_text=True)
    response = coordinator.post(f"/cases/{CODE}/person",
                                data={**JULIJA, "csrf_token": csrf_of(form)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return case
