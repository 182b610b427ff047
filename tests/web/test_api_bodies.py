"""A body the API cannot read is refused, never read as an empty change (issue 16).

Every operation that takes a body answers 415 for a body that is not JSON (a form post, a
missing or wrong content type), 400 for malformed JSON and for JSON nested deeper than
any form, and changes nothing. The diagram upload takes XML or a file, and likewise
refuses another content type with 415.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent, CaseRecord, Consent, ProcessDefinition, ProcessInstance
from web.api.blueprint import MAX_DEPTH


def state(engine, code: str) -> tuple[object, ...]:
    """What a refused request must leave as it was."""
    with engine.db.reading() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(model))
                       for model in (AuditEvent, ProcessInstance, Consent, ProcessDefinition))
        person = session.scalar(select(CaseRecord.person).where(CaseRecord.code == code))
        revisions = tuple(session.scalars(select(ProcessInstance.revision)
                                          .order_by(ProcessInstance.id)))
    return counts, person, revisions, engine.clock.now()


def operations(julija) -> list[tuple[str, str]]:
    task = julija.instance.open_tasks[0].id
    return [("patch", f"/api/cases/{julija.code}/person"),
            ("post", "/api/process-instances"),
            ("post", f"/api/process-instances/{julija.id}/cancel"),
            ("post", f"/api/process-instances/{julija.id}/suspend"),
            ("post", f"/api/tasks/{task}/complete"),
            ("post", f"/api/cases/{julija.code}/consents"),
            ("post", f"/api/cases/{julija.code}/consents/1/withdraw"),
            ("post", "/api/clock")]


def nested(depth: int) -> str:
    return "[" * (depth - 1) + '{"given_name": "Julija"}' + "]" * (depth - 1)


UNREADABLE = [
    pytest.param({"data": "given_name=Julija",
                  "content_type": "application/x-www-form-urlencoded"}, 415, id="form"),
    pytest.param({"data": '{"given_name": "Julija"}', "content_type": "text/plain"}, 415,
                 id="json-as-text"),
    pytest.param({"data": '{"given_name": "Julija"}'}, 415, id="no-content-type"),
    pytest.param({"data": '{"given_name": "Jul', "content_type": "application/json"}, 400,
                 id="malformed"),
    pytest.param({"data": b'{"given_name": "\xff"}', "content_type": "application/json"},
                 400, id="not-utf8"),
    pytest.param({"data": nested(1000), "content_type": "application/json"}, 400,
                 id="nested-1000"),
    pytest.param({"data": nested(100_000), "content_type": "application/json"}, 400,
                 id="nested-100000"),
    pytest.param({"data": nested(MAX_DEPTH + 1), "content_type": "application/json"}, 400,
                 id="nested-past-limit"),
]


@pytest.mark.parametrize(("body", "status"), UNREADABLE)
def test_every_body_the_api_cannot_read_is_refused_and_changes_nothing(
        app, engine, bearer, julija, body, status):
    client, coordinator = app.test_client(), bearer("coordinator")
    before = state(engine, julija.code)
    for method, path in operations(julija):
        answer = client.open(path, method=method.upper(), headers=coordinator, **body)
        assert answer.status_code == status, (method, path, answer.get_data(as_text=True))
        error = answer.get_json()
        assert set(error) == {"error", "message", "fields"}, path
        assert "Traceback" not in error["message"]
    assert state(engine, julija.code) == before


def test_her_record_changed_with_a_form_body_says_415_and_keeps_the_record(
        app, engine, bearer, julija):
    coordinator = bearer("coordinator")  # making a token is audited: before the snapshot
    before = state(engine, julija.code)
    answer = app.test_client().patch(f"/api/cases/{julija.code}/person",
                                     data={"given_name": "Julija"}, headers=coordinator)
    assert answer.status_code == 415
    assert answer.get_json()["error"] == "unsupported_media_type"
    assert "application/json" in answer.get_json()["message"]
    assert state(engine, julija.code) == before
    done = app.test_client().patch(f"/api/cases/{julija.code}/person",
                                   json={"nationality": "Ukrainian"}, headers=coordinator)
    assert done.status_code == 200 and done.get_json()["fields"]["nationality"] == "Ukrainian"


def test_json_within_the_depth_limit_is_read(app, bearer, julija):
    data = json.loads(nested(MAX_DEPTH - 1))  # in the body's object: MAX_DEPTH in all
    answer = app.test_client().post("/api/process-instances", headers=bearer("coordinator"),
                                    json={"process_key": "no_such_process", "data": data})
    assert answer.status_code in (404, 422), answer.get_data(as_text=True)
    assert answer.get_json()["error"] != "bad_request"


def test_an_action_without_a_body_still_takes_its_defaults(app, bearer, julija, engine):
    answer = app.test_client().post(f"/api/process-instances/{julija.id}/suspend",
                                    headers=bearer("coordinator"))
    assert answer.status_code == 200 and answer.get_json()["status"] == "suspended"


@pytest.mark.parametrize("path", ["/api/process-definitions/",
                                  "/api/process-definitions/validate"])
def test_a_diagram_in_another_content_type_is_refused_with_415(app, engine, bearer, path):
    analyst = bearer("policy-analyst")
    before = state(engine, "none")
    xml = engine.repository.xml("reflection_period", 1)
    for content_type in ("application/json", "text/plain",
                         "application/x-www-form-urlencoded"):
        answer = app.test_client().post(path, data=xml, content_type=content_type,
                                        headers=analyst)
        assert answer.status_code == 415, (content_type, answer.get_data(as_text=True))
        assert answer.get_json()["error"] == "unsupported_media_type"
    assert state(engine, "none") == before
