"""The consent register: everything done for her rests on her informed consent.

Each purpose below is a question she answers: to be referred, to a protection plan, to
schooling, to return. A form that asks it (``FormSchema.consent_asked``) writes her answer
here when its task completes: given or refused, the day, who answered (herself, the
guardian with the child, or, for a child whose guardian refused, the centre for social
work deciding in her best interests: not a consent, and recorded as what it is), whether
an interpreter was there, and which task asked her. A task that
refers her or discloses her data (``FormSchema.needs_consent``) completes only while a
consent for its purpose stands; otherwise it is refused with a message that says so.

She may withdraw a consent at any time: from a step of the procedure
(``FormSchema.withdraws_consent``) or by the coordinator in the register. The
withdrawal is recorded, the tasks waiting on that consent can no longer complete, and
the coordinator is told which ones they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.config import FormRegistry
from engine.context import EngineContext
from engine.crypto.vault import SEALED_TEXT
from engine.errors import BadRequest, Conflict, NotFound
from engine.kit.dates import stored_date
from engine.kit.texts import translatable
from engine.obligations.inbox import notify
from engine.protection.access import GRANTED, AccessLog, Reader
from engine.protection.plain_text import refuse_broken_text
from engine.protection.privacy import NARRATIVE, readable
from engine.store.models import CaseRecord, Consent, HumanTask, ProcessInstance
from engine.store.unit_of_work import UnitOfWork
from engine.views import ConsentView

PURPOSES: dict[str, tuple[str, str]] = {
    "referral": (translatable("Referral to the national coordinator for formal "
                              "identification and support"),
                 translatable("the national coordinator")),
    "protection_plan": (translatable("An individual protection plan and the referrals it "
                                     "names"),
                        translatable("the services named in her plan")),
    "schooling": (translatable("Schooling: the school learns what it needs to enrol her"),
                  translatable("the school")),
    "voluntary_return": (translatable("Voluntary return: her data goes to the partner "
                                      "organisation in her country of origin"),
                         translatable("the partner organisation")),
    "reintegration_intake": (translatable("The intake interview of the (re)integration "
                                          "programme"),
                             translatable("the NGO counsellor")),
    "record_identity": (translatable("Recording her name in her personal record"),
                        translatable("the team that works with her")),
    "team_notice": (translatable("Telling the multidisciplinary team that she joined the "
                                 "programme"),
                    translatable("the multidisciplinary team")),
}
"""Purpose -> (what she agrees to, to whom her data may go)."""
KEEPERS = ("coordinator", "ngo_counsellor", "social_work")
"""Who records her answers and her withdrawals, through the pages and the API alike: the
people she speaks with about her protection. (The technical admin is not one of them.)"""
NOTE_COLUMN = "consent note"
"""The seal's place for how an answer was obtained: typed text that may name anyone."""
MAX_NOTE = 300
GIVEN, REFUSED, WITHDRAWN = "given", "refused", "withdrawn"
HERSELF, GUARDIAN, BEST_INTERESTS = "herself", "guardian", "best_interests"
"""Who answered: she, her guardian with her, or (for a child) the centre for social work
in her best interests, where protecting her does not depend on consent (CETS Art.
10(4)); the last only from its task, where the reasons are written."""


