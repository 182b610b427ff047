"""The vault: everything held about a person is sealed with her case's data key.

A case record is made the first time a procedure starts for a case code; it holds the
case's data key, sealed with the master key (see ``engine.crypto.keys``). The workflow state
and the process variables of her instances are stored sealed with that key, so neither
the database nor a backup of it shows what actors wrote about her. Lists, tasks,
deadlines and the audit trail carry the pseudonymous case code only.

Keys are opened once per unit of work and kept in its notes, never longer: erasing a
case takes effect in every process at once.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.crypto.keys import KeyRing
from engine.crypto.sealing import SealBroken, open_json, open_seal, seal, seal_json
from engine.errors import EngineError, NotFound
from engine.store.models import CaseRecord
from engine.store.unit_of_work import UnitOfWork

SEALED_TEXT = "sealed:"
"""The mark of sealed free text in a text column."""
HIDDEN = "(a note: not for your roles)"
ERASED = "(erased with the case)"
BROKEN = "(altered: it failed its integrity check)"


class CaseErased(EngineError):
    """The case's key was destroyed: nothing of hers can be read any more."""

    code = "case_erased"
    http_status = 410


class Vault:
    def __init__(self, keyring: KeyRing) -> None:
        self.keyring = keyring

    def open_case(self, session: UnitOfWork, code: str, now: datetime) -> CaseRecord:
        """The case record of ``code``, made with a fresh data key if it is new."""
        record = session.get(CaseRecord, code)
        if record is None:
            key, sealed = self.keyring.new_case_key(code)
            record = CaseRecord(code=code, sealed_key=sealed, created_at=now)
            session.add(record)
            session.notes.case_keys[code] = key
        elif record.sealed_key is None:
            raise CaseErased(f"case {code} was erased: start a new case with a new code")
        return record

    @staticmethod
    def case_record(session: UnitOfWork, code: str) -> CaseRecord:
        """The record of a case whose data can still be read."""
        record = session.get(CaseRecord, code)
        if record is None:
            raise NotFound(f"there is no case {code}")
        if record.sealed_key is None:
            raise CaseErased(f"case {code} was erased on {record.erased_at:%Y-%m-%d}: its "
                             "data can no longer be read")
        return record

    def prefetch(self, session: UnitOfWork, codes: Iterable[str]) -> None:
        """Open the keys of many cases with one query (a timer batch saves many)."""
        keys = session.notes.case_keys
        wanted = sorted(set(codes) - set(keys))
        if wanted:
            for record in session.scalars(select(CaseRecord).where(CaseRecord.code.in_(wanted))):
                self.open_key_of(session, record)

    def open_key_of(self, session: UnitOfWork, record: CaseRecord) -> None:
        """Open the key of a record a query has just read alongside other rows.

        The session holds rows weakly: by the time the key is needed the record may be
        gone from it, and :meth:`key` would read it again. The unit holds the record
        itself too, for what else it reads of the case (its jurisdiction).
        """
        session.notes.case_records[record.code] = record
        keys = session.notes.case_keys
        if record.code not in keys and record.sealed_key is not None:
            keys[record.code] = self.keyring.case_key(record.code, record.sealed_key)

    def key(self, session: UnitOfWork, code: str) -> bytes:
        keys = session.notes.case_keys
        if code not in keys:
            record = session.get(CaseRecord, code)
            if record is None:
                raise NotFound(f"there is no case {code}")
            if record.sealed_key is None:
                raise CaseErased(f"case {code} was erased: its data can no longer be read")
            keys[code] = self.keyring.case_key(code, record.sealed_key)
        return keys[code]

    def seal(self, session: UnitOfWork, code: str, column: str, value: Any, *,
             compress: bool = False) -> bytes:
        return seal_json(self.key(session, code), value, f"{column}|{code}",
                         compress=compress)

    def open(self, session: UnitOfWork, code: str, column: str, sealed: bytes) -> Any:
        return open_json(self.key(session, code), sealed, f"{column}|{code}")

    def seal_bytes(self, session: UnitOfWork, code: str, column: str, data: bytes) -> bytes:
        """A file as it is (a scan is compressed already), sealed like the rest."""
        return seal(self.key(session, code), data, f"{column}|{code}")

    def open_bytes(self, session: UnitOfWork, code: str, column: str, sealed: bytes) -> bytes:
        return open_seal(self.key(session, code), sealed, f"{column}|{code}")

    def seal_text(self, session: UnitOfWork, code: str, column: str, text: str) -> str:
        """Free text for a text column (a reason in the history): sealed, then base64."""
        sealed = seal_json(self.key(session, code), text, f"{column}|{code}")
        return SEALED_TEXT + base64.b64encode(sealed).decode()

    def open_text(self, session: UnitOfWork, code: str, column: str, stored: str) -> str:
        """The text :meth:`seal_text` sealed; other text is returned as it is."""
        if not stored.startswith(SEALED_TEXT):
            return stored
        sealed = base64.b64decode(stored[len(SEALED_TEXT):])
        return str(open_json(self.key(session, code), sealed, f"{column}|{code}"))

    def shown_text(self, session: UnitOfWork, code: str, column: str, stored: str | None,
                   reveal: bool) -> str | None:
        """Free text as a reader is shown it: opened for the roles that read narratives,
        a mark for the others, and a mark once the case is erased or the seal altered."""
        if not stored or not stored.startswith(SEALED_TEXT):
            return stored
        if not reveal:
            return HIDDEN
        try:
            return self.open_text(session, code, column, stored)
        except CaseErased:
            return ERASED
        except SealBroken:
            return BROKEN

    @staticmethod
    def forget(session: UnitOfWork, code: str) -> None:
        """Drop an opened key from this unit of work (the case is being erased)."""
        session.notes.case_keys.pop(code, None)
