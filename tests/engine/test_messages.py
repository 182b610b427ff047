"""Messages from outside parties, correlated to the procedure of her case that waits.

The diagrams are in ``constructs/``: a catch event (the court's decision), a receive task
(the administrative unit's decision), an event-based gateway (the partner's confirmation
of her arrival, or three days of silence) and a procedure started by a message (a claim
filed, then decided). Every delivery is made by a new engine, as after a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from engine import ProcessEngine
from engine.errors import BadRequest, Conflict, NotFound, ValidationFailed
from tests.diagrams import snapshot

CONSTRUCTS = Path(__file__).parent / "constructs"
CASE, OTHER = "SI-4D7K-9M2P", "SI-8R3T-6W1C"


@pytest.fixture
def deployed(make_engine: Callable[..., ProcessEngine]) -> Callable[[], ProcessEngine]:
    first = make_engine()
    for name in ("message_catch", "receive_task", "event_gateway", "message_start"):
        first.repository.deploy(CONSTRUCTS / f"{name}.bpmn")
    return make_engine


def _reached(engine: ProcessEngine, instance_id: int, process: str) -> set[str]:
    return set(engine.runtime.diagram_state(instance_id).process(process).completed)


def test_the_court_decision_reaches_the_procedure_that_waits_for_it(deployed):
    waiting = deployed().runtime.start("message_catch", CASE, actor="coordinator")
    assert (waiting.status, waiting.open_tasks, waiting.timers) == ("waiting", [], [])
    engine = deployed()
    delivery = engine.messages.correlate("court_decision", CASE, actor="lawyer",
                                         data={"decision": "final", "decided_on": "2026-03-09"})
    assert (delivery.instance_id, delivery.started) == (waiting.id, False)
    done = deployed().runtime.instance(waiting.id)
    assert done.status == "completed"
    assert (done.variables["decision"], done.variables["decided_on"]) == ("final", "2026-03-09")
    assert "end_final" in _reached(engine, waiting.id, "message_catch")
    events = [e.event_type for e in engine.history.events(instance_id=waiting.id)]
    assert "message_received" in events


def test_a_receive_task_takes_the_units_decision(deployed):
    waiting = deployed().runtime.start("receive_task", CASE, actor="coordinator")
    deployed().messages.correlate("unit_decision", CASE, data={"permit_decision": "issued"})
    done = deployed().runtime.instance(waiting.id)
    assert (done.status, done.variables["permit_decision"]) == ("completed", "issued")


def test_a_message_for_another_case_or_no_waiting_procedure_is_refused(deployed):
    waiting = deployed().runtime.start("message_catch", CASE, actor="coordinator")
    engine = deployed()
    before = snapshot(engine)
    with pytest.raises(NotFound, match="no procedure of case SI-8R3T-6W1C"):
        engine.messages.correlate("court_decision", OTHER, data={"decision": "final"})
    with pytest.raises(NotFound, match="waits for message 'appeal_decided'"):
        engine.messages.correlate("appeal_decided", CASE)
    assert snapshot(engine) == before
    assert deployed().runtime.instance(waiting.id).status == "waiting"


def test_a_message_two_procedures_wait_for_needs_a_correlation(deployed):
    engine = deployed()
    with pytest.raises(NotFound, match="case SI-4D7K-9M2P does not exist"):
        engine.messages.correlate("claim_filed", CASE, data={"claim": "wages"})
    engine.runtime.start("receive_task", CASE, actor="coordinator")  # her case is open
    first = engine.messages.correlate("claim_filed", CASE, data={"claim": "wages"})
    second = engine.messages.correlate("claim_filed", CASE, data={"claim": "damages"})
    assert (first.started, second.started) == (True, True)
    assert first.instance_id != second.instance_id
    with pytest.raises(Conflict, match="2 procedures of case SI-4D7K-9M2P wait") as both:
        deployed().messages.correlate("claim_decided", CASE, data={"awarded": 1200})
    assert f"instance {first.instance_id}" in str(both.value)
    delivered = deployed().messages.correlate("claim_decided", CASE,
                                              correlate={"claim": "damages"},
                                              data={"awarded": 1200})
    assert delivered.instance_id == second.instance_id
    engine = deployed()
    assert engine.runtime.instance(second.instance_id).variables["awarded"] == 1200
    assert engine.runtime.instance(first.instance_id).status == "waiting"


def test_the_first_of_a_confirmation_and_three_days_of_silence_wins(deployed):
    confirmed = deployed().runtime.start("event_gateway", CASE, actor="coordinator")
    silent = deployed().runtime.start("event_gateway", OTHER, actor="coordinator")
    (timer,) = silent.timers
    assert timer.element_id == "first_of"
    deployed().messages.correlate("arrival_confirmed", CASE, data={"arrived_on": "2026-03-03"})
    engine = deployed()
    engine.advance_clock(timedelta(days=3, minutes=1))
    assert "end_confirmed" in _reached(engine, confirmed.id, "event_gateway")
    assert "end_no_answer" in _reached(engine, silent.id, "event_gateway")
    assert {engine.runtime.instance(i).status for i in (confirmed.id, silent.id)} == {
        "completed"}
    with pytest.raises(NotFound):
        engine.messages.correlate("arrival_confirmed", OTHER)


@pytest.mark.parametrize(("name", "correlate", "data", "error"), [
    ("court decision", None, {}, BadRequest),
    ("court_decision", None, {"decision": ["final"]}, BadRequest),
    ("court_decision", None, {"1st": "final"}, BadRequest),
    ("court_decision", None, {f"v{n}": n for n in range(51)}, BadRequest),
    ("court_decision", None, {"decision": "x" * 2001}, BadRequest),
    ("court_decision", {"claim": {"a": 1}}, {}, BadRequest),
    ("court_decision", None, {"decision": "fin\x00al"}, ValidationFailed),
])
def test_a_message_that_is_not_plain_named_values_is_refused(deployed, name, correlate,
                                                              data, error):
    waiting = deployed().runtime.start("message_catch", CASE, actor="coordinator")
    engine = deployed()
    before = snapshot(engine)
    with pytest.raises(error):
        engine.messages.correlate(name, CASE, correlate=correlate, data=data)
    assert snapshot(engine) == before
    assert engine.runtime.instance(waiting.id).status == "waiting"
