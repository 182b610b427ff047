"""Fixtures the engine tests share, some with the scenario tests."""

import pytest

from tests.diagrams import linear, registries
from tests.scenarios.conftest import julija  # noqa: F401 - Julija's case, identified

__all__ = ["demo_engine", "julija"]


@pytest.fixture
def demo_engine(make_engine):
    """An engine with the test forms and handlers and ``demo`` (one task) deployed."""
    forms, handlers, _ = registries()
    engine = make_engine(forms=forms, handlers=handlers)
    engine.repository.deploy(linear("demo"), source="demo.bpmn")
    return engine
