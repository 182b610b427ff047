"""What the case holds is said in words: every variable of a whole case has a label in
English and in Slovene, and its value reads as yes or no, a date of the reader's locale
or the label of a choice, never a stored key."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from babel.dates import format_date

from tests.scenarios.case import identified
from tests.scenarios.julija_steps import walk_the_whole_case

ROW = re.compile(r'<tr data-name="([^"]+)"><td>([^<]*)</td><td>([^<]*)</td></tr>')
KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
"""A stored name or key: lower-case words joined by underscores."""


def rows(page_html: str) -> list[tuple[str, str, str]]:
    return [(name, html.unescape(label), html.unescape(value))
            for name, label, value in ROW.findall(page_html)]


@pytest.mark.parametrize("language", ["en", "sl"])
def test_every_thing_a_whole_case_holds_is_named_and_shown_in_words(app, engine, signed_in,
                                                                    language):
    case = identified(engine, "SI-7K3Q-9F2M")
    walk_the_whole_case(case)
    engine.credentials.set_language("coordinator", language)
    coordinator = signed_in("coordinator")
    shown = []
    for instance in engine.runtime.instances(case_code=case.code):
        page = coordinator.get(f"/monitor/instances/{instance.id}").get_data(as_text=True)
        shown += rows(page)
    assert len(shown) > 50
    unnamed = sorted({name for name, label, _ in shown if label == name})
    assert unnamed == [], " ".join(unnamed)
    keys = sorted({found for _, label, value in shown for found in KEY.findall(f"{label} {value}")})
    assert keys == [], " ".join(keys)
    assert not {value for _, _, value in shown} & {"True", "False", "None"}


def test_dates_and_answers_follow_the_readers_language(app, engine, signed_in):
    case = identified(engine, "SI-7K3Q-9F2M")
    task = case.task("grant_permitted_stay")
    police = signed_in("police")
    for language, (yes, no) in (("en", ("Yes", "No")), ("sl", ("Da", "Ne"))):
        engine.credentials.set_language("police", language)
        shown = {name: value for name, _, value in
                 rows(police.get(f"/tasks/{task.id}").get_data(as_text=True))}
        assert shown["preliminary_on"] == format_date(date(2026, 3, 1), "medium",
                                                      locale=language)
        assert (shown["foreigner_without_lawful_stay"], shown["is_child"]) == (yes, no)
