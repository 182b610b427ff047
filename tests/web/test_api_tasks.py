"""/api/tasks: success, 401, 403, 404, 409 and 422, as JSON, with nothing changed."""

from __future__ import annotations

from tests.web.api_task_steps import GRANT, started
from tests.web.worklist_steps import snapshot
from tests.web_app import csrf_of


def test_without_sign_in_or_with_a_bad_token_the_api_answers_401_json(app):
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = client.get("/api/tasks/", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_the_worklist_lists_only_her_roles_tasks(app, engine, bearer):
    _, task = started(engine)
    police = app.test_client().get("/api/tasks/", headers=bearer("police")).get_json()
    assert [t["id"] for t in police] == [task.id]
    assert app.test_client().get("/api/tasks/", headers=bearer("coordinator")).get_json() == []
    response = app.test_client().get("/api/tasks/?role=police", headers=bearer("coordinator"))
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    response = app.test_client().get("/api/tasks/?limit=0", headers=bearer("police"))
    assert response.status_code == 400 and "limit" in response.get_json()["fields"]


def test_a_task_comes_with_its_form_as_json_schema(app, engine, bearer):
    _, task = started(engine)
    body = app.test_client().get(f"/api/tasks/{task.id}", headers=bearer("police")).get_json()
    form = body["form"]
    assert form["properties"]["stay_decision"]["enum"] == ["granted", "refused"]
    assert form["properties"]["stay_decision_date"]["format"] == "date"
    assert "stay_decision_date" in form["required"]
    assert form["additionalProperties"] is False
    assert isinstance(body["revision"], int)


def test_other_roles_and_missing_tasks_get_403_and_404(app, engine, bearer):
    instance, task = started(engine)
    client, coordinator, police = app.test_client(), bearer("coordinator"), bearer("police")
    before = snapshot(engine, instance.id)
    for path in (f"/api/tasks/{task.id}/claim", f"/api/tasks/{task.id}/complete"):
        response = client.post(path, json={"data": GRANT}, headers=coordinator)
        assert response.status_code == 403, path
    assert client.get(f"/api/tasks/{task.id}", headers=coordinator).status_code == 403
    response = client.get("/api/tasks/999999", headers=police)
    assert response.status_code == 404 and response.get_json() == {
        "error": "not_found", "message": "task 999999 does not exist", "fields": {}}
    assert snapshot(engine, instance.id) == before


def test_complete_422_with_field_messages_then_200(app, engine, bearer):
    instance, task = started(engine)
    client, headers = app.test_client(), bearer("police")
    before = snapshot(engine, instance.id)
    for data, field, message in (
            ({**GRANT, "stay_decision_date": "2031-01-01"}, "stay_decision_date",
             "The date cannot be in the future."),
            ({**GRANT, "extra": 1}, "extra", "Unknown field."),
            ({**GRANT, "stay_decision": "maybe"}, "stay_decision",
             "Choose one of: granted, refused.")):
        response = client.post(f"/api/tasks/{task.id}/complete", headers=headers,
                               json={"data": data})
        assert response.status_code == 422
        body = response.get_json()
        assert body["error"] == "validation_failed"
        assert body["fields"][field] == [message]
    response = client.post(f"/api/tasks/{task.id}/complete", headers=headers, json={})
    assert response.status_code == 422 and "data" in response.get_json()["fields"]
    assert snapshot(engine, instance.id) == before

    response = client.post(f"/api/tasks/{task.id}/complete", headers=headers,
                           json={"data": GRANT})
    assert response.status_code == 200
    assert response.get_json()["completed_by"] == "police"


def test_a_concurrent_complete_gets_409_and_changes_nothing(app, engine, bearer):
    instance, task = started(engine)
    client, headers = app.test_client(), bearer("police")
    revision = client.get(f"/api/tasks/{task.id}", headers=headers).get_json()["revision"]
    engine.runtime.suspend(instance.id, actor="coord")
    engine.runtime.resume(instance.id, actor="coord")
    before = snapshot(engine, instance.id)
    response = client.post(f"/api/tasks/{task.id}/complete", headers=headers,
                           json={"data": GRANT, "revision": revision})
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"
    assert snapshot(engine, instance.id) == before


def test_claim_and_unclaim_and_someone_elses_claim(app, engine, bearer):
    _, task = started(engine)
    engine.users.add("police-2", ["police"])
    client = app.test_client()
    response = client.post(f"/api/tasks/{task.id}/claim", headers=bearer("police"))
    assert response.status_code == 200 and response.get_json()["assignee"] == "police"
    response = client.post(f"/api/tasks/{task.id}/claim", headers=bearer("police-2"))
    assert response.status_code == 409
    response = client.post(f"/api/tasks/{task.id}/unclaim", headers=bearer("police-2"))
    assert response.status_code == 403
    response = client.post(f"/api/tasks/{task.id}/unclaim", headers=bearer("police"))
    assert response.status_code == 200 and response.get_json()["assignee"] is None


def test_a_cookie_session_needs_the_csrf_header_to_change_anything(app, engine, signed_in):
    instance, task = started(engine)
    police = signed_in("police")
    response = police.post(f"/api/tasks/{task.id}/claim")
    assert response.status_code == 400 and response.get_json()["error"] == "csrf_failed"
    assert engine.tasks.task(task.id).assignee is None
    token = csrf_of(police.get(f"/tasks/{task.id}").get_data(as_text=True))
    response = police.post(f"/api/tasks/{task.id}/claim", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_openapi_and_docs_are_served_from_this_server(app):
    client = app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/tasks/{task_id}/complete" in spec["paths"]
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "https://" not in docs
