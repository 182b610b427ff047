"""Nothing of her goes to a log: a whole case, at the most talkative log level.

Julija's case runs end to end (identification, permitted stay, plan, permit, schooling,
reminders and escalations as the clock moves), her personal record is written, read,
exported and then erased, and a handler fails on the way. Every log record of every
logger, its message and each attribute a structured handler could write out, is then
searched for what was written about her: none may hold it.
"""

from __future__ import annotations

import logging

from engine.protection.access import Reader
from tests.scenarios.julija_steps import walk_the_whole_case as whole_case
from tests.scenarios.log_hygiene_steps import RECORD, WRITTEN

COORDINATOR = Reader("coordinator", ("coordinator",), "127.0.0.1")


def test_a_whole_case_writes_nothing_of_her_to_any_log(julija, engine, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("varnapot", "sqlalchemy", "alembic", "apscheduler", "spiff"):
        caplog.set_level(logging.DEBUG, logger=name)
    engine.people.write(COORDINATOR, julija.code, RECORD, "test")
    whole_case(julija)
    engine.people.read(COORDINATOR, julija.code, "test")
    engine.rights.export(COORDINATOR, julija.code)
    engine.rights.erase(julija.code, "records-officer")

    assert caplog.records, "nothing was logged at all: is the capture working?"
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(map(repr, vars(record).values()))
        found = [value for value in WRITTEN if value in text]
        assert not found, f"{record.name} logged {found}: {record.getMessage()[:200]}"
