"""Every construct diagram through the API as an analyst and a coordinator would use it:
deploy, start, complete each task. Whatever happens (refused, incident, done), every
answer is JSON that says why, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts import add_users
from tests.diagrams import registries
from tests.engine.construct_runs import RUNS
from web import create_app

CONSTRUCTS = Path(__file__).parents[1] / "engine" / "constructs"
START_DATA = {"multi_instance_collection": {"services": ["shelter"]}}


@pytest.fixture
def api(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    add_users(engine, ("coordinator", "policy_analyst"))
    app = create_app(engine=engine, SECRET_KEY="tests", TESTING=True)

    def bearer(username: str) -> dict[str, str]:
        token = engine.credentials.create_token(username, "tests", by="tests").token
        return {"Authorization": f"Bearer {token}"}

    return app.test_client(), bearer


def _no_traceback(answer) -> dict:
    text = answer.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text, text[:500]
    assert answer.is_json, text[:200]
    return answer.get_json()


@pytest.mark.parametrize("path", sorted(CONSTRUCTS.glob("*.bpmn")), ids=lambda p: p.stem)
def test_every_construct_answers_without_a_traceback(api, path):
    client, bearer = api
    analyst, coordinator = bearer("policy-analyst"), bearer("coordinator")
    deployed = client.post("/api/process-definitions/", data=path.read_bytes(),
                           headers={**analyst, "Content-Type": "application/xml"})
    body = _no_traceback(deployed)
    if deployed.status_code != 201:
        assert deployed.status_code == 422 and body["message"]
        return
    started = client.post("/api/process-instances", headers=coordinator, json={
        "process_key": path.stem, "case": "SI-9B2D-4F6H",
        "data": START_DATA.get(path.stem, {})})
    instance = _no_traceback(started)
    assert started.status_code == 201, instance
    for _ in range(5):
        tasks = _no_traceback(client.get(f"/api/tasks/?instance_id={instance['id']}",
                                          headers=coordinator))
        if not tasks:
            break
        done = client.post(f"/api/tasks/{tasks[0]['id']}/complete", headers=coordinator,
                           json={"data": {"note": "done", "count": 0}})
        _no_traceback(done)
    final = _no_traceback(client.get(f"/api/process-instances/{instance['id']}",
                                     headers=coordinator))
    assert final["status"] in ("completed", "waiting", "incident", "running")
    if path.stem in RUNS:
        assert final["status"] == "completed", final
    if final["status"] == "incident":
        assert final["incident_message"] and "\n" not in final["incident_message"]


def test_the_api_lists_the_settings_it_ignores_when_it_validates_and_deploys(api):
    client, bearer = api
    analyst = {**bearer("policy-analyst"), "Content-Type": "application/xml"}
    content = (CONSTRUCTS / "camunda_settings.bpmn").read_bytes()
    checked = _no_traceback(client.post("/api/process-definitions/validate", data=content,
                                        headers=analyst))
    assert checked["valid"] is True and checked["problems"] == []
    deployed = client.post("/api/process-definitions/", data=content, headers=analyst)
    (body,) = _no_traceback(deployed)
    assert deployed.status_code == 201
    assert sorted(w["message"] for w in body["warnings"]) == sorted(
        w["message"] for w in checked["warnings"])
    assert {"element_id": "read", "message": "camunda:candidateGroups is ignored: a user "
            "task goes to the role of its lane: put it in a lane named after the role"
            } in body["warnings"]
