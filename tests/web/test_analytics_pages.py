"""The analytics of a procedure, as a page with its heat map and as an API: counts and
durations for those who read diagrams, refused to the others, bad filters refused."""

from __future__ import annotations

import json
import re
from datetime import timedelta

GRANT = {"stay_decision": "granted", "victim_category": "trafficking",
         "informed_of_permit": True, "interpreter_provided": True}
PAGE = "/modeler/reflection_period/analytics"
API = "/api/process-definitions/reflection_period/analytics"


def walk(engine) -> None:
    """Two stays: one decided after two days, one still waiting."""
    first = engine.runtime.start("reflection_period", "SI-2026-0001").id
    engine.runtime.start("reflection_period", "SI-2026-0002")
    engine.advance_clock(timedelta(days=2))
    [task] = [t for t in engine.runtime.instance(first).open_tasks
              if t.element_id == "grant_permitted_stay"]
    engine.tasks.complete(task.id, "officer",
                          {**GRANT, "stay_decision_date": engine.ctx.today().isoformat()})


def test_the_page_draws_the_step_times_on_the_diagram(app, signed_in, engine):
    walk(engine)
    answer = signed_in("policy-analyst").get(PAGE)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    row = re.search(r'<tr data-element-id="grant_permitted_stay">.*?</tr>', html, re.S)[0]
    assert "<td>1</td><td>2 d</td><td>2 d</td>" in row and "<td>1</td><td>2 d</td>" in row
    heat = json.loads(re.search(r'id="heat-data">(.*?)</script>', html, re.S)[1])
    assert heat["grant_permitted_stay"] == {"value": 48.0, "text": "2 d"}
    assert "SI-2026" not in html  # no case is named

    waiting = signed_in("coordinator").get(PAGE + "?measure=waiting").get_data(as_text=True)
    heat = json.loads(re.search(r'id="heat-data">(.*?)</script>', waiting, re.S)[1])
    assert heat["grant_permitted_stay"] == {"value": 1, "text": "1"}


def test_the_api_gives_the_same_figures_and_refuses_bad_filters(app, bearer, engine):
    walk(engine)
    client, headers = app.test_client(), bearer("policy-analyst")
    found = client.get(API, headers=headers).get_json()
    [step] = [s for s in found["steps"] if s["element_id"] == "grant_permitted_stay"]
    assert (step["completed"], step["median_hours"], step["waiting"]) == (1, 48.0, 1)
    assert found["jurisdiction"] == "SI" and "case_code" not in json.dumps(found)
    for query in ("since=yesterday", "version=0", "jurisdiction=xx"):
        assert client.get(f"{API}?{query}", headers=headers).status_code == 400, query
    assert client.get(f"{API}?version=9", headers=headers).status_code == 404
    assert client.get("/api/process-definitions/nothing/analytics",
                      headers=headers).status_code == 404
    assert client.get(API, headers=bearer("police")).status_code == 403


def test_the_page_refuses_bad_filters_and_other_roles(app, signed_in):
    analyst = signed_in("policy-analyst")
    assert analyst.get(PAGE + "?since=2026-13-40").status_code == 400
    assert analyst.get(PAGE + "?version=9").status_code == 404
    assert analyst.get(PAGE + "?jurisdiction=xx").status_code == 400
    assert analyst.get("/modeler/nothing/analytics").status_code == 404
    assert signed_in("police").get(PAGE).status_code == 403
