"""The worklist as a caseworker narrows it: by procedure, case, due window and who
claimed it, sorted by any column, paged without losing what she chose; and the
coordinator hands a task to a named actor of its lane from the instance page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.web_app import csrf_of

ROW = re.compile(r'<tr class="[^"]*" data-task-id="(\d+)">.*?<td class="code">([^<]+)</td>',
                 re.S)


def listed(client, query: str = "") -> list[tuple[int, str]]:
    html = client.get(f"/worklist{query}").get_data(as_text=True)
    return [(int(task), code) for task, code in ROW.findall(html)]


def start(engine, *codes: str) -> None:
    for code in codes:
        engine.runtime.start("reflection_period", code, actor="coordinator")


def test_the_worklist_narrows_by_case_procedure_and_claim(app, engine, signed_in):
    start(engine, "SI-AAAA-2222", "SI-BBBB-3333", "SI-CCCC-4444")
    police = signed_in("police")
    assert {code for _, code in listed(police)} == {"SI-AAAA-2222", "SI-BBBB-3333",
                                                     "SI-CCCC-4444"}
    assert [code for _, code in listed(police, "?case=bbbb")] == ["SI-BBBB-3333"]
    assert listed(police, "?procedure=identification") == []
    assert len(listed(police, "?procedure=reflection_period")) == 3

    (task_id, _), *_ = listed(police, "?case=AAAA")
    engine.tasks.claim(task_id, "police")
    assert [t for t, _ in listed(police, "?claimed=mine")] == [task_id]
    assert task_id not in [t for t, _ in listed(police, "?claimed=unclaimed")]
    assert [t for t, _ in listed(police, "?claimed=claimed")] == [task_id]
    empty = police.get("/worklist?case=ZZZZ").get_data(as_text=True)
    assert "No open task of your roles matches these filters." in empty


def test_the_worklist_sorts_by_any_column_and_pages_keep_the_filters(app, engine,
                                                                      signed_in):
    codes = [f"SI-{'ABCDEFGH'[i % 8] * 4}-{n}{n}{n}{n}" for i, n in
             enumerate("23456789" * 7)][:52]
    start(engine, *codes)
    police = signed_in("police")
    ascending = [code for _, code in listed(police, "?sort=case")]
    assert ascending == sorted(ascending) and len(ascending) == 50
    descending = [code for _, code in listed(police, "?sort=-case")]
    assert descending == sorted(descending, reverse=True)
    html = police.get("/worklist?sort=-case&procedure=reflection_period").get_data(
        as_text=True)
    assert "52 tasks" in html
    onward = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "procedure=reflection_period" in onward and "sort=-case" in onward
    rest = [code for _, code in listed(police, onward.removeprefix("/worklist"))]
    assert descending + rest == sorted(descending + rest, reverse=True) and len(rest) == 2
    assert police.get("/worklist?sort=nonsense").status_code == 200

    # A cursor of one sort given with another: refused, and her first page shown.
    cursor = parse_qs(urlsplit(onward).query)["after"][0]
    by_task = police.get(f"/worklist?sort=task&after={cursor}")
    assert by_task.status_code == 400
    assert "That page link is not one this list gave" in by_task.get_data(as_text=True)
    assert [c for _, c in ROW.findall(by_task.get_data(as_text=True))] == \
        [c for _, c in listed(police, "?sort=task")]
    # A cursor of the right sort whose title holds a NUL, which no task's title can.
    nul = police.get("/worklist?sort=task&after=WyJ0YXNrIiwiYVx1MDAwMCIsbnVsbCwxXQ")
    assert nul.status_code == 400
    assert "That page link is not one this list gave" in nul.get_data(as_text=True)


def test_the_coordinator_hands_a_task_over_with_a_reason(app, engine, signed_in):
    start(engine, "SI-AAAA-2222")
    (task,) = engine.tasks.tasks(role="police")
    coordinator = signed_in("coordinator")
    page = coordinator.get(f"/monitor/instances/{task.instance_id}").get_data(as_text=True)
    assert f'action="/monitor/tasks/{task.id}/assign"' in page
    token = csrf_of(page)

    refused = coordinator.post(f"/monitor/tasks/{task.id}/assign", data={
        "csrf_token": token, "assignee": "police", "reason": " "}, follow_redirects=True)
    assert "Say why the task is handed over" in refused.get_data(as_text=True)
    assert engine.tasks.task(task.id).assignee is None

    handed = coordinator.post(f"/monitor/tasks/{task.id}/assign", data={
        "csrf_token": token, "assignee": "police", "reason": "The duty officer is away"})
    assert handed.status_code == 302
    assert engine.tasks.task(task.id).assignee == "police"
    police = signed_in("police")
    own_token = csrf_of(police.get("/worklist").get_data(as_text=True))
    assert police.post(f"/monitor/tasks/{task.id}/assign", data={
        "csrf_token": own_token, "assignee": "police", "reason": "x"}).status_code == 403


def test_a_filter_with_a_character_that_cannot_be_stored_is_refused_clearly(app, engine,
                                                                           signed_in):
    start(engine, "SI-AAAA-2222")
    answer = signed_in("police").get("/worklist?case=SI-%00")
    assert answer.status_code == 400
    assert "cannot be searched for" in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)


def test_the_due_column_of_the_unsorted_worklist_reverses_at_the_first_click(
        app, engine, signed_in):
    """The worklist opens sorted by due date: its "Due" link turns that order round."""
    start(engine, "SI-AAAA-2222")
    html = signed_in("police").get("/worklist").get_data(as_text=True)
    assert 'href="/worklist?sort=-due"' in html
    assert 'href="/worklist?sort=task"' in html
