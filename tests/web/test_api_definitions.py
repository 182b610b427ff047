"""/api/process-definitions and the modeler pages: read, validate, publish, compare.

Only policy analysts and admins publish; a refused diagram names each problem's element
and stores nothing; running instances stay on the version they started with.
"""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from engine.store.models import AuditEvent
from tests.conftest import PROCESSES
from tests.web_app import csrf_of

ORIGINAL = (PROCESSES / "reflection_period.bpmn").read_bytes()
RENAMED = ORIGINAL.replace(b'name="Decide on the permitted stay"',
                           b'name="Decide on the permitted stay of 90 days"')
SCRIPTED = re.sub(
    rb'<bpmn:userTask id="contact_family" name="([^"]*)"[^>]*>(.*?)</bpmn:userTask>',
    rb'<bpmn:scriptTask id="contact_family" name="\1">\2</bpmn:scriptTask>', ORIGINAL,
    flags=re.S)
XML = {"Content-Type": "application/xml"}


def versions(engine, key="reflection_period") -> list[int]:
    return [v.version for v in engine.repository.versions(key)]


def test_anyone_signed_in_reads_definitions_and_their_xml(app, bearer):
    client = app.test_client()
    listed = client.get("/api/process-definitions/", headers=bearer("police"))
    assert listed.status_code == 200
    assert "reflection_period" in {d["key"] for d in listed.get_json()}
    xml = client.get("/api/process-definitions/reflection_period/1/xml",
                     headers=bearer("police"))
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.data == ORIGINAL
    assert client.get("/api/process-definitions/").status_code == 401
    missing = client.get("/api/process-definitions/reflection_period/9/xml",
                         headers=bearer("police"))
    assert missing.status_code == 404 and "no version 9" in missing.get_json()["message"]


def test_publishing_makes_version_2_and_running_instances_stay_on_1(app, bearer, engine):
    running = engine.runtime.start("reflection_period", "SI-AAAA-2222", actor="tests")
    answer = app.test_client().post("/api/process-definitions/", data=RENAMED,
                                    headers={**XML, **bearer("policy-analyst")})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == [{"key": "reflection_period", "version": 2,
                                  "new_version": True, "warnings": []}]
    assert engine.runtime.instance(running.id).version == 1
    assert engine.runtime.start("reflection_period", "SI-BBBB-3333").version == 2
    listed = app.test_client().get("/api/process-definitions/reflection_period",
                                   headers=bearer("policy-analyst")).get_json()
    assert [(v["version"], v["instances"], v["running"]) for v in listed] == [
        (1, 1, 1), (2, 1, 1)]
    again = app.test_client().post("/api/process-definitions/", data=RENAMED,
                                   headers={**XML, **bearer("policy-analyst")})
    assert again.get_json()[0]["new_version"] is False


def audit_details(engine) -> list[str]:
    with engine.db.reading() as session:
        return list(session.scalars(select(AuditEvent.detail).where(
            AuditEvent.event_type == "definition_deployed").order_by(AuditEvent.id)))


