"""No column of any table holds a word written about her, before or after erasure.

Julija's whole case runs (identification, permitted stay, plan, permit, schooling,
reminders and escalations), her personal record is written, a consent is recorded with
a note on how it was obtained, one of her procedures is suspended and resumed with a
typed reason, her record is read and exported. Then every text column of every table
is read as the database stores it and searched for her name and the words of her
story; then the case is erased and the search is made again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import LargeBinary, inspect, select, text

from engine.protection.access import Reader
from tests.scenarios.julija_steps import walk_the_whole_case as whole_case
from tests.scenarios.log_hygiene_steps import RECORD, WRITTEN

COORDINATOR = Reader("coordinator", ("coordinator",), "127.0.0.1")
NOTE = "Julija Kovalenko signed with interpreter Marta Petrov in the safe house on Lipa 3"
REASON = "Kovalenko moved to the Lipa 3 safe house after Petrov found her"
SEARCHED = (*WRITTEN, "Julija Kovalenko", "Marta Petrov")


def text_values(engine) -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-binary column value the database holds."""
    found = []
    with engine.db.reading() as session:
        inspector = inspect(session.connection())
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if isinstance(column["type"], LargeBinary):
                    continue
                name = column["name"]
                rows = session.execute(text(f'SELECT "{name}" FROM "{table}"'))
                found.extend((table, name, str(value)) for (value,) in rows
                             if value is not None)
    return found


def leaks(engine) -> list[str]:
    return [f"{table}.{column}: {value[:80]}" for table, column, value in text_values(engine)
            for word in SEARCHED if word in value]


def test_no_text_column_holds_her_words_before_or_after_erasure(julija, engine):
    engine.people.write(COORDINATOR, julija.code, RECORD, "test")
    consent = engine.consents.record(julija.code, "schooling", status="given",
                                     decided_on=date(2026, 3, 2), obtained=NOTE,
                                     interpreter_used=True, given_by="herself",
                                     user="coordinator")
    instance = julija.instance.id
    engine.runtime.suspend(instance, actor="coordinator", reason=REASON)
    engine.runtime.resume(instance, actor="coordinator", reason=REASON)
    whole_case(julija)
    engine.people.read(COORDINATOR, julija.code, "test")
    engine.rights.export(COORDINATOR, julija.code)
    shown = {c.id: c.obtained for c in engine.consents.consents(julija.code)}
    assert shown[consent.id] == NOTE  # the coordinator reads the note she was given

    assert text_values(engine), "nothing was read: is the scan working?"
    assert leaks(engine) == []

    engine.rights.erase(julija.code, "records-officer")
    assert leaks(engine) == []
    with engine.db.reading() as session:
        from engine.store.models import Consent
        kept = session.scalars(select(Consent.obtained)).all()
    assert kept and NOTE not in kept
