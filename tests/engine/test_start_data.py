"""Start data is checked by the procedure's start form, or refused: nothing unchecked,
of a kind need-to-know does not know, enters her case from outside."""

from __future__ import annotations

import pytest

from engine.errors import BadRequest, DeployError, ValidationFailed
from tests.conftest import PROCESSES
from tests.diagrams import linear, registries


def test_a_procedure_without_a_start_form_takes_no_start_data(engine):
    engine.repository.deploy(PROCESSES)
    with pytest.raises(ValidationFailed) as caught:
        engine.runtime.start("identification", "C-1", {"her_name": "Julija"})
    assert "takes no start data" in caught.value.fields["data"][0]
    assert engine.runtime.instances() == []
    assert engine.runtime.start("identification", "C-1", {}).status == "running"


def test_start_data_is_loaded_through_the_start_form(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(linear("demo"), source="demo.bpmn")
    for data, field in (({"her_name": "Julija"}, "her_name"), ({"count": "many"}, "count")):
        with pytest.raises(ValidationFailed) as caught:
            engine.runtime.start("demo", "C-1", data)
        assert field in caught.value.fields
    assert engine.runtime.instances() == []
    started = engine.runtime.start("demo", "C-1", {"first_due": "2026-03-20", "count": 2})
    assert started.variables == {"first_due": "2026-03-20", "count": 2}


def test_a_start_form_that_is_not_registered_is_refused_at_deploy(make_engine):
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    diagram = linear("demo").replace(b'camunda:formKey="test.start"',
                                     b'camunda:formKey="test.nope"')
    with pytest.raises(DeployError) as caught:
        engine.repository.deploy(diagram, source="demo.bpmn")
    assert [p.element_id for p in caught.value.problems] == ["start"]


def test_the_escalation_is_opened_by_the_engine_only(engine):
    """Its start data names a missed deadline; typed by hand, it would name anything."""
    engine.repository.deploy(PROCESSES)
    with pytest.raises(BadRequest) as caught:
        engine.runtime.start("deadline_escalation", "C-1", {})
    assert "cannot be started by hand" in caught.value.message
    assert engine.runtime.instances() == []
