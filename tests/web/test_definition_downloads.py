"""The XML download names its file in a header built by werkzeug, from a plain key."""

from __future__ import annotations

from tests.conftest import PROCESSES
from tests.diagrams import linear

XML = {"Content-Type": "application/xml"}
ORIGINAL = (PROCESSES / "reflection_period.bpmn").read_bytes()


def test_the_download_header_names_the_key_and_version(app, bearer):
    client = app.test_client()
    path = "/api/process-definitions/reflection_period/1/xml"
    attachment = client.get(f"{path}?download=1", headers=bearer("policy-analyst"))
    assert attachment.status_code == 200 and attachment.data == ORIGINAL
    assert attachment.headers.getlist("Content-Disposition") == [
        "attachment; filename=reflection_period-v1.bpmn"]
    inline = client.get(path, headers=bearer("policy-analyst"))
    assert inline.headers["Content-Disposition"] == "inline; filename=reflection_period-v1.bpmn"


def test_a_key_that_would_break_the_header_is_refused_at_deploy(app, bearer, engine):
    before = [(d.key, d.version) for d in engine.repository.definitions()]
    bad = ORIGINAL.replace(b'process id="reflection_period"',
                           b'process id="stay&#13;&#10;Set-Cookie: session=stolen"')
    for content in (bad, linear('stay&quot;; filename=&quot;evil.exe')):
        answer = app.test_client().post("/api/process-definitions/", data=content,
                                        headers={**XML, **bearer("policy-analyst")})
        assert answer.status_code == 422, answer.get_data(as_text=True)
        body = answer.get_json()
        assert body["error"] == "deploy_error"
        assert "cannot be a process key" in body["message"]
    assert [(d.key, d.version) for d in engine.repository.definitions()] == before


def test_a_key_stored_before_the_check_is_still_named_safely(app, bearer, engine,
                                                             monkeypatch):
    """A database may hold a key deployed before keys were checked."""
    monkeypatch.setattr("engine.bpmn.diagrams._key_problems", lambda processes: [])
    monkeypatch.setattr("engine.bpmn.diagrams._id_problems", lambda root: [])
    engine.repository.deploy(ORIGINAL.replace(b'process id="reflection_period"',
                                              b'process id="old&quot;key"'), source="old.bpmn")
    answer = app.test_client().get("/api/process-definitions/old%22key/1/xml?download=1",
                                   headers=bearer("policy-analyst"))
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == "attachment; filename=old_key-v1.bpmn"