def test_a_version_keeps_its_change_note_in_the_list_and_the_audit_trail(app, bearer, engine,
                                                                        signed_in):
    note = "The decision names the 90 days (Art. 50(1) ZTuj-2)."
    client, headers = app.test_client(), {**XML, **bearer("policy-analyst")}
    answer = client.post("/api/process-definitions/", data=RENAMED, headers=headers,
                         query_string={"note": f"  {note}\n"})
    assert answer.status_code == 201, answer.get_json()
    listed = client.get("/api/process-definitions/reflection_period", headers=headers)
    assert [v["note"] for v in listed.get_json()] == [None, note]
    assert audit_details(engine)[-1] == f"reflection_period version 2 from diagram: {note}"
    page = signed_in("policy-analyst").get("/modeler/reflection_period").get_data(as_text=True)
    assert note.replace("'", "&#39;") in page

    uploaded = client.post("/api/process-definitions/", headers=bearer("policy-analyst"),
                           data={"file": (io.BytesIO(ORIGINAL), "reflection_period.bpmn"),
                                 "note": "Back to the first names."},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 201
    assert engine.repository.versions("reflection_period")[-1].note == "Back to the first names."


def test_a_change_note_that_cannot_be_kept_publishes_nothing(app, bearer, engine):
    client, headers = app.test_client(), {**XML, **bearer("policy-analyst")}
    before = audit_details(engine)
    too_long = client.post("/api/process-definitions/", data=RENAMED, headers=headers,
                           query_string={"note": "x" * 2001})
    assert too_long.status_code == 400
    assert "note" in too_long.get_json()["fields"]
    broken = client.post("/api/process-definitions/", headers=bearer("policy-analyst"),
                         data={"file": (io.BytesIO(RENAMED), "reflection_period.bpmn"),
                               "note": "a\x00b"}, content_type="multipart/form-data")
    assert broken.status_code == 422
    assert "note" in broken.get_json()["fields"]
    assert versions(engine) == [1]
    assert audit_details(engine) == before


def test_only_policy_analysts_and_admins_publish(app, bearer, engine):
    for user in ("police", "coordinator", "legal-adviser"):
        answer = app.test_client().post("/api/process-definitions/", data=RENAMED,
                                        headers={**XML, **bearer(user)})
        assert answer.status_code == 403, user
    assert versions(engine) == [1]
    admin = app.test_client().post("/api/process-definitions/", data=RENAMED,
                                   headers={**XML, **bearer("admin")})
    assert admin.status_code == 201
    assert versions(engine) == [1, 2]


def test_a_refused_diagram_names_each_problem_and_stores_nothing(app, bearer, engine):
    client = app.test_client()
    broken = client.post("/api/process-definitions/", data=b"<bpmn:definitions",
                         headers={**XML, **bearer("policy-analyst")})
    assert broken.status_code == 422
    assert broken.get_json()["error"] == "deploy_error"
    scripted = client.post("/api/process-definitions/", data=SCRIPTED,
                           headers={**XML, **bearer("policy-analyst")})
    assert scripted.status_code == 422
    assert "handler" in " ".join(scripted.get_json()["fields"]["contact_family"])
    empty = client.post("/api/process-definitions/", data=b"",
                        headers={**XML, **bearer("policy-analyst")})
    assert empty.status_code == 400
    assert versions(engine) == [1]


def test_validate_lists_the_problems_without_storing(app, bearer, engine):
    client = app.test_client()
    good = client.post("/api/process-definitions/validate", data=RENAMED,
                       headers={**XML, **bearer("policy-analyst")})
    assert good.get_json() == {"valid": True, "problems": [], "warnings": []}
    bad = client.post("/api/process-definitions/validate", data=SCRIPTED,
                      headers={**XML, **bearer("policy-analyst")}).get_json()
    assert bad["valid"] is False
    assert "contact_family" in {p["element_id"] for p in bad["problems"]}
    assert versions(engine) == [1]


def test_a_cookie_session_needs_the_csrf_token_to_publish(app, signed_in, engine):
    client = signed_in("policy-analyst")
    refused = client.post("/api/process-definitions/", data=RENAMED, headers=XML)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
    assert versions(engine) == [1]
    token = csrf_of(client.get("/modeler/").get_data(as_text=True))
    done = client.post("/api/process-definitions/", data=RENAMED,
                       headers={**XML, "X-CSRFToken": token})
    assert done.status_code == 201


def test_compare_lists_what_changed_between_versions(app, bearer, engine):
    engine.repository.deploy(RENAMED, source="renamed.bpmn")
    answer = app.test_client().get("/api/process-definitions/reflection_period/compare"
                                   "?from=1&to=2", headers=bearer("policy-analyst"))
    assert answer.status_code == 200
    [change] = answer.get_json()
    assert (change["element_id"], change["change"]) == ("grant_permitted_stay", "changed")
    assert any("90 days" in d for d in change["details"])
    missing = app.test_client().get("/api/process-definitions/reflection_period/compare"
                                    "?from=1&to=7", headers=bearer("policy-analyst"))
    assert missing.status_code == 404
    incomplete = app.test_client().get("/api/process-definitions/reflection_period/compare"
                                       "?from=1", headers=bearer("policy-analyst"))
    assert incomplete.status_code == 400 and "to" in incomplete.get_json()["fields"]


def test_the_modeler_pages_are_for_analysts(app, signed_in, engine):
    analyst = signed_in("policy-analyst")
    assert "reflection_period" in analyst.get("/modeler/").get_data(as_text=True)
    editor = analyst.get("/modeler/reflection_period/1")
    assert editor.status_code == 200 and 'id="publish"' in editor.get_data(as_text=True)
    assert analyst.get("/modeler/reflection_period/5").status_code == 404
    assert signed_in("police").get("/modeler/").status_code == 403
    coordinator = signed_in("coordinator").get("/modeler/reflection_period/1")
    assert coordinator.status_code == 200
    assert 'id="publish"' not in coordinator.get_data(as_text=True)


def test_uploading_a_file_publishes_it_or_lists_its_problems(app, signed_in, engine):
    client = signed_in("policy-analyst")
    token = csrf_of(client.get("/modeler/").get_data(as_text=True))
    refused = client.post("/modeler/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(SCRIPTED), "reflection.bpmn")})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "was not published" in page and "contact_family" in page
    assert versions(engine) == [1]
    done = client.post("/modeler/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(RENAMED), "reflection.bpmn")},
        follow_redirects=True)
    assert "Published reflection_period version 2" in done.get_data(as_text=True)
    assert versions(engine) == [1, 2]
    police = signed_in("police")
    assert police.post("/modeler/upload", data={"csrf_token": token}).status_code in (400, 403)


def test_the_compare_page_shows_the_changed_element(app, signed_in, engine):
    engine.repository.deploy(RENAMED, source="renamed.bpmn")
    page = signed_in("policy-analyst").get("/modeler/reflection_period/compare?from=1&to=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-element-id="grant_permitted_stay"' in html and "90 days" in html
    bad = signed_in("policy-analyst").get("/modeler/reflection_period/compare?from=1&to=9")
    assert bad.status_code == 400