def on_task_completed(ctx: EngineContext, forms: FormRegistry, session: UnitOfWork,
                      instance: ProcessInstance, task: HumanTask, form: Any,
                      data: Mapping[str, Any], user: str) -> None:
    """Check the task's consent gate, then write what its form says of her consent."""
    withdraws = getattr(form, "withdraws_consent", None)
    withdrawing = bool(withdraws and data.get(withdraws[1]))
    purpose = getattr(form, "needs_consent", None)
    if purpose and not withdrawing and standing(session, instance.case_code, purpose) is None:
        raise Conflict(translatable(
            "This task discloses her data or refers her, and there is no valid consent "
            "for it ({purpose}): she has not given it, or has withdrawn it. Ask her, and "
            "record her answer first.").format(purpose=describe(purpose)))
    asked = getattr(form, "consent_asked", None)
    if asked is not None:
        answer = data.get(asked.answer)
        consent = Consent(
            case_code=instance.case_code, purpose=asked.purpose,
            recipient=PURPOSES[asked.purpose][1],
            status=GIVEN if answer is True or answer == GIVEN else REFUSED,
            decided_on=stored_date(data.get(asked.on)) or ctx.today(),
            given_by=_given_by(asked),
            obtained=translatable("asked in the task “{title}”").format(title=task.title),
            interpreter_used=bool(asked.interpreter and data.get(asked.interpreter)),
            instance_id=instance.id, task_id=task.id, recorded_by=user,
            recorded_at=ctx.now())
        session.add(consent)
        session.audit(f"consent_{consent.status}", user, instance_id=instance.id,
                  task=task, detail=asked.purpose)
    if withdrawing:
        assert withdraws is not None
        found = standing(session, instance.case_code, withdraws[0])
        if found is not None:
            on = stored_date(data.get("withdrawn_on")) or ctx.today()
            _withdraw(ctx, forms, session, found, on, user)


def _given_by(asked: Any) -> str:
    if asked.by_best_interests:
        return BEST_INTERESTS
    return GUARDIAN if asked.by_guardian else HERSELF


def standing(session: UnitOfWork, case_code: str, purpose: str) -> Consent | None:
    """Her latest answer for ``purpose``, if it is a consent that still stands.

    For a child whose guardian refused, the answer that stands may be the centre for
    social work's decision in her best interests (``given_by`` BEST_INTERESTS).
    """
    latest = session.scalars(select(Consent).where(
        Consent.case_code == case_code, Consent.purpose == purpose)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc()).limit(1)).first()
    return latest if latest is not None and latest.status == GIVEN else None


def describe(purpose: str) -> str:
    return PURPOSES[purpose][0] if purpose in PURPOSES else purpose


class ConsentService:
    def __init__(self, ctx: EngineContext, access: AccessLog, forms: FormRegistry) -> None:
        self.ctx = ctx
        self.forms = forms
        self.access = access

    def consents(self, case_code: str, reader: Reader | None = None,
                 what: str = "consents") -> list[ConsentView]:
        """Every answer of hers, the newest first.

        A typed note on how an answer was obtained is sealed: ``reader`` sees it only
        with a role that reads narratives, and that read is logged. Without a reader
        (the export of her data, which logs itself) every note is opened.
        """
        reveal = reader is None or NARRATIVE in readable(reader.roles)
        with self.ctx.db.reading() as session:
            rows = list(session.scalars(
                select(Consent).where(Consent.case_code == case_code)
                .order_by(Consent.recorded_at.desc(), Consent.id.desc())))
            views = [_view(c, self.ctx.vault.shown_text(session, case_code, NOTE_COLUMN,
                                                        c.obtained, reveal))
                     for c in rows]
            opened = reveal and any(_sealed(c) for c in rows)
        if reader is not None and opened:
            self.access.record(reader, case_code, ["consent notes"], what, GRANTED)
        return views

    def record(self, case_code: str, purpose: str, *, status: str, decided_on: date,
               obtained: str, interpreter_used: bool, given_by: str, user: str) -> ConsentView:
        """An answer she gave outside a task: in a meeting, on a signed form."""
        if purpose not in PURPOSES:
            raise BadRequest(f"no consent purpose {purpose!r}: choose one of "
                             f"{', '.join(PURPOSES)}")
        if status not in (GIVEN, REFUSED):
            raise BadRequest("an answer is given or refused; withdraw a consent instead")
        if given_by not in (HERSELF, GUARDIAN):
            raise BadRequest("a consent is given by herself or by her guardian; a decision "
                             "in a child's best interests is recorded by its task, with "
                             "the reasons")
        if decided_on > self.ctx.today():
            raise BadRequest("the day of her answer cannot be in the future")
        refuse_broken_text({"obtained": obtained}, "her answer was not recorded")
        if not obtained.strip():
            raise BadRequest("say how her answer was obtained")
        if len(obtained.strip()) > MAX_NOTE:
            raise BadRequest(f"say how her answer was obtained in at most {MAX_NOTE} "
                             "characters")
        with self.ctx.db.transaction() as session:
            if session.get(CaseRecord, case_code) is None:
                raise NotFound(f"there is no case {case_code}")
            consent = Consent(case_code=case_code, purpose=purpose,
                              recipient=PURPOSES[purpose][1], status=status,
                              decided_on=decided_on, given_by=given_by,
                              obtained=self.ctx.vault.seal_text(
                                  session, case_code, NOTE_COLUMN, obtained.strip()),
                              interpreter_used=interpreter_used, recorded_by=user,
                              recorded_at=self.ctx.now())
            session.add(consent)
            session.audit(f"consent_{status}", user, detail=f"{case_code}: {purpose}")
            session.flush()
            return _view(consent, obtained.strip())

    def withdraw(self, case_code: str, consent_id: int, *, on: date | None,
                 user: str) -> ConsentView:
        """Record that she withdrew a consent; the tasks that needed it stop."""
        on = on or self.ctx.today()
        if on > self.ctx.today():
            raise BadRequest("the day she withdrew cannot be in the future")
        with self.ctx.db.transaction() as session:
            consent = session.get(Consent, consent_id)
            if consent is None or consent.case_code != case_code:
                raise NotFound(f"case {case_code} has no consent {consent_id}")
            if consent.status != GIVEN:
                raise Conflict(f"consent {consent_id} is {consent.status}, not given")
            if consent.given_by == BEST_INTERESTS:
                # Protecting a child does not depend on consent (CETS Art. 10(4)): what
                # social work decided in her best interests is not withdrawn like one.
                raise Conflict(f"entry {consent_id} is social work's decision in her best "
                               f"interests, not a consent: it is not withdrawn; social work "
                               f"decides again if her situation changes")
            _withdraw(self.ctx, self.forms, session, consent, on, user)
            return _view(consent, self.ctx.vault.shown_text(
                session, case_code, NOTE_COLUMN, consent.obtained, True))


