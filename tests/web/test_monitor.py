"""The coordinators' monitor: dashboard, instance list, instance page, actions, case page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.accounts import add_users
from tests.diagrams import registries, with_handler
from tests.web_app import csrf_of, hidden, read_onward, sign_in, walk_pages
from web import create_app
from web.pages import monitor

CODE = "SI-7K3Q-9F2M"


def state_of(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="diagram-state">(.*?)</script>',
                      html, re.S)
    assert found, "the page has no diagram state"
    return json.loads(found.group(1))


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-instance-id="(\d+)"', html)]


def test_only_coordinators_and_admins_open_the_monitor(app, signed_in):
    assert signed_in("coordinator").get("/monitor/").status_code == 200
    assert signed_in("admin").get("/monitor/").status_code == 200
    for user in ("police", "legal-adviser", "policy-analyst"):
        assert signed_in(user).get("/monitor/").status_code == 403, user
        assert signed_in(user).get("/monitor/instances").status_code == 403, user
    assert app.test_client().get("/monitor/").status_code == 302  # to sign in


def test_the_dashboard_counts_procedures_and_lists_this_weeks_deadlines(julija, signed_in):
    html = signed_in("coordinator").get("/monitor/").get_data(as_text=True)
    row = re.search(r'<tr data-process="victim_protection">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-status="running"><a [^>]*>1</a>', row), row
    assert "No legal deadline in the next seven days" in html
    julija.at("2026-05-25")
    html = signed_in("coordinator").get("/monitor/").get_data(as_text=True)
    assert 'data-kind="reflection_end"' in html


def test_a_coordinator_starts_a_procedure_for_a_case(app, signed_in, engine):
    client = signed_in("coordinator")
    page = client.get("/monitor/").get_data(as_text=True)
    suggested = re.search(r'name="case_code" value="([^"]+)"', page).group(1)
    assert re.fullmatch(r"SI-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", suggested)
    started = client.post("/monitor/start", data={
        "csrf_token": csrf_of(page), "process_key": "victim_protection",
        "case_code": suggested})
    assert started.status_code == 302
    [instance] = engine.runtime.instances(case_code=suggested)
    assert started.headers["Location"].endswith(f"/monitor/instances/{instance.id}")
    assert instance.started_by == "coordinator"
    landed = client.get(started.headers["Location"]).get_data(as_text=True)
    assert f"Started Protection of a victim of trafficking for {suggested}." in landed
    assert "<h1>Protection of a victim of trafficking <span" in landed


def test_a_procedure_started_on_its_own_asks_first_for_what_it_needs(app, signed_in, engine):
    client = signed_in("coordinator")
    token = csrf_of(client.get("/monitor/").get_data(as_text=True))
    chosen = {"csrf_token": token, "process_key": "residence_permit_art50",
              "case_code": "SI-PERM-2345"}
    asked = client.post("/monitor/start", data=chosen)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="victim_category"' in page
    assert 'name="reflection_end"' in page and engine.runtime.instances() == []
    assert 'name="cooperation_decided_on"' in page

    missing = client.post("/monitor/start", data={**chosen, "start_form": "1",
                                                   "reflection_end": "2026-05-30"})
    assert missing.status_code == 422 and 'aria-invalid="true"' in missing.get_data(
        as_text=True)
    assert engine.runtime.instances() == []

    started = client.post("/monitor/start", data={
        **chosen, "start_form": "1", "reflection_end": "2026-05-30",
        "victim_category": "trafficking", "cooperation_decided_on": "2026-03-01"})
    assert started.status_code == 302
    [instance] = engine.runtime.instances(case_code="SI-PERM-2345")
    assert engine.runtime.instance(instance.id).variables["reflection_end"] == "2026-05-30"


def test_starting_without_a_code_or_with_an_unknown_procedure_starts_nothing(
        app, signed_in, engine):
    client = signed_in("coordinator")
    token = csrf_of(client.get("/monitor/").get_data(as_text=True))
    assert 'value="deadline_escalation"' not in client.get("/monitor/").get_data(as_text=True)
    for form in ({"process_key": "victim_protection", "case_code": " "},
                 {"process_key": "no_such_procedure", "case_code": "SI-AAAA-BBBB"},
                 {"process_key": "deadline_escalation", "case_code": "SI-AAAA-BBBB"}):
        answer = client.post("/monitor/start", data={"csrf_token": token, **form},
                             follow_redirects=True)
        assert 'class="flash error"' in answer.get_data(as_text=True)
    assert engine.runtime.instances() == []


def test_the_instance_list_filters_and_refuses_a_bad_date(julija, signed_in, engine):
    other = engine.runtime.start("reflection_period", "SI-ZZZZ-2345", actor="tests")
    client = signed_in("coordinator")
    everything = listed_ids(client.get("/monitor/instances").get_data(as_text=True))
    assert julija.id in everything and other.id in everything
    assert listed_ids(client.get("/monitor/instances?case=zzzz").get_data(
        as_text=True)) == [other.id]
    only = listed_ids(client.get("/monitor/instances?process=victim_protection")
                      .get_data(as_text=True))
    assert julija.id in only and other.id not in only
    assert listed_ids(client.get("/monitor/instances?status=completed").get_data(
        as_text=True)) == [i.id for i in engine.runtime.instances(status="completed")]
    assert listed_ids(client.get("/monitor/instances?from=2026-03-03").get_data(
        as_text=True)) == []
    bad = client.get("/monitor/instances?from=yesterday")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)
    unknown = client.get("/monitor/instances?status=sleeping")
    assert unknown.status_code == 400 and "Unknown status" in unknown.get_data(as_text=True)


def test_a_long_instance_list_is_read_onward_and_counted_only_so_far(app, engine, signed_in,
                                                                    monkeypatch):
    """Ten years of cases are neither counted nor skipped through for a pager: each page
    goes on after the last instance of the one before, and past the cap the list says
    "more than"."""
    started = [engine.runtime.start("reflection_period", f"SI-MANY-{n:04d}", actor="tests").id
               for n in range(5)]
    client = signed_in("coordinator")
    monkeypatch.setattr(monitor, "PAGE_SIZE", 2)
    first = client.get("/monitor/instances").get_data(as_text=True)
    assert "5 instances" in first and 'rel="first"' not in first
    monkeypatch.setattr(monitor, "COUNT_CAP", 3)
    pages = read_onward(client, "/monitor/instances", between=lambda: engine.runtime.start(
        "reflection_period", "SI-MANY-LATE", actor="tests"))  # it comes first: moves no one
    seen = [i for page in pages for i in listed_ids(page)]
    assert seen == sorted(started, reverse=True)  # newest first, none twice, none left
    assert all("more than 3 instances" in page for page in pages)
    assert all('rel="first"' in page for page in pages[1:])

    forged = client.get("/monitor/instances?after=bm90LWEtY3Vyc29y")
    assert forged.status_code == 400
    text = forged.get_data(as_text=True)
    assert "That page link is not one this list gave" in text
    assert listed_ids(text) == listed_ids(client.get("/monitor/instances").get_data(
        as_text=True))  # its first page


def test_the_instance_api_walks_its_list_by_cursor(app, engine, bearer):
    started = [engine.runtime.start("reflection_period", f"SI-MANY-{n:04d}", actor="tests").id
               for n in range(5)]
    client, coordinator = app.test_client(), bearer("coordinator")
    pages = walk_pages(client, coordinator, "/api/process-instances?limit=2")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [i for page in pages for i in page] == sorted(started, reverse=True)
    forged = client.get("/api/process-instances?after=bm90LWEtY3Vyc29y", headers=coordinator)
    assert forged.status_code == 400


def listed_cases(html: str) -> list[str]:
    return re.findall(r'<td class="code"><a href="/cases/([^"]+)">', html)


def test_the_case_list_is_read_onward_newest_activity_first(app, engine, signed_in, bearer,
                                                            monkeypatch):
    """A case whose procedure moves between two pages goes to the top of the first page
    and is not shown again further on."""
    codes = [f"SI-MANY-{n:04d}" for n in range(5)]
    for code in codes:
        engine.advance_clock(timedelta(minutes=1))
        engine.runtime.start("reflection_period", code, actor="tests")
    client = signed_in("coordinator")
    monkeypatch.setattr(monitor, "PAGE_SIZE", 2)
    monkeypatch.setattr(monitor, "COUNT_CAP", 3)

    def first_case_moves() -> None:
        engine.advance_clock(timedelta(minutes=1))
        engine.runtime.start("reflection_period", codes[0], actor="tests")

    pages = read_onward(client, "/cases", between=first_case_moves)
    seen = [code for page in pages for code in listed_cases(page)]
    assert seen == codes[:0:-1]  # the one that moved is now above where the walk is
    assert all("more than 3 cases" in page for page in pages)
    assert listed_cases(client.get("/cases").get_data(as_text=True))[0] == codes[0]

    forged = client.get("/cases?after=bm90LWEtY3Vyc29y")
    assert forged.status_code == 400
    assert "That page link is not one this list gave" in forged.get_data(as_text=True)
    api = walk_pages(app.test_client(), bearer("coordinator"), "/api/cases?limit=2", key="code")
    assert [len(page) for page in api] == [2, 2, 1]
    assert [c for page in api for c in page] == [codes[0], *codes[:0:-1]]


def test_overdue_instances_are_found(julija, signed_in):
    client = signed_in("coordinator")
    assert julija.id not in listed_ids(client.get("/monitor/instances?overdue=1")
                                       .get_data(as_text=True))
    julija.at("2026-06-02")  # the reflection period ended with her decision still open
    assert julija.id in listed_ids(client.get("/monitor/instances?overdue=1")
                                   .get_data(as_text=True))


def test_the_instance_page_shows_the_diagram_state_history_and_variables(julija, signed_in):
    page = signed_in("coordinator").get(f"/monitor/instances/{julija.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    processes = {p["process_key"]: p for p in state_of(html)["processes"]}
    identification = processes["identification"]
    assert "record_preliminary" in identification["completed"]
    assert "formal_identification" in identification["completed"]
    active = set().union(*(p["active"] for p in processes.values()))
    assert {"ask_plan_consent", "record_decision"} & active
    assert 'data-event="instance_started"' in html and 'data-event="task_completed"' in html
    assert "preliminary_indicators" in html  # a variable
    assert 'data-kind="reflection_end"' in html


def test_cancelling_needs_a_reason_which_the_history_keeps(julija, signed_in, engine):
    client = signed_in("coordinator")
    page = client.get(f"/monitor/instances/{julija.id}").get_data(as_text=True)
    token, revision = csrf_of(page), hidden(page, "revision")
    refused = client.post(f"/monitor/instances/{julija.id}/cancel", data={
        "csrf_token": token, "revision": revision, "reason": "  "}, follow_redirects=True)
    assert "Give a reason for cancelling" in refused.get_data(as_text=True)
    assert engine.runtime.instance(julija.id).status != "cancelled"
    unconfirmed = client.post(f"/monitor/instances/{julija.id}/cancel", data={
        "csrf_token": token, "revision": revision, "reason": "Opened by mistake"},
        follow_redirects=True)
    assert "it cannot be undone" in unconfirmed.get_data(as_text=True)
    assert engine.runtime.instance(julija.id).status != "cancelled"
    client.post(f"/monitor/instances/{julija.id}/cancel", data={
        "csrf_token": token, "revision": revision, "reason": "Opened by mistake",
        "confirmed": "1"})
    assert engine.runtime.instance(julija.id).status == "cancelled"
    [event] = engine.history.events(instance_id=julija.id, event_type="instance_cancelled")
    assert (event.actor, event.detail) == ("coordinator", "Opened by mistake")


def test_suspend_and_resume_refuse_a_stale_page(julija, signed_in, engine):
    client = signed_in("coordinator")
    page = client.get(f"/monitor/instances/{julija.id}").get_data(as_text=True)
    token, revision = csrf_of(page), hidden(page, "revision")
    client.post(f"/monitor/instances/{julija.id}/suspend",
                data={"csrf_token": token, "revision": revision, "reason": "Court order"})
    assert engine.runtime.instance(julija.id).status == "suspended"
    stale = client.post(f"/monitor/instances/{julija.id}/resume",
                        data={"csrf_token": token, "revision": revision},
                        follow_redirects=True)
    assert 'class="flash error"' in stale.get_data(as_text=True)
    assert engine.runtime.instance(julija.id).status == "suspended"
    fresh = hidden(client.get(f"/monitor/instances/{julija.id}").get_data(as_text=True),
                   "revision")
    client.post(f"/monitor/instances/{julija.id}/resume",
                data={"csrf_token": token, "revision": fresh})
    assert engine.runtime.instance(julija.id).status != "suspended"


def test_actions_are_for_coordinators_only(julija, signed_in, engine):
    client = signed_in("legal-adviser")
    token = csrf_of(client.get("/deadlines/").get_data(as_text=True))
    answer = client.post(f"/monitor/instances/{julija.id}/cancel",
                         data={"csrf_token": token, "reason": "no"})
    assert answer.status_code == 403
    assert engine.runtime.instance(julija.id).status != "cancelled"
    assert signed_in("coordinator").get("/monitor/instances/99999").status_code == 404


def test_the_case_page_shows_all_her_procedures_and_deadlines(julija, signed_in, engine):
    engine.runtime.start("reflection_period", CODE, actor="tests")
    for user in ("coordinator", "legal-adviser"):
        page = signed_in(user).get(f"/cases/{CODE}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, user
        assert 'data-kind="reflection_end"' in html
        assert "Protection of a victim of trafficking" in html
        assert "Recovery and reflection period (Art. 50(1)-(3) ZTuj-2)" in html
    assert signed_in("police").get(f"/cases/{CODE}").status_code == 403
    assert signed_in("coordinator").get("/cases/SI-NONE-0000").status_code == 404
    listing = signed_in("coordinator").get("/cases?code=7k3q").get_data(as_text=True)
    assert f'/cases/{CODE}"' in listing


def test_an_incident_is_red_on_the_diagram_and_retry_clears_it(make_engine):
    forms, handlers, switch = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(with_handler("two"), source="two.bpmn")
    instance = engine.runtime.start("two", "C-1")
    engine.tasks.complete(instance.open_tasks[0].id, "ana", {"note": "keep me"})
    add_users(engine, ["coordinator"])
    client = sign_in(create_app(engine=engine, SECRET_KEY="tests", TESTING=True),
                     "coordinator")

    page = client.get(f"/monitor/instances/{instance.id}").get_data(as_text=True)
    assert state_of(page)["processes"][0]["incidents"] == ["call"]
    assert "did not answer" in page
    dashboard = client.get("/monitor/").get_data(as_text=True)
    assert f'data-instance-id="{instance.id}"' in dashboard  # among the incidents

    switch.broken = False
    client.post(f"/monitor/instances/{instance.id}/retry",
                data={"csrf_token": csrf_of(page)})
    fixed = engine.runtime.instance(instance.id)
    assert fixed.status == "running" and fixed.incident_element is None
    [event] = engine.history.events(instance_id=instance.id, event_type="incident_retried")
    assert event.actor == "coordinator"


def _ages(tasks, role: str, engine) -> tuple[str, str, str]:
    """The role's open tasks open up to a week, up to a month, and longer."""
    ages = [engine.clock.now() - t.created_at for t in tasks if t.role == role]
    week, month = timedelta(days=7), timedelta(days=30)
    return (str(sum(a <= week for a in ages)), str(sum(week < a <= month for a in ages)),
            str(sum(a > month for a in ages)))


