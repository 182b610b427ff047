"""POST /api/messages: an outside answer reaches the procedure that waits for it, and every
refusal is a JSON body that says why, with nothing changed and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

CONSTRUCTS = Path(__file__).parents[1] / "engine" / "constructs"
CASE = "SI-3F6H-8K2L"


@pytest.fixture
def waiting(app, engine):
    engine.repository.deploy(CONSTRUCTS / "message_catch.bpmn")
    engine.repository.deploy(CONSTRUCTS / "message_start.bpmn")
    return engine.runtime.start("message_catch", CASE, actor="coordinator")


def _post(app, headers, body):
    return app.test_client().post("/api/messages", headers=headers, json=body)


def test_the_legal_adviser_records_the_court_decision(app, bearer, engine, waiting):
    answer = _post(app, bearer("legal-adviser"), {
        "name": "court_decision", "case": CASE, "data": {"decision": "final"}})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"instance_id": waiting.id, "process_key": "message_catch",
                                 "started": False}
    assert engine.runtime.instance(waiting.id).status == "completed"


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"name": "court_decision", "case": "SI-0000-0000"}, 404, "no procedure of case"),
    ({"name": "court decision", "case": CASE}, 400, "message name"),
    ({"name": "court_decision", "case": CASE, "data": {"decision": [1]}}, 400,
     "not a list or an object"),
    ({"name": "court_decision"}, 422, ""),
])
def test_a_message_that_cannot_be_delivered_says_why(app, bearer, engine, waiting, body,
                                                     status, words):
    answer = _post(app, bearer("coordinator"), body)
    assert answer.status_code == status
    text = answer.get_data(as_text=True)
    assert words in answer.get_json()["message"] or words in text
    assert "Traceback" not in text
    assert engine.runtime.instance(waiting.id).status == "waiting"


def test_two_waiting_claims_answer_409_until_correlated(app, bearer, engine, waiting):
    for claim in ("wages", "damages"):
        started = _post(app, bearer("legal-adviser"), {
            "name": "claim_filed", "case": CASE, "data": {"claim": claim}})
        assert (started.status_code, started.get_json()["started"]) == (200, True)
    both = _post(app, bearer("legal-adviser"), {"name": "claim_decided", "case": CASE})
    assert both.status_code == 409
    assert "add a correlation pair" in both.get_json()["message"]
    one = _post(app, bearer("legal-adviser"), {"name": "claim_decided", "case": CASE,
                                               "correlate": {"claim": "wages"}})
    assert one.status_code == 200


def test_only_those_who_record_outside_answers_send_messages(app, bearer, waiting, engine):
    answer = _post(app, bearer("ngo-counsellor"), {"name": "court_decision", "case": CASE})
    assert answer.status_code == 403
    assert engine.runtime.instance(waiting.id).status == "waiting"
