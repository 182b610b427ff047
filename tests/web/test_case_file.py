"""The case file opens with where she stands, in words: identified, permitted stay,
permit, school, plan review, consents, stuck procedures, each linked to where it is
acted on, as far as the reader's roles may read it."""

from __future__ import annotations

import re

from tests.scenarios.case import identified
from tests.scenarios.julija_steps import walk_the_whole_case

LINE = re.compile(r'<div class="fact ([a-z]*)" data-topic="([a-z]+)"><dt>[^<]*</dt>\s*'
                  r'<dd>(?:<a href="([^"]*)">)?([^<]*)')


def standing(client, code: str) -> dict[str, tuple[str, str | None, str]]:
    """Each line of the summary: (text, link, tone), by what it is about."""
    html = client.get(f"/cases/{code}").get_data(as_text=True)
    return {topic: (text, link or None, tone)
            for tone, topic, link, text in LINE.findall(html)}


def test_where_she_stands_is_said_in_words_and_linked(julija, signed_in):
    lines = standing(signed_in("coordinator"), julija.code)
    assert list(lines) == ["identification", "stay", "permit", "school", "plan", "consents",
                           "incidents"]
    assert lines["identification"] == (
        "Identified as a victim of trafficking on Mar 2, 2026. Referred by: police.",
        f"/monitor/instances/{julija.id}", "done")
    text, link, _ = lines["stay"]
    assert text == ("End of the reflection period: act by May 29, 2026 "
                    "(legal date May 31, 2026).")
    assert link.startswith("/monitor/instances/")
    assert lines["permit"][0] == "Not applied for."
    assert lines["consents"][0] == "Given: referral to the coordinator."
    assert lines["incidents"] == ("None.", None, "")


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
