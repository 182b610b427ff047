"""Workflows kept in memory between units of work are never used once stale."""

from __future__ import annotations

import contextlib

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import text

from engine.errors import Conflict, ValidationFailed
from engine.workflow_cache import WorkflowCache
from tests.conftest import PROCESSES

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True}


def open_task(engine, instance_id):
    (task,) = engine.runtime.instance(instance_id).open_tasks
    return task


def test_an_engine_never_runs_a_workflow_another_engine_has_moved_on(make_engine):
    """Two processes on one database: each sees the other's completions."""
    first, second = make_engine(), make_engine()
    first.repository.deploy(PROCESSES)
    instance = first.runtime.start("reflection_period", "SI-CACHE-1", actor="coord")
    first.tasks.complete(open_task(first, instance.id).id, "officer", GRANT)
    assert len(first.ctx.workflows) == 1  # kept at the revision it saved

    decision = open_task(second, instance.id)
    second.tasks.complete(decision.id, "coord", {
        "decision": "extend", "decision_date": "2026-03-02", "reason": "told by the second"})

    # The first engine still holds the workflow waiting for the decision; it must
    # restore the one the second engine saved, where the extension is waiting.
    extension = open_task(first, instance.id)
    assert extension.element_id == "decide_extension"
    first.tasks.complete(extension.id, "officer", {"extension_granted": False,
                                                   "extension_decision_date": "2026-03-02"})
    after = first.runtime.instance(instance.id)
    assert [t.element_id for t in after.open_tasks] == ["record_decision"]
    assert after.variables["reason"] == "told by the second"
    assert after.variables["extension_granted"] is False


def test_a_refused_completion_leaves_the_next_one_correct(engine):
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-CACHE-2", actor="coord")
    engine.tasks.complete(open_task(engine, instance.id).id, "officer", GRANT)
    decision = open_task(engine, instance.id)
    with pytest.raises(ValidationFailed):
        engine.tasks.complete(decision.id, "coord", {"decision": "maybe"})
    with pytest.raises(Conflict):
        engine.tasks.complete(decision.id, "coord", {"decision": "cooperate"},
                              revision=instance.revision)
    engine.tasks.complete(decision.id, "coord", {
        "decision": "extend", "decision_date": "2026-03-02", "reason": "needs time"})
    assert open_task(engine, instance.id).element_id == "decide_extension"
    assert engine.runtime.instance(instance.id).variables["reason"] == "needs time"


def test_without_the_cache_every_unit_restores_from_the_database(make_engine):
    engine = make_engine(workflow_cache_size=0)
    engine.repository.deploy(PROCESSES)
    instance = engine.runtime.start("reflection_period", "SI-CACHE-3", actor="coord")
    engine.tasks.complete(open_task(engine, instance.id).id, "officer", GRANT)
    assert len(engine.ctx.workflows) == 0
    assert open_task(engine, instance.id).element_id == "record_decision"


class TestWorkflowCache:
    """The cache itself, over real sessions: kept on commit only, taken once."""

    @pytest.fixture
    def cache(self, engine):
        cache = WorkflowCache(capacity=2)
        cache.watch(engine.db.sessions)
        return cache

    @staticmethod
    @contextlib.contextmanager
    def unit_of_work(engine):
        """A transaction that has touched the database, as every real one has."""
        with engine.db.transaction() as session:
            session.execute(text("SELECT 1"))
            yield session

    @staticmethod
    def workflow() -> BpmnWorkflow:
        return object.__new__(BpmnWorkflow)  # identity is all the cache looks at

    def test_kept_only_when_the_transaction_commits(self, engine, cache):
        kept, dropped = self.workflow(), self.workflow()
        with self.unit_of_work(engine) as session:
            cache.offer(session, 1, definition_id=7, revision=3, workflow=kept)
            assert cache.take(1, 7, 3) is None  # not before the commit
        with pytest.raises(RuntimeError), self.unit_of_work(engine) as session:
            cache.offer(session, 2, definition_id=7, revision=3, workflow=dropped)
            raise RuntimeError("the unit of work failed")
        assert cache.take(2, 7, 3) is None
        assert cache.take(1, 7, 3) is kept
        assert cache.take(1, 7, 3) is None  # taken, not read

    def test_a_stale_revision_or_other_definition_is_a_miss_and_forgotten(self, engine, cache):
        with self.unit_of_work(engine) as session:
            cache.offer(session, 1, 7, 3, self.workflow())
            cache.offer(session, 2, 7, 3, self.workflow())
        assert cache.take(1, 7, 4) is None
        assert cache.take(1, 7, 3) is None
        assert cache.take(2, 8, 3) is None
        assert len(cache) == 0

    def test_the_least_recently_kept_goes_first(self, engine, cache):
        for instance_id in (1, 2, 3):
            with self.unit_of_work(engine) as session:
                cache.offer(session, instance_id, 7, 1, self.workflow())
        assert len(cache) == 2
        assert cache.take(1, 7, 1) is None
        assert cache.take(3, 7, 1) is not None
