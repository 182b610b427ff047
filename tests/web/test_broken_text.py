"""A lone surrogate in any free text is refused where it enters, field named, and nothing
is stored: otherwise every page that shows it, and her export, would fail for good."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli import main
from forms import examples
from tests.scenarios.case import Case
from tests.web.consent_steps import CODE, referred, state

BROKEN = "Works as a cleaner \ud800 for the employer"


def test_a_lone_surrogate_is_refused_in_task_forms_her_record_consents_and_starts(
        app, engine, bearer):
    case = referred(engine)
    client = app.test_client()
    coordinator = bearer("coordinator")
    before = state(engine, case)
    person_before = client.get(f"/api/cases/{CODE}/person", headers=coordinator).get_json()

    task = case.task("formal_identification")
    answer = client.post(f"/api/tasks/{task.id}/complete", headers=coordinator,
                         json={"data": {**examples.FORMAL, "her_view": BROKEN}})
    assert answer.status_code == 422
    assert "her_view" in answer.get_json()["fields"]

    answer = client.patch(f"/api/cases/{CODE}/person", headers=coordinator,
                          json={"narrative": BROKEN})
    assert answer.status_code == 422 and "narrative" in answer.get_json()["fields"]

    answer = client.post(f"/api/cases/{CODE}/consents", headers=coordinator, json={
        "purpose": "schooling", "status": "given", "decided_on": "2026-03-01",
        "obtained": BROKEN})
    assert answer.status_code == 422 and "obtained" in answer.get_json()["fields"]

    answer = client.post("/api/process-instances", headers=coordinator, json={
        "process_key": "identification", "data": {"notes": [BROKEN]}})
    assert answer.status_code == 422 and "data.notes.0" in answer.get_json()["fields"]

    assert state(engine, case) == before
    assert client.get(f"/api/cases/{CODE}/person", headers=coordinator).get_json() == \
        person_before
    assert [c.purpose for c in engine.consents.consents(CODE)] == ["referral"]
    assert [i.case_code for i in engine.runtime.instances()] == [CODE]
    assert client.get(f"/api/process-instances/{case.instance.id}",
                      headers=coordinator).status_code == 200


def test_the_command_line_refuses_a_lone_surrogate_in_its_data(app, engine, monkeypatch,
                                                               database_url):
    case = Case.open(engine, CODE, process="identification")
    task = case.task("record_preliminary")
    before = case.instance.revision
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("VARNAPOT_CLOCK", "manual")
    data = json.dumps({**examples.PRELIMINARY, "preliminary_observations": BROKEN})
    result = CliRunner().invoke(main, ["complete", str(task.id), "--data", data,
                                       "--as", "first-line"])
    assert result.exit_code != 0
    assert "preliminary_observations" in result.output + (result.stderr or "")
    assert "Traceback" not in result.output
    assert case.instance.revision == before


def test_a_lone_surrogate_in_a_case_code_or_procedure_key_is_refused(app, engine, bearer):
    client = app.test_client()
    for body, field in (({"process_key": "identification", "case": "\ud800"}, "case"),
                        ({"process_key": "\ud800"}, "process_key")):
        answer = client.post("/api/process-instances", json=body,
                             headers=bearer("coordinator"))
        assert answer.status_code == 422 and field in answer.get_json()["fields"]
    assert engine.runtime.instances() == []


def test_a_nul_in_a_case_code_procedure_key_or_form_is_refused(app, engine, bearer):
    """PostgreSQL's text cannot hold a NUL: it is refused by name, not failed on."""
    client = app.test_client()
    for body, field in (({"process_key": "identification", "case": "SI-\x00"}, "case"),
                        ({"process_key": "reflection\x00period"}, "process_key"),
                        ({"process_key": "residence_permit_art50", "case": "SI-7K3Q-9F2M",
                          "data": {"victim_category": "trafficking\x00"}}, "data")):
        answer = client.post("/api/process-instances", json=body,
                             headers=bearer("coordinator"))
        assert answer.status_code == 422, answer.get_data(as_text=True)
        assert any(name.startswith(field) or name == "victim_category"
                   for name in answer.get_json()["fields"]), answer.get_json()
    assert engine.runtime.instances() == []