def _chart_rows(html: str, chart: str) -> list[tuple[str, ...]]:
    figure = html[html.index(f'id="{chart}"'):html.index("</figure>", html.index(f'id="{chart}"'))]
    return [(label, *re.findall(r"<td>(\d+)", cells))
            for label, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', figure)]


def test_the_dashboard_charts_open_tasks_safe_days_and_missed_deadlines(julija, signed_in,
                                                                         engine):
    julija.at("2026-05-25")  # her reflection period's latest safe day, 29 May, is this week
    html = signed_in("coordinator").get("/monitor/").get_data(as_text=True)

    open_tasks = _chart_rows(html, "open-tasks-chart")
    tasks = engine.tasks.tasks()
    assert len(open_tasks) == len({t.role for t in tasks})
    assert sum(int(n) for _, *counts in open_tasks for n in counts) == len(tasks)
    assert ("coordinator", *_ages(tasks, "coordinator", engine)) in open_tasks

    weeks = _chart_rows(html, "safe-days-chart")
    assert len(weeks) == 12 and weeks[0][0] == "week of May 25, 2026"
    this_week = [d for d in engine.deadlines.deadlines(case_code=julija.code)
                 if d.status == "open" and str(d.latest_safe_day) <= "2026-05-31"]
    assert int(weeks[0][1]) == len(this_week) >= 1

    months = _chart_rows(html, "missed-chart")
    assert len(months) == 12 and months[-1][0] == "May 2026"


def test_a_filter_with_a_character_no_row_can_hold_is_refused(app, engine, bearer,
                                                              signed_in):
    engine.runtime.start("reflection_period", "SI-MANY-0001", actor="tests")
    client, coordinator = app.test_client(), bearer("coordinator")
    page = signed_in("coordinator")
    before = client.get("/api/process-instances", headers=coordinator).get_json()
    for url in ("/api/process-instances?case=SI%00", "/api/process-instances?process_key=a%00",
                "/api/cases?code=SI%00"):
        response = client.get(url, headers=coordinator)
        assert response.status_code == 422, url
    for url in ("/monitor/instances?case=SI%00", "/monitor/instances?process=a%00",
                "/cases?code=SI%00"):
        response = page.get(url)
        assert response.status_code == 400, url
        assert "A filter holds a character that cannot be searched for." in \
            response.get_data(as_text=True)
    assert client.get("/api/process-instances", headers=coordinator).get_json() == before
