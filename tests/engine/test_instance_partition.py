"""Closed instances sit in a partition of their own on PostgreSQL, and the rules the
foreign keys gave still hold: no task, timer, deadline or notification names an
instance that does not exist, and no instance is deleted.

A completion that waited on an instance closing meanwhile fails as a conflict, as one
that lost to a revision check does: nothing it did is saved.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.exc import IntegrityError

from engine.errors import Conflict
from engine.store.db import MIGRATIONS, Database
from engine.store.instances import CANCELLED, COMPLETED, STATUSES
from engine.store.models import (
    AuditEvent,
    HumanTask,
    LegalDeadline,
    Notification,
    ProcessInstance,
    Timer,
)

NOWHERE = 987_654
"""An instance id no test creates."""
WAIT_SECONDS = 30
"""How long a test waits for a backend it started to queue on a lock: a bound on a
fault, never a pause."""


def postgresql_only(engine) -> None:
    if engine.db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL partitions the instances")


def partition_of(engine, instance_id: int) -> str:
    with engine.db.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT tableoid::regclass::text FROM process_instance WHERE id = :id"),
            {"id": instance_id})


def state_of(engine) -> tuple:
    """Everything a refused write must leave as it was."""
    with engine.db.reading() as session:
        instances = session.execute(select(ProcessInstance.id, ProcessInstance.status,
                                           ProcessInstance.revision)
                                    .order_by(ProcessInstance.id)).all()
        tasks = session.execute(select(HumanTask.id, HumanTask.instance_id, HumanTask.status)
                                .order_by(HumanTask.id)).all()
        counts = [session.scalar(select(func.count()).select_from(model))
                  for model in (Timer, LegalDeadline, Notification, AuditEvent)]
        return instances, tasks, counts


def test_an_instance_moves_to_the_closed_partition_when_it_ends(demo_engine):
    postgresql_only(demo_engine)
    done = demo_engine.runtime.start("demo", "C-1")
    dropped = demo_engine.runtime.start("demo", "C-2")
    assert partition_of(demo_engine, done.id) == "process_instance_live"
    demo_engine.tasks.complete(done.open_tasks[0].id, "ana", {"note": "seen her"})
    demo_engine.runtime.cancel(dropped.id, reason="entered twice")
    assert partition_of(demo_engine, done.id) == "process_instance_closed"
    assert partition_of(demo_engine, dropped.id) == "process_instance_closed"
    assert demo_engine.runtime.instance(done.id).status == "completed"
    assert demo_engine.runtime.instance(done.id).variables["note"] == "seen her"
    assert [s.case_code for s in demo_engine.runtime.summaries(status="cancelled")] == ["C-2"]


def test_every_status_the_engine_writes_has_its_partition(demo_engine):
    """An instance in a status no partition takes could not be written at all: each
    status is in exactly one, and only the two an instance ends in are closed."""
    postgresql_only(demo_engine)
    with demo_engine.db.engine.connect() as connection:
        bounds = dict(connection.execute(text(
            "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) "
            "FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = 'process_instance'::regclass")).all())
    for status in STATUSES:
        (partition,) = [name for name, bound in bounds.items() if f"'{status}'" in bound]
        closed = status in (COMPLETED, CANCELLED)
        assert partition == ("process_instance_closed" if closed else "process_instance_live")


@pytest.mark.parametrize("row", [
    lambda now: HumanTask(instance_id=NOWHERE, spiff_task_id=str(uuid.uuid4()),
                          element_id="write", title="Write", role="coordinator",
                          form_key="test.note", status="open", created_at=now),
    lambda now: Timer(instance_id=NOWHERE, kind="bpmn", due_at=now, next_attempt_at=now),
    lambda now: LegalDeadline(instance_id=NOWHERE, case_code="C-1", kind="permit", title="P",
                              owner_role="coordinator", jurisdiction="SI",
                              legal_date=now.date(), latest_safe_day=now.date(),
                              status="open", opened_by_element="start", created_at=now,
                              updated_at=now),
    lambda now: Notification(instance_id=NOWHERE, role="coordinator", subject="S", body="B",
                             created_at=now),
], ids=["task", "timer", "deadline", "notification"])
def test_a_row_naming_no_instance_is_refused(demo_engine, row):
    demo_engine.runtime.start("demo", "C-1")
    before = state_of(demo_engine)
    with pytest.raises(IntegrityError) as refused, demo_engine.db.transaction() as session:
        session.add(row(datetime.now(UTC)))
    if demo_engine.db.engine.dialect.name == "postgresql":
        assert f"instance_id {NOWHERE} names no process instance" in str(refused.value)
    assert state_of(demo_engine) == before


def test_a_task_cannot_be_moved_to_an_instance_that_does_not_exist(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    before = state_of(demo_engine)
    with pytest.raises(IntegrityError), demo_engine.db.transaction() as session:
        session.get(HumanTask, instance.open_tasks[0].id).instance_id = NOWHERE
    assert state_of(demo_engine) == before


def test_an_instance_is_never_deleted(demo_engine):
    instance = demo_engine.runtime.start("demo", "C-1")
    before = state_of(demo_engine)
    with pytest.raises(IntegrityError), demo_engine.db.transaction() as session:
        session.execute(delete(ProcessInstance).where(ProcessInstance.id == instance.id))
    assert state_of(demo_engine) == before
    if demo_engine.db.engine.dialect.name == "postgresql":
        with pytest.raises(IntegrityError), demo_engine.db.transaction() as session:
            session.execute(text("DELETE FROM process_instance_live"))
        assert state_of(demo_engine) == before


def test_a_completion_that_waited_on_the_instance_closing_is_a_conflict(demo_engine):
    """A coordinator cancels the instance while an actor's completion of its task
    waits on the row: the completion is refused as a conflict, and her task stays open
    as the cancellation left it."""
    postgresql_only(demo_engine)
    instance = demo_engine.runtime.start("demo", "C-1")
    task_id = instance.open_tasks[0].id
    outcome: list[BaseException | None] = []

    def complete() -> None:
        try:
            demo_engine.tasks.complete(task_id, "ana", {"note": "seen her"})
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            outcome.append(error)

    closer = demo_engine.db.engine.connect()
    try:
        closer.execute(text("UPDATE process_instance SET status = 'cancelled', "
                            "revision = revision + 1 WHERE id = :id"), {"id": instance.id})
        completing = threading.Thread(target=complete)
        completing.start()
        wait_for_a_lock_queue(demo_engine)
        closer.commit()
    finally:
        closer.close()
    completing.join(WAIT_SECONDS)
    (error,) = outcome
    assert isinstance(error, Conflict), error
    assert "closed by someone else" in str(error)
    with demo_engine.db.reading() as session:
        assert session.get(HumanTask, task_id).status == "open"
        row = session.get(ProcessInstance, instance.id)
        assert (row.status, row.revision) == ("cancelled", instance.revision + 1)


def wait_for_a_lock_queue(engine) -> None:
    """Return once a backend waits on a lock another one holds."""
    deadline = time.monotonic() + WAIT_SECONDS
    with engine.db.engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            watcher.rollback()
            if waiting:
                return
    raise AssertionError("the completion never queued on the instance's row")


def test_the_migration_moves_instances_into_partitions_and_back(demo_engine, database_url):
    """Upgraded and downgraded with the rows a running deployment has: every instance
    and task is kept, each instance lands in the partition of its status, the ids go on
    from where they were, and the downgrade gives the plain table and its foreign keys
    back."""
    postgresql_only(demo_engine)
    schema = f"varnapot_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(os.environ["VARNAPOT_TEST_DATABASE_URL"])
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{database_url.split('?')[0]}?options={quote(f'-csearch_path={schema}')}"
    database = Database(url)
    try:
        database.upgrade("0025")
        with database.engine.begin() as connection:
            seed_instances(connection)
        database.upgrade()
        with database.engine.connect() as connection:
            assert rows_by_partition(connection) == [
                (1, "running", "process_instance_live"),
                (2, "completed", "process_instance_closed")]
            assert connection.scalar(text("SELECT count(*) FROM human_task")) == 2
            assert connection.scalar(text("SELECT nextval('process_instance_id_seq')")) == 3
        downgrade(database, "0025")
        with database.engine.connect() as connection:
            assert rows_by_partition(connection) == [(1, "running", "process_instance"),
                                                     (2, "completed", "process_instance")]
            with pytest.raises(IntegrityError):
                connection.execute(text("UPDATE human_task SET instance_id = :id"),
                                   {"id": NOWHERE})
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def downgrade(database: Database, revision: str) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def seed_instances(connection) -> None:
    """One running and one completed instance, each with a task, as 0025 stored them."""
    now = datetime.now(UTC)
    connection.execute(text(
        "INSERT INTO process_definition (key, version, name, content_hash, bpmn_xml, source, "
        "deployed_at, deployed_by) VALUES ('demo', 1, 'Demo', '0', '<xml/>', 'demo.bpmn', "
        ":now, 'ana')"), {"now": now})
    for status in ("running", "completed"):
        instance_id = connection.scalar(text(
            "INSERT INTO process_instance (definition_id, process_key, case_code, status, "
            "revision, started_at, started_by, updated_at, state, variables) "
            "VALUES (1, 'demo', 'C-1', :status, 1, :now, 'ana', :now, 'x', 'x') "
            "RETURNING id"), {"status": status, "now": now})
        connection.execute(text(
            "INSERT INTO human_task (instance_id, spiff_task_id, element_id, title, role, "
            "form_key, status, created_at) VALUES (:id, :uuid, 'write', 'Write', "
            "'coordinator', 'test.note', 'open', :now)"),
            {"id": instance_id, "uuid": str(uuid.uuid4()), "now": now})


def rows_by_partition(connection) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(
        "SELECT id, status, tableoid::regclass::text FROM process_instance ORDER BY id"))]
