"""A process id becomes a key in addresses, file names and headers: only a plain one deploys."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import DeployError
from engine.store.models import AuditEvent, ProcessDefinition
from tests.diagrams import linear, registries


@pytest.fixture
def test_engine(make_engine):
    forms, handlers, _ = registries()
    return make_engine(forms=forms, handlers=handlers)


def stored(engine) -> tuple[int, int, list[str]]:
    """What a refused deploy must leave as it was."""
    with engine.db.reading() as session:
        return (session.scalar(select(func.count()).select_from(ProcessDefinition)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
                list(session.scalars(select(ProcessDefinition.key))))


@pytest.mark.parametrize("written, key", [
    ('stay&quot;; filename=&quot;evil.exe', 'stay"; filename="evil.exe'),
    ("stay&#13;&#10;Set-Cookie: a=b", "stay\r\nSet-Cookie: a=b"),
    ("../../etc/stay", "../../etc/stay"),
    ("stay period", "stay period"),
    ("1stay", "1stay"),
    ("-stay", "-stay"),
    ("s" * 101, "s" * 101),
])
def test_a_process_id_that_cannot_be_a_key_is_refused_and_nothing_stored(test_engine,
                                                                        written, key):
    test_engine.repository.deploy(linear("demo"), source="demo.bpmn")
    before = stored(test_engine)
    with pytest.raises(DeployError) as caught:
        test_engine.repository.deploy(linear(written), source="bad.bpmn")
    (problem,) = [p for p in caught.value.problems if "cannot be a process key" in p.message]
    assert repr(key) in problem.message
    assert problem.element_id == (key if key.isprintable() else None)
    assert "\n" not in str(caught.value) and "\r" not in str(caught.value)
    assert stored(test_engine) == before


@pytest.mark.parametrize("key", ["stay", "_stay", "Stay.period-2", "s" * 100])
def test_a_plain_process_id_deploys(test_engine, key):
    (deployed,) = test_engine.repository.deploy(linear(key), source="good.bpmn")
    assert (deployed.key, deployed.version) == (key, 1)
