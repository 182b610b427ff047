"""Her rights over what is held about her: a full export, erasure, and retention review.

* :meth:`CaseRights.export` gathers everything held about one case (her record, her
  consents, every procedure with its data, tasks, deadlines, history, notices, the
  notes and documents of her case file, the drafts of forms about her and the access
  log) for her to read; the export itself is logged as a read of all of it.
* :meth:`CaseRights.erase` is crypto-erasure: running procedures are cancelled, then her
  data key is destroyed, so her record and every sealed state, variable, note, document
  and draft, in the database and in every backup, can no longer be read. What stays
  names only the code: tasks, deadlines, consents, the history and the access log.
  A legal hold refuses it.
* :meth:`CaseRights.due_for_review` lists closed cases older than the jurisdiction's
  retention period, for a person to decide; nothing is erased by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, select

from engine.context import EngineContext
from engine.crypto.erasures import ErasureJournal
from engine.errors import Conflict
from engine.obligations.consents import ConsentService
from engine.protection.access import AccessLog, Reader
from engine.protection.case_file import NOTES_FIELD, CaseFileService
from engine.services.drafts import DraftService
from engine.services.runtime import RuntimeService
from engine.store.instances import CANCELLED, COMPLETED
from engine.store.models import (
    AuditEvent,
    CaseRecord,
    HumanTask,
    LegalDeadline,
    Notification,
    ProcessInstance,
)
from engine.store.unit_of_work import UnitOfWork
from engine.views import View

CLOSED = (COMPLETED, CANCELLED)


@dataclass(frozen=True)
class RetentionItem(View):
    case_code: str
    closed_on: date
    review_from: date
    legal_hold: bool


class CaseRights:
    def __init__(self, ctx: EngineContext, runtime: RuntimeService, access: AccessLog,
                 consents: ConsentService, case_file: CaseFileService,
                 journal: ErasureJournal | None = None) -> None:
        self.ctx = ctx
        self.journal = journal
        self.case_file = case_file
        self.runtime = runtime
        self.access = access
        self.consents = consents

    def export(self, reader: Reader, code: str) -> dict[str, Any]:
        """Everything held about her, readable; the export is in the access log."""
        with self.ctx.db.transaction() as session:
            record = self.ctx.vault.case_record(session, code)
            person = (self.ctx.vault.open(session, code, "person", record.person)
                      if record.person else {})
            instances = session.scalars(select(ProcessInstance).where(
                ProcessInstance.case_code == code).order_by(ProcessInstance.id)).all()
            procedures = [self._procedure(session, row) for row in instances]
            ids = [row.id for row in instances]
            notices = session.scalars(select(Notification).where(
                Notification.case_code == code).order_by(Notification.id)).all()
            case_file = self.case_file.export(session, code)
            drafts = DraftService.export(self.ctx, session, code)
            fields = sorted({*person, *(k for p in procedures for k in p["data"]),
                             *([NOTES_FIELD] if case_file["notes"] else []),
                             *(d["kind"] for d in case_file["documents"])})
            self.access.record_in(session, reader, code, fields, f"export of case {code}")
            history = session.scalars(select(AuditEvent).where(
                AuditEvent.instance_id.in_(ids)).order_by(AuditEvent.id)).all() if ids else []
        return {
            "case": {"code": code, "created_at": _iso(record.created_at),
                     "legal_hold": record.legal_hold, "exported_at": _iso(self.ctx.now()),
                     "exported_by": reader.username},
            "personal_record": person,
            "consents": [c.to_dict() for c in self.consents.consents(code)],
            "procedures": procedures,
            "case_notes": case_file["notes"],
            "documents": case_file["documents"],
            "drafts": drafts,
            "notices": [{"at": _iso(n.created_at), "to": n.role, "subject": n.subject,
                         "body": n.body} for n in notices],
            "history": [{"at": _iso(e.at), "actor": e.actor, "event": e.event_type,
                         "instance": e.instance_id, "element": e.element_id,
                         "fields": e.data_keys, "detail": e.detail} for e in history],
            "access_log": [e.to_dict() for e in reversed(
                self.access.events(case_code=code, limit=100_000))],
        }

    def _procedure(self, session: UnitOfWork, row: ProcessInstance) -> dict[str, Any]:
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == row.id)
                                .order_by(HumanTask.id)).all()
        deadlines = session.scalars(select(LegalDeadline).where(
            LegalDeadline.instance_id == row.id).order_by(LegalDeadline.id)).all()
        return {
            "instance": row.id, "procedure": row.process_key, "status": row.status,
            "started_at": _iso(row.started_at), "ended_at": _iso(row.ended_at),
            "data": self.ctx.vault.open(session, row.case_code, "variables", row.variables),
            "tasks": [{"task": t.title, "role": t.role, "status": t.status,
                       "created_at": _iso(t.created_at), "completed_by": t.completed_by,
                       "ended_at": _iso(t.ended_at)} for t in tasks],
            "deadlines": [{"deadline": d.title, "kind": d.kind, "legal_date": _iso(d.legal_date),
                           "latest_safe_day": _iso(d.latest_safe_day), "status": d.status}
                          for d in deadlines],
        }

    def hold(self, code: str, on: bool, user: str) -> None:
        """Set or lift the legal hold: while set, the case cannot be erased."""
        with self.ctx.db.transaction() as session:
            record = self.ctx.vault.case_record(session, code)
            record.legal_hold = on
            session.audit("legal_hold_set" if on else "legal_hold_lifted", user,
                           detail=f"case {code}")

    def erase(self, code: str, user: str, *, again: bool = False) -> int:
        """Crypto-erase the case; the number of procedures that were still running.

        ``again``: a restored backup erases once more a case the erasure journal names;
        it was erased for good already, so a legal hold the backup still shows does not
        stop it."""
        with self.ctx.db.reading() as session:
            record = self.ctx.vault.case_record(session, code)
            if record.legal_hold and not again:
                raise Conflict(f"case {code} is under a legal hold: it cannot be erased "
                               "until the hold is lifted")
            running = session.scalars(select(ProcessInstance.id).where(
                ProcessInstance.case_code == code,
                ProcessInstance.status.not_in(CLOSED))).all()
        for instance_id in running:  # with her key still there: the states must be read
            self.runtime.cancel(instance_id, actor=user, reason="the case was erased")
        with self.ctx.db.transaction() as session:
            record = self.ctx.vault.case_record(session, code)
            if record.legal_hold and not again:
                raise Conflict(f"case {code} was put under a legal hold meanwhile")
            record.sealed_key = record.person = None
            self.case_file.erase(session, code)
            DraftService.erase(session, code)
            record.erased_at = self.ctx.now()
            self.ctx.vault.forget(session, code)
            ids = session.scalars(select(ProcessInstance.id).where(
                ProcessInstance.case_code == code)).all()
            session.audit("case_erased", user, detail=f"case {code}" + (
                " again, after a backup was restored" if again else ""))
        for instance_id in ids:
            self.runtime.store.workflows.forget(instance_id)
        if self.journal is not None and not again:
            self.journal.write(code, self.ctx.now())
        return len(running)

    def due_for_review(self) -> list[RetentionItem]:
        """Closed cases whose last procedure ended more than the retention period (of the
        case's own jurisdiction) ago."""
        today = self.ctx.today()
        open_count = func.sum(cast(ProcessInstance.status.not_in(CLOSED), Integer))
        query = (select(ProcessInstance.case_code, func.max(ProcessInstance.ended_at),
                        CaseRecord.legal_hold, CaseRecord.jurisdiction)
                 .join(CaseRecord, CaseRecord.code == ProcessInstance.case_code)
                 .where(CaseRecord.erased_at.is_(None))
                 .group_by(ProcessInstance.case_code, CaseRecord.legal_hold,
                           CaseRecord.jurisdiction)
                 .having(open_count == 0))
        found = []
        with self.ctx.db.reading() as session:
            for code, ended, hold, place in session.execute(query):
                closed_on = ended.astimezone(self.ctx.timezone).date()
                review_from = _add_years(closed_on,
                                         self.ctx.jurisdiction_of(place).retention_years)
                if review_from <= today:
                    found.append(RetentionItem(code, closed_on, review_from, hold))
        return sorted(found, key=lambda item: item.review_from)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
