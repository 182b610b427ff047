"""Decision tables (DMN) deployed beside the diagrams and run by business rule tasks.

``constructs/referral.dmn`` decides where the indicators refer her (the first rule that
matches: labour exploitation with three indicators goes to the labour inspectorate, any
two to the coordinator, else nowhere); ``constructs/business_rule.bpmn`` counts the
indicators in a task, then runs the table. Every cell goes through the restricted
evaluator: a cell it refuses is refused at deploy, with the cell named.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine import ProcessEngine
from engine.errors import DeployError
from tests.diagrams import registries, snapshot

CONSTRUCTS = Path(__file__).parent / "constructs"
TABLE = (CONSTRUCTS / "referral.dmn").read_bytes()
CASE = "SI-6P3W-1N8X"


def _engine(make_engine: Callable[..., ProcessEngine]) -> ProcessEngine:
    forms, handlers, _ = registries()
    return make_engine(forms=forms, handlers=handlers)


def _decided(make_engine, origin: str, count: int, instance_id: int | None = None) -> str:
    engine = _engine(make_engine)
    if instance_id is None:
        instance_id = engine.runtime.start("business_rule", CASE, actor="coordinator",
                                           data={"origin": origin}).id
    (task,) = _engine(make_engine).runtime.instance(instance_id).open_tasks
    _engine(make_engine).tasks.complete(task.id, "coordinator", {"note": "seen", "count": count})
    done = _engine(make_engine).runtime.instance(instance_id)
    assert done.status == "completed", (done.status, done.incident_message)
    return done.variables["referral"]


@pytest.mark.parametrize(("origin", "count", "referral"), [
    ("labour", 4, "labour_inspectorate"), ("labour", 2, "coordinator"),
    ("sexual", 2, "coordinator"), ("begging", 0, "none")])
def test_a_business_rule_task_runs_the_first_rule_that_matches(make_engine, origin, count,
                                                               referral):
    _engine(make_engine).repository.deploy(CONSTRUCTS / "referral.dmn")
    _engine(make_engine).repository.deploy(CONSTRUCTS / "business_rule.bpmn")
    assert _decided(make_engine, origin, count) == referral


def test_a_table_and_its_diagram_deploy_together_from_one_folder(make_engine, tmp_path):
    for name in ("referral.dmn", "business_rule.bpmn"):
        (tmp_path / name).write_bytes((CONSTRUCTS / name).read_bytes())
    deployed = _engine(make_engine).repository.deploy(tmp_path)
    assert sorted((d.key, d.version) for d in deployed) == [
        ("business_rule", 1), ("referral_path", 1)]
    assert [d.key for d in _engine(make_engine).repository.decisions()] == ["referral_path"]


def test_a_running_case_keeps_the_table_it_started_with(make_engine):
    engine = _engine(make_engine)
    engine.repository.deploy(CONSTRUCTS / "referral.dmn")
    engine.repository.deploy(CONSTRUCTS / "business_rule.bpmn")
    before = engine.runtime.start("business_rule", CASE, actor="coordinator",
                                  data={"origin": "labour"}).id
    stricter = TABLE.replace(b"&gt;= 3", b"&gt;= 5")
    assert engine.repository.deploy(stricter, source="referral.dmn")[0].version == 2
    after = engine.runtime.start("business_rule", CASE, actor="coordinator",
                                 data={"origin": "labour"}).id
    assert _decided(make_engine, "labour", 4, before) == "labour_inspectorate"
    assert _decided(make_engine, "labour", 4, after) == "coordinator"


@pytest.mark.parametrize(("change", "element", "words"), [
    ((b"<text>&gt;= 3</text>", b"<text>[3..9]</text>"), "E12", "FEEL range"),
    ((b'<text>"labour"</text>', b'<text>"labour","forced_labour"</text>'), "E11",
     "FEEL list of values"),
    ((b'<text>"coordinator"</text>', b"<text>__import__('os').system('id')</text>"), "O2",
     "output entry"),
    ((b"<text>count</text>", b"<text>count.__class__</text>"), "InputExpression_count",
     "input expression"),
    ((b'hitPolicy="FIRST"', b'hitPolicy="RULE ORDER"'), "DecisionTable_referral",
     "hit policy RULE ORDER"),
])
def test_a_cell_the_evaluator_refuses_is_refused_at_deploy(make_engine, change, element,
                                                           words):
    engine = _engine(make_engine)
    before = snapshot(engine)
    with pytest.raises(DeployError) as refused:
        engine.repository.deploy(TABLE.replace(*change), source="referral.dmn")
    assert [(p.element_id, words in p.message) for p in refused.value.problems] == [
        (element, True)]
    assert snapshot(engine) == before


def test_a_business_rule_task_needs_a_deployed_table(make_engine):
    engine = _engine(make_engine)
    with pytest.raises(DeployError) as refused:
        engine.repository.deploy(CONSTRUCTS / "business_rule.bpmn")
    (problem,) = refused.value.problems
    assert problem.element_id == "decide_referral" and "deploy its .dmn" in problem.message
