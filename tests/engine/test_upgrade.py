"""`varnapot db upgrade` on a database the previous release wrote keeps every running
instance running: its tasks, deadlines and timers are there, and the cases go on.

The database is tests/data/previous_release (schema 0022, made with that release's code
by its make.py): Julija waits for her decision on cooperating, Ana's protection plan
waits on its monitoring timer."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine import ProcessEngine
from engine.crypto.keys import decode_key
from tests.product import product_config

RELEASE = Path(__file__).resolve().parents[1] / "data" / "previous_release"
EXPECTED = json.loads((RELEASE / "previous_release.json").read_text(encoding="utf-8"))


@pytest.fixture
def upgraded(tmp_path):
    database = tmp_path / "previous_release.db"
    with gzip.open(RELEASE / "previous_release.db.gz", "rb") as source, \
            database.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    key = decode_key((RELEASE / "master.key").read_text(encoding="utf-8"), "master.key")
    engine = ProcessEngine(product_config(database_url=f"sqlite:///{database}",
                                          clock="manual", master_key=key))
    assert not engine.db.schema_is_current()  # written by the release before
    engine.upgrade_database()
    yield engine
    engine.close()


def test_the_upgrade_keeps_every_running_instance_running(upgraded):
    engine = upgraded
    assert engine.db.schema_is_current()
    assert engine.clock.now() == datetime.fromisoformat(EXPECTED["clock"])
    assert {i.status for i in engine.runtime.instances()} == {"running"}
    for code, elements in EXPECTED["open_tasks"].items():
        assert sorted(t.element_id for t in engine.tasks.tasks(case_code=code)) == elements
    assert sorted([d.case_code, d.kind, d.ref, str(d.legal_date), d.status]
                  for d in engine.deadlines.deadlines()) == EXPECTED["deadlines"]
    assert len(engine.timers.timers()) == EXPECTED["timers"]

    # Julija decides to cooperate: the permit's tasks open, as they did before.
    [decide] = [t for t in engine.tasks.tasks(case_code="SI-REL-0001")
                if t.element_id == "record_decision"]
    engine.tasks.complete(decide.id, "coordinator", {"decision": "cooperate",
                                                     "decision_date": "2026-04-01"})
    assert {"file_application", "confirm_cooperation"} <= {
        t.element_id for t in engine.tasks.tasks(case_code="SI-REL-0001")}

    # Ana's indicator G1-1 passes its date unreached: the old timer fires, the plan
    # asks for its correction.
    engine.set_clock(datetime(2026, 4, 11, 8, 0, tzinfo=UTC))
    assert "correct_plan" in {t.element_id for t in engine.tasks.tasks(case_code="SI-REL-0002")}
    engine.users.add("coord", ["coordinator"])
    assert any("G1-1" in n.body for n in engine.inbox.inbox("coord"))