def _withdraw(ctx: EngineContext, forms: FormRegistry, session: UnitOfWork,
              consent: Consent, on: date, user: str) -> None:
    consent.status, consent.withdrawn_on = WITHDRAWN, on
    consent.withdrawal_recorded_by, consent.withdrawal_recorded_at = user, ctx.now()
    session.audit("consent_withdrawn", user, instance_id=consent.instance_id,
              detail=f"{consent.case_code}: {consent.purpose}")
    stopped = _waiting_on(forms, session, consent.case_code, consent.purpose)
    notify(ctx, session, roles=["coordinator"], source="consent", actor=user,
           case_code=consent.case_code,
           subject=translatable("Consent withdrawn: {purpose} (case {code})").format(
               purpose=describe(consent.purpose), code=consent.case_code),
           body=translatable("She withdrew her consent on {day}. Tasks that can no longer "
                             "complete: {tasks}. Review her protection with her.").format(
               day=on.isoformat(), tasks=", ".join(stopped) or "none open"))


def _waiting_on(forms: FormRegistry, session: UnitOfWork, case_code: str,
                purpose: str) -> list[str]:
    """The open tasks of the case whose form needs a consent for ``purpose``."""
    rows = session.execute(select(HumanTask.id, HumanTask.form_key, HumanTask.title)
                           .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                           .where(ProcessInstance.case_code == case_code,
                                  HumanTask.status == "open")).all()
    return [f"{title} (task {task_id})" for task_id, key, title in rows
            if getattr(forms.get(key), "needs_consent", None) == purpose]


def _sealed(consent: Consent) -> bool:
    return consent.obtained.startswith(SEALED_TEXT)


def _view(consent: Consent, obtained: str | None) -> ConsentView:
    return ConsentView(
        id=consent.id, case_code=consent.case_code, purpose=consent.purpose,
        purpose_text=describe(consent.purpose), recipient=consent.recipient,
        status=consent.status, decided_on=consent.decided_on, given_by=consent.given_by,
        obtained=obtained or "", interpreter_used=consent.interpreter_used,
        instance_id=consent.instance_id, recorded_by=consent.recorded_by,
        recorded_at=consent.recorded_at, withdrawn_on=consent.withdrawn_on,
        withdrawal_recorded_by=consent.withdrawal_recorded_by)
