"""Workflows kept in memory between units of work are never used once stale."""

from __future__ import annotations

import contextlib

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import text
from sqlalchemy.orm.attributes import flag_modified

from engine.errors import Conflict, ValidationFailed
from engine.store.models import ProcessInstance
from engine.store.workflow_cache import WorkflowCache
from tests.conftest import PROCESSES

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": True, "interpreter_provided": True}


def open_task(engine, instance_id):
    """The one open task of the reflection period's main path (the NGO's information task
    runs beside it)."""
    (task,) = [t for t in engine.runtime.instance(instance_id).open_tasks
               if t.element_id != "inform_of_permit"]
    return task


def test_an_engine_never_runs_a_workflow_another_engine_has_moved_on(make_engine):
    """Two processes on one database: each sees the other's completions."""
    first, second = make_engine(), make_engine()
    first.repository.deploy(PROCESSES)
    instance = first.runtime.start("reflection_period", "SI-CACHE-1", actor="coord")
    first.tasks.complete(open_task(first, instance.id).id, "officer", GRANT)
    assert len(first.runtime.store.workflows) == 1  # kept at the revision it saved

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
    assert sorted(t.element_id for t in after.open_tasks) == ["inform_of_permit",
                                                               "record_decision"]
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
    assert len(engine.runtime.store.workflows) == 0
    assert open_task(engine, instance.id).element_id == "record_decision"


class TestWorkflowCache:
    """The cache itself, over real sessions: kept on commit only, taken once."""

    @pytest.fixture
    def cache(self, engine):
        cache = WorkflowCache(capacity=2)
        return cache

    @pytest.fixture
    def instances(self, engine) -> list[tuple[int, int, int]]:
        """Three instance rows, as (id, definition id, revision)."""
        engine.repository.deploy(PROCESSES)
        ids = [engine.runtime.start("reflection_period", f"SI-KEPT-{n}", actor="coord").id
               for n in (1, 2, 3)]
        with engine.db.reading() as session:
            rows = [session.get(ProcessInstance, i) for i in ids]
            return [(r.id, r.definition_id, r.revision) for r in rows]

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

    def test_kept_only_when_the_transaction_commits(self, engine, cache, instances):
        (one, definition, revision), (two, _, _), _ = instances
        kept, dropped = self.workflow(), self.workflow()
        with self.unit_of_work(engine) as session:
            cache.offer(session, session.get(ProcessInstance, one), kept)
            assert cache.take(one, definition, revision) is None  # not before the commit
        with pytest.raises(RuntimeError), self.unit_of_work(engine) as session:
            cache.offer(session, session.get(ProcessInstance, two), dropped)
            raise RuntimeError("the unit of work failed")
        assert cache.take(two, definition, revision) is None
        assert cache.take(one, definition, revision) is kept
        assert cache.take(one, definition, revision) is None  # taken, not read

    def test_kept_under_the_revision_the_row_has_at_the_commit(self, engine, cache,
                                                               instances):
        (one, definition, revision), _, _ = instances
        with self.unit_of_work(engine) as session:
            row = session.get(ProcessInstance, one)
            cache.offer(session, row, kept := self.workflow())
            row.updated_at = row.updated_at  # noqa: PLW0127 - any change bumps the revision
            flag_modified(row, "updated_at")
        assert cache.take(one, definition, revision) is None
        with self.unit_of_work(engine) as session:
            cache.offer(session, session.get(ProcessInstance, one), kept)
        assert cache.take(one, definition, revision + 1) is kept

    def test_a_row_rolled_back_to_a_savepoint_is_not_kept(self, engine, cache, instances):
        (one, definition, revision), _, _ = instances
        with (self.unit_of_work(engine) as session, contextlib.suppress(RuntimeError),
              session.begin_nested()):
            row = session.get(ProcessInstance, one)
            row.case_code = "SI-ROLLED-BACK"
            cache.offer(session, row, self.workflow())
            raise RuntimeError("this instance failed")
        assert cache.take(one, definition, revision) is None
        assert cache.take(one, definition, revision + 1) is None

    def test_a_stale_revision_or_other_definition_is_a_miss_and_forgotten(
            self, engine, cache, instances):
        (one, definition, revision), (two, _, _), _ = instances
        with self.unit_of_work(engine) as session:
            cache.offer(session, session.get(ProcessInstance, one), self.workflow())
            cache.offer(session, session.get(ProcessInstance, two), self.workflow())
        assert cache.take(one, definition, revision + 1) is None
        assert cache.take(one, definition, revision) is None
        assert cache.take(two, definition + 1, revision) is None
        assert len(cache) == 0

    def test_the_least_recently_kept_goes_first(self, engine, cache, instances):
        for instance_id, _, _ in instances:
            with self.unit_of_work(engine) as session:
                cache.offer(session, session.get(ProcessInstance, instance_id),
                            self.workflow())
        assert len(cache) == 2
        (one, definition, revision), _, (three, _, _) = instances
        assert cache.take(one, definition, revision) is None
        assert cache.take(three, definition, revision) is not None
