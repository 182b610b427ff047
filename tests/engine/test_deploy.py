"""Deploying diagrams: versions, caching, and every bad diagram refused with nothing stored."""

from __future__ import annotations

import pytest

from engine.errors import DeployError, NotFound
from tests.conftest import PROCESSES
from tests.diagrams import BAD, definitions, linear, process, registries, snapshot


@pytest.fixture
def test_engine(make_engine):
    forms, handlers, _ = registries()
    return make_engine(forms=forms, handlers=handlers)


def test_folder_deploys_once_and_identical_content_makes_no_new_version(engine):
    first = engine.repository.deploy(PROCESSES)
    shipped = sorted(p.stem for p in [*PROCESSES.glob("*.bpmn"), *PROCESSES.glob("*.dmn")])
    assert sorted((d.key, d.version, d.new_version) for d in first) == [
        (key, 1, True) for key in shipped]
    again = engine.repository.deploy(PROCESSES / "reflection_period.bpmn")
    assert [(d.key, d.version, d.new_version) for d in again] == [
        ("reflection_period", 1, False)]
    assert [d.version for d in engine.repository.definitions("reflection_period")] == [1]


def test_changed_content_is_a_new_version_and_running_instances_keep_theirs(test_engine):
    test_engine.repository.deploy(linear("demo"), source="demo.bpmn")
    old = test_engine.runtime.start("demo", "C-1")
    deployed = test_engine.repository.deploy(linear("demo", note=" (revised)"),
                                             source="demo.bpmn")
    assert deployed[0].version == 2
    new = test_engine.runtime.start("demo", "C-2")

    assert test_engine.runtime.instance(old.id).version == 1
    assert old.open_tasks[0].title == "First step"
    assert new.version == 2 and new.open_tasks[0].title == "First step (revised)"
    test_engine.tasks.complete(old.open_tasks[0].id, "ana", {"note": "done"})
    assert test_engine.runtime.instance(old.id).status == "completed"
    assert "(revised)" in test_engine.repository.xml("demo")
    assert "(revised)" not in test_engine.repository.xml("demo", 1)


def test_specs_are_parsed_once_per_version(test_engine, monkeypatch):
    import engine.store.definitions as definitions

    calls = []
    original = definitions.parse_processes
    monkeypatch.setattr(definitions, "parse_processes",
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    test_engine.repository.deploy(linear("demo"), source="demo.bpmn")
    for case in ("C-1", "C-2", "C-3"):
        test_engine.runtime.start("demo", case)
    assert len(calls) == 1


@pytest.mark.parametrize("name", list(BAD))
def test_bad_diagram_is_refused_with_the_element_and_nothing_stored(test_engine, name):
    content, element, message = BAD[name]
    before = snapshot(test_engine)
    with pytest.raises(DeployError) as caught:
        test_engine.repository.deploy(content, source="bad.bpmn")
    problems = caught.value.problems
    assert any(message in p.message and p.element_id == element for p in problems), problems
    assert snapshot(test_engine) == before
    with pytest.raises(NotFound):
        test_engine.repository.definitions("x")


def test_one_deploy_error_lists_every_problem(test_engine):
    body = """
        <bpmn:startEvent id="s"/>
        <bpmn:userTask id="loose" camunda:formKey="test.note"/>
        <bpmn:userTask id="typo" camunda:formKey="test.nope"/>
        <bpmn:scriptTask id="code"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>
        <bpmn:serviceTask id="call" camunda:type="external" camunda:topic="nobody"/>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="loose"/>
        <bpmn:sequenceFlow id="f2" sourceRef="loose" targetRef="typo">
          <bpmn:conditionExpression>(</bpmn:conditionExpression></bpmn:sequenceFlow>"""
    content = process("many", {"coordinator": ["s", "typo", "code", "call"]}, body)
    before = snapshot(test_engine)
    with pytest.raises(DeployError) as caught:
        test_engine.repository.deploy(content, source="many.bpmn")
    assert {p.element_id for p in caught.value.problems} == {"loose", "typo", "code", "call",
                                                             "f2"}
    assert "5 problems" in str(caught.value)
    assert snapshot(test_engine) == before


def test_a_folder_with_one_bad_file_deploys_nothing(test_engine, tmp_path):
    (tmp_path / "good.bpmn").write_bytes(linear("good"))
    (tmp_path / "bad.bpmn").write_bytes(b"<not-bpmn/>")
    before = snapshot(test_engine)
    with pytest.raises(DeployError) as caught:
        test_engine.repository.deploy(tmp_path)
    assert "bad.bpmn" in str(caught.value)
    assert snapshot(test_engine) == before


def test_entities_are_not_expanded(test_engine):
    """A diagram cannot read server files through an XML external entity."""
    evil = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + definitions('<bpmn:process id="x" isExecutable="true"><bpmn:startEvent '
                          'id="s" name="&x;"/></bpmn:process>').split(b"?>", 1)[1])
    try:
        test_engine.repository.deploy(evil, source="evil.bpmn")
    except DeployError:
        pass
    else:
        assert "root:" not in test_engine.repository.xml("x")
