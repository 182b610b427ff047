"""/api/process-instances, /api/cases, /api/history and /api/clock."""

from __future__ import annotations

from datetime import timedelta

from engine import ProcessEngine
from engine.services.cases import NEW_CODE
from tests.product import product_config
from web import create_app

CODE = "SI-7K3Q-9F2M"


def test_coordinators_list_and_start_instances(app, bearer, engine):
    client = app.test_client()
    started = client.post("/api/process-instances", headers=bearer("coordinator"),
                          json={"process_key": "reflection_period", "case": "SI-AAAA-2222",
                                "data": {}})
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert (body["process_key"], body["case_code"], body["started_by"]) == (
        "reflection_period", "SI-AAAA-2222", "coordinator")
    listed = client.get("/api/process-instances?case=aaaa", headers=bearer("coordinator"))
    assert [i["id"] for i in listed.get_json()] == [body["id"]]


def test_instance_requests_are_refused_with_nothing_started(app, bearer, engine):
    client = app.test_client()
    assert client.get("/api/process-instances").status_code == 401
    assert client.get("/api/process-instances",
                      headers=bearer("police")).status_code == 403
    forbidden = client.post("/api/process-instances", headers=bearer("police"),
                            json={"process_key": "reflection_period", "case": "SI-X"})
    assert forbidden.status_code == 403
    unknown = client.post("/api/process-instances", headers=bearer("coordinator"),
                          json={"process_key": "no_such", "case": "SI-7K3Q-9F2M"})
    assert unknown.status_code == 404 and "no_such" in unknown.get_json()["message"]
    for counted in ("SI-2026-0042", "SI-JULIJA-K", "si-7k3q-9f2m"):
        refused = client.post("/api/process-instances", headers=bearer("coordinator"),
                              json={"process_key": "reflection_period", "case": counted})
        assert refused.status_code == 400 and "random code" in refused.get_json()["message"]
    missing = client.post("/api/process-instances", headers=bearer("coordinator"),
                          json={"case": "SI-7K3Q-9F2M"})
    assert missing.status_code == 422 and "process_key" in missing.get_json()["fields"]
    bad = client.get("/api/process-instances?status=sleeping", headers=bearer("coordinator"))
    assert bad.status_code == 400 and "status" in bad.get_json()["fields"]
    assert engine.runtime.instances() == []


def test_a_new_case_gets_a_random_code_and_a_known_case_keeps_its_own(app, bearer, engine):
    client = app.test_client()
    made = client.post("/api/process-instances", headers=bearer("coordinator"),
                       json={"process_key": "reflection_period"})
    assert made.status_code == 201
    code = made.get_json()["case_code"]
    assert NEW_CODE.fullmatch(code) and code.startswith("SI-")
    engine.runtime.start("reflection_period", "SI-2026-0007", actor="coordinator")  # older
    again = client.post("/api/process-instances", headers=bearer("coordinator"),
                        json={"process_key": "identification", "case": "SI-2026-0007"})
    assert again.status_code == 201 and again.get_json()["case_code"] == "SI-2026-0007"


def test_an_instance_shows_its_diagram_elements_and_deadlines(julija, app, bearer):
    answer = app.test_client().get(f"/api/process-instances/{julija.id}",
                                   headers=bearer("coordinator"))
    assert answer.status_code == 200
    body = answer.get_json()
    diagram = {p["process_key"]: p for p in body["diagram"]}
    assert "record_preliminary" in diagram["identification"]["completed"]
    assert "reflection_end" in {d["kind"] for d in body["deadlines"]}
    assert app.test_client().get("/api/process-instances/99999",
                                 headers=bearer("coordinator")).status_code == 404


def test_cancel_needs_a_reason_and_a_second_cancel_conflicts(julija, app, bearer, engine):
    client = app.test_client()
    url = f"/api/process-instances/{julija.id}/cancel"
    refused = client.post(url, headers=bearer("coordinator"), json={"reason": " "})
    assert refused.status_code == 422 and "reason" in refused.get_json()["fields"]
    assert engine.runtime.instance(julija.id).status != "cancelled"
    done = client.post(url, headers=bearer("coordinator"), json={"reason": "Duplicate"})
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    again = client.post(url, headers=bearer("coordinator"), json={"reason": "Duplicate"})
    assert again.status_code == 409


def test_a_stale_revision_is_a_conflict_and_changes_nothing(julija, app, bearer, engine):
    seen = engine.runtime.instance(julija.id).revision
    client = app.test_client()
    client.post(f"/api/process-instances/{julija.id}/suspend",
                headers=bearer("coordinator"), json={"revision": seen, "reason": "x"})
    stale = client.post(f"/api/process-instances/{julija.id}/resume",
                        headers=bearer("coordinator"), json={"revision": seen})
    assert stale.status_code == 409
    assert engine.runtime.instance(julija.id).status == "suspended"
    retry = client.post(f"/api/process-instances/{julija.id}/retry",
                        headers=bearer("coordinator"), json={})
    assert retry.status_code == 409 and "no incident" in retry.get_json()["message"]
    assert client.post(f"/api/process-instances/{julija.id}/suspend",
                       headers=bearer("police"), json={}).status_code == 403


def test_cases_and_history(julija, app, bearer):
    client = app.test_client()
    cases = client.get("/api/cases?code=7K3Q", headers=bearer("legal-adviser")).get_json()
    assert [c["code"] for c in cases] == [CODE]
    case = client.get(f"/api/cases/{CODE}", headers=bearer("legal-adviser")).get_json()
    assert julija.id in {i["id"] for i in case["instances"]}
    assert "reflection_end" in {d["kind"] for d in case["deadlines"]}
    assert client.get("/api/cases/SI-NONE-0000",
                      headers=bearer("legal-adviser")).status_code == 404
    assert client.get(f"/api/cases/{CODE}", headers=bearer("police")).status_code == 403
    events = client.get(f"/api/history?instance={julija.id}",
                        headers=bearer("coordinator")).get_json()
    assert events[0]["event_type"] == "instance_started"
    assert "task_completed" in {e["event_type"] for e in events}
    assert client.get("/api/history?instance=99999",
                      headers=bearer("coordinator")).status_code == 404
    assert client.get("/api/history", headers=bearer("coordinator")).status_code == 400


def test_the_settable_clock_moves_and_fires_what_came_due(julija, app, bearer, engine):
    before = engine.clock.now()
    client = app.test_client()
    moved = client.post("/api/clock", headers=bearer("coordinator"), json={"advance": "P91D"})
    assert moved.status_code == 200, moved.get_json()
    assert engine.clock.now() - before == timedelta(days=91)
    bad = client.post("/api/clock", headers=bearer("coordinator"), json={"advance": "soon"})
    assert bad.status_code == 422 and "advance" in bad.get_json()["fields"]
    assert client.post("/api/clock", headers=bearer("police"),
                       json={"advance": "P1D"}).status_code == 403
    assert engine.clock.now() - before == timedelta(days=91)


def test_there_is_no_clock_to_move_on_the_system_clock(database_url, engine):
    system = ProcessEngine(product_config(database_url=database_url, clock="system"))
    try:
        app = create_app(engine=system, SECRET_KEY="tests", TESTING=True)
        assert app.test_client().post("/api/clock", json={"advance": "P1D"}).status_code == 404
    finally:
        system.close()
