"""The case file opens with where she stands, in words: identified, permitted stay,
permit, school, plan review, consents, stuck procedures, each linked to where it is
acted on, as far as the reader's roles may read it."""

from __future__ import annotations

import re

from forms import examples
from tests.scenarios.case import Case, identified
from tests.scenarios.julija_steps import walk_the_whole_case

LINE = re.compile(r'<div class="fact ([a-z]*)" data-topic="([a-z]+)"><dt>[^<]*</dt>\s*'
                  r'<dd>(?:<a href="([^"]*)">)?([^<]*)')


def standing(client, code: str) -> dict[str, tuple[str, str | None, str]]:
    """Each line of the summary: (text, link, tone), by what it is about."""
    html = client.get(f"/cases/{code}").get_data(as_text=True)
    return {topic: (text, link or None, tone)
            for tone, topic, link, text in LINE.findall(html)}


def test_where_she_stands_is_said_in_words_and_linked(julija, signed_in, engine):
    lines = standing(signed_in("coordinator"), julija.code)
    assert list(lines) == ["identification", "stay", "permit", "school", "plan", "consents",
                           "incidents"]
    assert lines["identification"] == (
        "Identified as a victim of trafficking on Mar 2, 2026. Referred by: Police.",
        f"/monitor/instances/{julija.id}", "done")
    text, link, _ = lines["stay"]
    assert text == ("End of the reflection period: act by May 29, 2026 "
                    "(legal date May 31, 2026).")
    assert link.startswith("/monitor/instances/")
    assert lines["permit"][0] == "Not applied for."
    assert lines["consents"][0] == "Given: referral to the coordinator."
    assert lines["incidents"] == ("None.", None, "")
    assert engine.access.events(case_code=julija.code) == []  # nothing of hers was read


def test_a_reader_who_does_not_monitor_is_sent_to_the_deadline_tracker(julija, signed_in):
    lines = standing(signed_in("legal-adviser"), julija.code)
    assert lines["stay"][1] == f"/deadlines/?case={julija.code}"
    assert signed_in("police").get(f"/cases/{julija.code}").status_code == 403


def test_where_she_stands_follows_her_case_to_a_permit_and_a_school(app, engine, signed_in):
    case = identified(engine, "SI-7K3Q-9F2M")
    walk_the_whole_case(case)
    lines = standing(signed_in("coordinator"), case.code)
    assert lines["identification"][0].startswith("Identified as a victim of trafficking on")
    assert lines["stay"][:3:2] == ("End of the reflection period: met on Jun 15, 2026.", "done")
    assert lines["permit"][0] == "Application for a further permit: met on Jan 20, 2027."
    assert lines["school"][0] == "School enrolment: met on Sep 1, 2026."
    assert lines["plan"][::2] == ("Protection plan review: missed, the legal date was "
                                  "Jul 8, 2026.", "missed")
    assert "protection plan" in lines["consents"][0]


EVENT = re.compile(r'<li class="event" data-event="([a-z_]+)">\s*<time [^>]*>([^<]*)</time>\s*'
                   r'<strong>([^<]*)</strong>(?:: ([^<]*))?\s*<span class="meta">([^<]*)</span>')
KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def what_happened(client, code: str, query: str = "") -> list[tuple[str, ...]]:
    html = client.get(f"/cases/{code}{query}").get_data(as_text=True)
    return [tuple(part.strip() for part in event)
            for event in EVENT.findall(html[html.index('id="what-happened"'):])]


def test_the_case_file_tells_what_happened_in_all_her_procedures(julija, signed_in,
                                                                 engine):
    engine.runtime.start("reflection_period", julija.code, actor="coordinator")
    coordinator = signed_in("coordinator")
    events = what_happened(coordinator, julija.code)
    # The newest first: the procedure started and at once gave the police their time limit.
    assert [kind for kind, *_ in events[:2]] == ["deadline_opened", "instance_started"]
    assert events[1][4].endswith("Recovery and reflection period (Art. 50(1)-(3) ZTuj-2)")
    # What the engine did in the course of her step is told as the engine's.
    assert events[0][4].startswith("automatically, in a step by coordinator")
    assert events[1][4].startswith("by coordinator")
    completed = [(step, meta) for kind, _, _, step, meta in events
                 if kind == "task_completed"]
    assert ("Make the formal identification",
            "by coord · Protection of a victim of trafficking") in completed
    assert not {kind for kind, *_ in events} & {"data_changed", "task_created"}
    shown = " ".join(" ".join(event[1:]) for event in events)
    assert KEY.findall(shown) == []

    only = what_happened(coordinator, julija.code, "?procedure=reflection_period")
    assert only and all(meta.endswith("ZTuj-2)") for *_, meta in only)
    every = what_happened(coordinator, julija.code, "?every=1")
    assert "task_created" in {kind for kind, *_ in every} and len(every) > len(events)


def test_an_open_identification_task_is_linked_only_for_the_role_that_holds_it(
        app, engine, signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    coordinator = standing(signed_in("coordinator"), case.code)
    assert coordinator["identification"][1] == f"/monitor/instances/{case.id}"
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    formal = case.task("formal_identification")  # the coordinator's
    assert standing(signed_in("coordinator"), case.code)["identification"][1] == \
        f"/tasks/{formal.id}"



def test_an_identification_under_way_says_since_when(app, engine, signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    text, _, tone = standing(signed_in("coordinator"), case.code)["identification"]
    assert (text, tone) == ("Under way since Mar 1, 2026: no outcome yet. Referred by: "
                            "Police.", "")
