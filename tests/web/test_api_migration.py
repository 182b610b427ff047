"""POST /api/process-instances/<id>/migration and /api/process-definitions/<key>/<v>/migration:
a dry run says what would move, a move is refused with the element named and nothing
changed, and only those who publish versions or run instances may move them."""

from __future__ import annotations

from tests.conftest import PROCESSES

ORIGINAL = (PROCESSES / "reflection_period.bpmn").read_bytes()
RENAMED_ID = ORIGINAL.replace(b"grant_permitted_stay", b"decide_stay")


def test_a_coordinator_plans_then_moves_an_instance(app, bearer, engine):
    instance = engine.runtime.start("reflection_period", "SI-2026-0001").id
    engine.repository.deploy(RENAMED_ID, source="v2.bpmn")
    client, headers = app.test_client(), bearer("coordinator")
    url = f"/api/process-instances/{instance}/migration"

    planned = client.post(url, json={"to_version": 2, "dry_run": True,
                                     "mapping": {"grant_permitted_stay": "decide_stay"}},
                          headers=headers)
    assert planned.status_code == 200, planned.get_json()
    body = planned.get_json()
    assert (body["done"], body["problems"], body["from_version"]) == (False, [], 1)
    assert {"element_id": "grant_permitted_stay", "target_id": "decide_stay",
            "state": "active"} in body["moves"]
    assert "variables" not in body and "case_code" not in body
    assert engine.runtime.instance(instance).version == 1

    refused = client.post(url, json={"to_version": 2}, headers=headers)
    assert refused.status_code == 422
    assert "no counterpart in version 2" in \
        refused.get_json()["fields"]["grant_permitted_stay"][0]
    assert engine.runtime.instance(instance).version == 1

    moved = client.post(url, json={"to_version": 2,
                                   "mapping": {"grant_permitted_stay": "decide_stay"}},
                        headers=headers)
    assert moved.status_code == 200 and moved.get_json()["done"] is True
    after = engine.runtime.instance(instance)
    assert after.version == 2 and [t.element_id for t in after.open_tasks] == ["decide_stay"]


def test_an_analyst_moves_a_whole_version_and_others_may_not(app, bearer, engine):
    ids = [engine.runtime.start("reflection_period", f"SI-2026-000{n}").id for n in (1, 2)]
    engine.repository.deploy(RENAMED_ID, source="v2.bpmn")
    url = "/api/process-definitions/reflection_period/1/migration"
    body = {"to_version": 2, "mapping": {"grant_permitted_stay": "decide_stay"}}
    for user in ("police", "legal-adviser", "ngo-counsellor"):
        answer = app.test_client().post(url, json=body, headers=bearer(user))
        assert answer.status_code == 403, user
        single = app.test_client().post(f"/api/process-instances/{ids[0]}/migration",
                                        json=body, headers=bearer(user))
        assert single.status_code == 403, user
    assert {engine.runtime.instance(i).version for i in ids} == {1}

    moved = app.test_client().post(url, json=body, headers=bearer("policy-analyst"))
    assert moved.status_code == 200
    assert [m["instance_id"] for m in moved.get_json()] == ids
    assert {engine.runtime.instance(i).version for i in ids} == {2}
    again = app.test_client().post(url, json=body, headers=bearer("policy-analyst"))
    assert again.status_code == 200 and again.get_json() == []


def test_a_malformed_move_is_refused_and_changes_nothing(app, bearer, engine):
    instance = engine.runtime.start("reflection_period", "SI-2026-0001").id
    engine.repository.deploy(RENAMED_ID, source="v2.bpmn")
    client, headers = app.test_client(), bearer("coordinator")
    url = f"/api/process-instances/{instance}/migration"
    for body, field in (({}, "to_version"), ({"to_version": 0}, "to_version"),
                        ({"to_version": 2, "mapping": {"a": 3}}, "mapping"),
                        ({"to_version": 2, "mapping": {"": "x"}}, "mapping"),
                        ({"to_version": 2, "mapping": ["a"]}, "mapping")):
        answer = client.post(url, json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.get_json())
        assert field in answer.get_json()["fields"], answer.get_json()
    assert client.post(url, json={"to_version": 9}, headers=headers).status_code == 404
    assert client.post(url, json={"to_version": 1}, headers=headers).status_code == 409
    assert client.post("/api/process-instances/999999/migration", json={"to_version": 2},
                       headers=headers).status_code == 404
    assert engine.runtime.instance(instance).version == 1
