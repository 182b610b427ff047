"""Numbers and days beyond what the database and the calendar hold: a clear 404, 400 (a
query) or 422 (a body) as JSON from the API, a 404 or a plain answer from the pages, never
a 500, and nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent, NotificationRead, ProcessInstance
from tests.web_app import csrf_of

HUGE = "99999999999999999999999"
"""Past 64 bits: SQLite cannot even hold it."""

BEYOND_ID = str(2**31)
"""Past a 32-bit id column (PostgreSQL's integer)."""


def changes(engine) -> tuple[int, ...]:
    with engine.db.reading() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (AuditEvent, ProcessInstance, NotificationRead))


@pytest.mark.parametrize("number", [HUGE, BEYOND_ID])
def test_an_id_beyond_any_row_is_404_json_in_every_api_path(app, engine, bearer, julija,
                                                            number):
    client, coordinator = app.test_client(), bearer("coordinator")
    before = changes(engine)
    for method, path in (
            ("get", f"/api/tasks/{number}"),
            ("post", f"/api/tasks/{number}/claim"),
            ("post", f"/api/tasks/{number}/unclaim"),
            ("post", f"/api/tasks/{number}/complete"),
            ("get", f"/api/process-instances/{number}"),
            ("post", f"/api/process-instances/{number}/suspend"),
            ("get", f"/api/process-definitions/reflection_period/{number}/xml"),
            ("post", f"/api/cases/{julija.code}/consents/{number}/withdraw")):
        answer = getattr(client, method)(path, json={"reason": "x", "data": {}},
                                         headers=coordinator)
        assert answer.status_code == 404, (path, answer.status_code)
        assert answer.get_json()["error"] == "not_found", path
    assert changes(engine) == before


@pytest.mark.parametrize(("query", "field"), [
    ("/api/process-instances?started_from=0001-01-01", "started_from"),
    ("/api/process-instances?started_to=9999-12-31", "started_to"),
    ("/api/process-instances?offset=77000000000000000000000", "offset"),
    ("/api/tasks/?offset=7.7e21", "offset"),
    ("/api/tasks/?offset=77000000000000000000000", "offset"),
    ("/api/tasks/?due_before=0001-01-01", "due_before"),
    (f"/api/tasks/?instance_id={HUGE}", "instance_id"),
    ("/api/deadlines?within_days=294153232", "within_days"),
    (f"/api/deadlines?offset={HUGE}", "offset"),
    (f"/api/cases?offset={HUGE}", "offset"),
    (f"/api/history?instance={HUGE}", "instance"),
    (f"/api/process-definitions/reflection_period/compare?from=1&to={HUGE}", "to"),
])
def test_a_query_beyond_range_is_refused_by_name(app, bearer, julija, query, field):
    answer = app.test_client().get(query, headers=bearer("coordinator"))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["error"] == "bad_request" and field in body["fields"]


@pytest.mark.parametrize("body", [{"advance": "P99999999999D"}, {"advance": "P36601D"},
                                  {"to": "9999-12-31T00:00:00+00:00"},
                                  {"to": "0001-01-02T00:00:00+00:00"}])
def test_the_clock_refuses_a_step_past_the_calendar_and_stays(app, engine, bearer, body):
    before = engine.clock.now()
    answer = app.test_client().post("/api/clock", json=body, headers=bearer("coordinator"))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "validation_failed"
    assert engine.clock.now() == before


def test_a_consent_dated_outside_the_calendar_is_refused_and_not_recorded(
        app, engine, bearer, julija):
    before = engine.consents.consents(julija.code)
    answer = app.test_client().post(
        f"/api/cases/{julija.code}/consents", headers=bearer("coordinator"),
        json={"purpose": "protection_plan", "status": "given", "decided_on": "0001-01-01",
              "obtained": "a signed form"})
    assert answer.status_code == 422 and "decided_on" in answer.get_json()["fields"]
    assert engine.consents.consents(julija.code) == before


def test_pages_answer_404_for_an_id_beyond_any_row(app, signed_in, engine, julija):
    coordinator = signed_in("coordinator")
    for path in (f"/tasks/{HUGE}", f"/monitor/instances/{HUGE}",
                 f"/modeler/reflection_period/{HUGE}", f"/tasks/{BEYOND_ID}"):
        answer = coordinator.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert "Traceback" not in answer.get_data(as_text=True)


def test_page_filters_beyond_range_list_what_the_range_holds(app, signed_in, julija):
    coordinator = signed_in("coordinator")
    everything = coordinator.get("/monitor/instances")
    wide = coordinator.get("/monitor/instances?from=0001-01-01&to=9999-12-31")
    assert wide.status_code == 200
    assert julija.code in wide.get_data(as_text=True)
    assert julija.code in everything.get_data(as_text=True)
    far = coordinator.get("/deadlines/?within=294153232")
    assert far.status_code == 200 and julija.code in far.get_data(as_text=True)
    for path in (f"/worklist?page={HUGE}", f"/monitor/instances?page={HUGE}",
                 f"/cases?page={HUGE}", f"/deadlines/?page={HUGE}"):
        assert coordinator.get(path).status_code == 200, path


def test_marking_a_notice_beyond_any_row_read_changes_nothing(app, signed_in, engine,
                                                              julija):
    coordinator = signed_in("coordinator")
    page = coordinator.get("/inbox").get_data(as_text=True)
    before = changes(engine)
    answer = coordinator.post("/inbox/read", data={"id": HUGE, "csrf_token": csrf_of(page)})
    assert answer.status_code == 302
    assert changes(engine) == before
