"""A task that meets a legal deadline is due on its latest safe day, and every page that
shows it puts the legal date beside it: the worklist, the task, the case and the API say
the same two dates the deadline tracker says."""

from __future__ import annotations

import re

from tests.scenarios.case import identified

CODE = "SI-7K3Q-9F2M"
ROW = re.compile(r'<tr class="[^"]*" data-task-id="(\d+)">\s*<td>([^<]*)'
                 r'(?:<span class="meta legal-date">([^<]*)</span>)?')


def test_the_police_see_the_safe_day_first_and_the_legal_date_beside_it(
        app, engine, signed_in, bearer):
    case = identified(engine, CODE, stay_granted=True)
    case.at("2026-05-12")
    case.complete("record_decision", "coord", {
        "decision": "extend", "decision_date": "2026-05-12",
        "reason": "She is still recovering from her injuries."})
    deadline = case.deadline("extension_decision_due")
    assert (str(deadline.latest_safe_day), str(deadline.legal_date)) == ("2026-05-29",
                                                                         "2026-05-31")
    task = case.task("decide_extension")
    police = signed_in("police")
    rows = {int(i): (due.strip(), legal) for i, due, legal in
            ROW.findall(police.get("/worklist").get_data(as_text=True))}
    assert rows[task.id] == ("May 29, 2026", "(legal date May 31, 2026)")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r"May 29, 2026\s*<span class=\"meta legal-date\">\(legal date May 31, "
                     r"2026\)", page)
    case_page = signed_in("coordinator").get(f"/cases/{CODE}").get_data(as_text=True)
    assert "(legal date May 31, 2026)" in case_page
    body = police.get(f"/api/tasks/{task.id}", headers=bearer("police")).get_json()
    assert (body["due_date"], body["legal_date"]) == ("2026-05-29", "2026-05-31")


def test_the_decision_on_cooperating_is_due_before_the_stay_ends_not_on_its_last_day(
        app, engine, signed_in):
    case = identified(engine, CODE, stay_granted=True)
    decision, consent = case.task("record_decision"), case.task("ask_plan_consent")
    rows = {int(i): (due.strip(), legal) for i, due, legal in ROW.findall(
        signed_in("coordinator").get("/worklist").get_data(as_text=True))}
    assert rows[decision.id] == ("May 29, 2026", "(legal date May 31, 2026)")
    assert rows[consent.id] == ("-", "")  # no date at all: none is made up
