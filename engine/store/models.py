"""Database tables of the engine.

A process instance row holds SpiffWorkflow's serialized state and a ``revision`` that
SQLAlchemy uses as an optimistic lock. Human tasks and timers are projections written in
the same transaction as the state, so worklists and due timers are indexed queries.
Audit events are append-only: the migration adds triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and read back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Moment = UTCDateTime()

MISSED_UNACKNOWLEDGED = "status = 'missed' AND acknowledged_at IS NULL"
"""A missed legal deadline no one has yet taken note of: the predicate of its partial
index, which a query must state with these constants for a prepared plan to use it."""

SQLITE_ONLY = "sqlite"
"""``info["only_on"]`` of a constraint the database of one dialect alone carries."""


def names_an_instance() -> ForeignKeyConstraint:
    """``instance_id`` names a process instance.

    On PostgreSQL ``process_instance`` is partitioned by status, and no foreign key can
    name its id alone: a trigger of migration 0026 keeps the same rule there. The
    constraint stays in the metadata for SQLite and for the joins the ORM infers.
    """
    constraint = ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                      info={"only_on": SQLITE_ONLY})
    return constraint.ddl_if(dialect=SQLITE_ONLY)


class Base(DeclarativeBase):
    pass


class ProcessDefinition(Base):
    """One deployed version of one process key, with the XML it was parsed from."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_definition_key_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(500))
    deployed_at: Mapped[datetime] = mapped_column(Moment)
    deployed_by: Mapped[str] = mapped_column(String(200))
    change_note: Mapped[str | None] = mapped_column(Text)
    """Why this version was published, in the analyst's words."""


class DecisionDefinition(Base):
    """One deployed version of one decision table (DMN), with the XML it was parsed from."""

    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_decision_key_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    dmn_xml: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(500))
    deployed_at: Mapped[datetime] = mapped_column(Moment)
    deployed_by: Mapped[str] = mapped_column(String(200))
    change_note: Mapped[str | None] = mapped_column(Text)
    """Why this version was published, in the analyst's words."""


class CaseRecord(Base):
    """A person's case: her pseudonymous code and the key her data is sealed with."""

    __tablename__ = "case_record"
    __table_args__ = (
        # The case list, newest activity first: a walk along it, never a grouping of
        # every instance by case.
        Index("ix_case_last_active", "last_active_at", "code"),
    )

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    sealed_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    """Her data key sealed with the master key; None once the case is erased."""
    person: Mapped[bytes | None] = mapped_column(LargeBinary)
    """Her personal record (forms.person), sealed with her data key; None until written."""
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    """Set while a court or prosecutor needs the records: erasure is refused."""
    created_at: Mapped[datetime] = mapped_column(Moment)
    erased_at: Mapped[datetime | None] = mapped_column(Moment)
    last_active_at: Mapped[datetime | None] = mapped_column(Moment)
    """The latest ``updated_at`` of her instances, kept by the database (migration
    0022's triggers); None while she has none."""
    jurisdiction: Mapped[str | None] = mapped_column(String(10))
    """The code of the jurisdiction whose law and calendar her deadlines follow, chosen
    when the case is opened; None for a case opened before cases had one (the
    deployment's)."""


class ProcessInstance(Base):
    """A running (or finished) procedure for one case.

    On PostgreSQL the table is partitioned by ``status`` (migration 0026): live
    instances in ``process_instance_live``, completed and cancelled ones in
    ``process_instance_closed``, so a query for live statuses never reads a closed one.
    Its primary key there is ``(id, status)``; ``id`` alone identifies a row.
    """

    __tablename__ = "process_instance"
    __table_args__ = (
        # The monitor lists instances newest first, filtered by status or procedure, and
        # counts them: each is a walk along one of these, never a sort of the table.
        Index("ix_instance_status_started", "status", "started_at", "id"),
        Index("ix_instance_process_started", "process_key", "started_at", "id"),
        Index("ix_instance_started", "started_at", "id"),
        # The procedures that ended lately, for the dashboard, without the older ones.
        Index("ix_instance_status_ended", "status", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(200))
    case_code: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    """SpiffWorkflow's serialized state as JSON, sealed with the case's key
    (engine.crypto.vault)."""
    variables: Mapped[bytes] = mapped_column(LargeBinary)
    """The latest process data, sealed the same way, for the monitor and the API."""
    incident_element: Mapped[str | None] = mapped_column(String(200))
    incident_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(Moment)
    started_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(Moment)
    ended_at: Mapped[datetime | None] = mapped_column(Moment)
    bindings: Mapped[dict[str, int] | None] = mapped_column(JSON)
    """Called process key -> definition id, fixed at start: a call activity runs the
    version that was current when the instance started, as the caller does."""
    paused_by: Mapped[int | None] = mapped_column(Integer)
    """The instance whose pause of the case suspended this one (her disappearance), which
    resumes it when she reappears; None when it is not suspended that way."""
    case: Mapped[CaseRecord] = relationship(
        primaryjoin="foreign(ProcessInstance.case_code) == CaseRecord.code", viewonly=True,
        lazy="select")
    """Read with the row where its sealed key is needed (engine.store.instances)."""

    __mapper_args__ = {"version_id_col": revision}


class HumanTask(Base):
    """A user task that is (or was) READY: one row per task, kept after completion."""

    __tablename__ = "human_task"
    __table_args__ = (
        # A worklist (open tasks of her roles by due date) is read from this index alone,
        # and only its page of rows from the table; "claimed by me" from the second.
        Index("ix_task_status_role_due", "status", "role", "due_date", "id"),
        Index("ix_task_assignee_status", "assignee", "status"),
        # A workflow's open tasks without reading the ones it completed years ago.
        Index("ix_task_instance_status", "instance_id", "status"),
        names_an_instance(),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer)
    instance: Mapped[ProcessInstance] = relationship(lazy="raise")
    """Never loaded: it makes a flush write the instance, and so check its revision,
    before its task rows."""
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(100))
    form_key: Mapped[str] = mapped_column(String(200))
    documentation: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    legal_date: Mapped[date | None] = mapped_column(Date)
    """The legal date of the deadline whose latest safe day is ``due_date``, shown beside
    it; None when the procedure sets the due date itself."""
    assignee: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(Moment)
    claimed_at: Mapped[datetime | None] = mapped_column(Moment)
    ended_at: Mapped[datetime | None] = mapped_column(Moment)
    completed_by: Mapped[str | None] = mapped_column(String(200))


class Timer(Base):
    """A moment the engine must act at; the database, not memory, remembers it.

    ``bpmn`` rows wait on a timer event of an instance (boundary, intermediate, event
    gateway); ``reminder`` and ``escalation`` rows belong to a legal deadline. A row is
    never deleted: it ends ``fired``, ``cancelled`` (its task completed, its deadline was
    met, its instance ended) or ``failed`` (it kept raising; the instance shows an
    incident). ``next_attempt_at`` is ``due_at`` until a failed attempt pushes it back.
    """

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_status_next", "status", "next_attempt_at"),
                      names_an_instance())

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer, index=True)
    instance: Mapped[ProcessInstance] = relationship(lazy="raise")
    """Never loaded: it makes a flush write the instance before its timer rows."""
    kind: Mapped[str] = mapped_column(String(20), default="bpmn")
    spiff_task_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    element_id: Mapped[str | None] = mapped_column(String(200))
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("legal_deadline.id"),
                                                    index=True)
    offset_days: Mapped[int | None] = mapped_column(Integer)
    """Reminders: days before the latest safe day; escalations: days after it."""
    due_at: Mapped[datetime] = mapped_column(Moment, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(Moment)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    fired_at: Mapped[datetime | None] = mapped_column(Moment)
    fired_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime | None] = mapped_column(Moment)


class SchedulerWorker(Base):
    """A scheduler that has run: when it last swept, for ``/healthz`` and operators."""

    __tablename__ = "scheduler_worker"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(Moment)
    last_sweep_at: Mapped[datetime | None] = mapped_column(Moment)
    fired_total: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """Who did what, when, to which instance and task, and which data keys changed."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Moment, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)
    element_id: Mapped[str | None] = mapped_column(String(200))
    data_keys: Mapped[list[str]] = mapped_column(JSONDocument)
    detail: Mapped[str | None] = mapped_column(Text)


class Consent(Base):
    """Her answer to a consent question: to what, for whom, when, how, and its withdrawal."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_code: Mapped[str] = mapped_column(String(100), index=True)
    purpose: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(300))
    """To whom her data may be disclosed for this purpose."""
    status: Mapped[str] = mapped_column(String(20))
    """given, refused or withdrawn."""
    decided_on: Mapped[date] = mapped_column(Date)
    given_by: Mapped[str] = mapped_column(String(20))
    """herself, guardian (with the child), or best_interests (the centre for social
    work's decision for a child whose guardian refused: not a consent)."""
    obtained: Mapped[str] = mapped_column(Text)
    """How it was obtained: the task that asked her, or what the recorder says."""
    interpreter_used: Mapped[bool] = mapped_column(Boolean, default=False)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(Moment)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_recorded_by: Mapped[str | None] = mapped_column(String(200))
    withdrawal_recorded_at: Mapped[datetime | None] = mapped_column(Moment)


class AccessEvent(Base):
    """One read, or refused read, of a case's personal data. Append-only and chained:
    each event carries the hash of the one before it (engine.protection.access)."""

    __tablename__ = "access_event"
    __table_args__ = (Index("ix_access_event_lane_number", "lane", "number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Increasing across lanes: the order events are listed in, not part of the chain."""
    lane: Mapped[int] = mapped_column(Integer, server_default="1")
    """Which of the chain's lanes the event was linked into."""
    number: Mapped[int] = mapped_column(Integer, server_default="0")
    """1, 2, 3... within its lane, given under the lane's lock: a missing event is a gap."""
    at: Mapped[datetime] = mapped_column(Moment)
    username: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(500))
    case_code: Mapped[str] = mapped_column(String(100), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    """The names of the personal data shown; the values are never logged."""
    what: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(200))
    """Where from: the client's address, or the command line."""
    outcome: Mapped[str] = mapped_column(String(20))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessChain(Base):
    """The head of one lane of the access chain, locked while an event is added to it."""

    __tablename__ = "access_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The lane."""
    last_id: Mapped[int] = mapped_column(Integer)
    """The number of the lane's last event."""
    last_hash: Mapped[str] = mapped_column(String(64))


class EngineSetting(Base):
    """Small persistent settings, such as the manual clock's current time."""

    __tablename__ = "engine_setting"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LegalDeadline(Base):
    """A legal deadline of an instance, projected from what its handlers recorded.

    ``legal_date`` is the day the law fixes; ``latest_safe_day`` is the last working day
    on or before it, the day an action must be done by because offices are closed on
    the others.
    """

    __tablename__ = "legal_deadline"
    __table_args__ = (
        UniqueConstraint("instance_id", "kind", "ref", name="uq_deadline_instance_kind_ref"),
        Index("ix_deadline_status_safe_day", "status", "latest_safe_day"),
        # The missed ones still to acknowledge: those acknowledged stay "missed" for ever.
        Index("ix_deadline_missed_unacknowledged", "latest_safe_day", "id",
              postgresql_where=text(MISSED_UNACKNOWLEDGED),
              sqlite_where=text(MISSED_UNACKNOWLEDGED)),
        # The missed ones of the last months, for the dashboard's trend.
        Index("ix_deadline_status_legal_date", "status", "legal_date"),
        Index("ix_deadline_kind", "kind"),
        names_an_instance(),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer, index=True)
    case_code: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    ref: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(500))
    owner_role: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(String(10))
    legal_date: Mapped[date] = mapped_column(Date)
    latest_safe_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    """open, met, missed (done late or not at all) or cancelled."""
    met_on: Mapped[date | None] = mapped_column(Date)
    met_by_element: Mapped[str | None] = mapped_column(String(200))
    opened_by_element: Mapped[str] = mapped_column(String(200))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(Moment)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    """Who answers for a missed deadline took note of it: it leaves the missed list."""
    created_at: Mapped[datetime] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment)


class Notification(Base):
    """A notice to the holders of a role: each user of the role sees it in her inbox, and
    gets it by e-mail when SMTP is configured (:class:`NotificationEmail`)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_role_id", "role", "id"), names_an_instance())

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    case_code: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    element_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Moment)
    source: Mapped[str] = mapped_column(String(20), default="procedure")
    """procedure (a handler of the diagram), reminder or escalation (a deadline's timer)."""


class UserAccount(Base):
    """Someone who signs in: holds one or more roles, reads the inbox of those roles."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(Moment)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """argon2id; None: she cannot sign in with a password (yet)."""
    language: Mapped[str | None] = mapped_column(String(8))
    """The interface language she chose; None: the browser's."""
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    """Carried in each session cookie; raised to end all her sessions at once."""


class ApiToken(Base):
    """A bearer token for the REST API. Only its SHA-256 is stored; she sees it once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20), default="api")
    """``api`` (a bearer header, every API route) or ``calendar`` (the feed's URL only)."""
    created_at: Mapped[datetime] = mapped_column(Moment)
    last_used_at: Mapped[datetime | None] = mapped_column(Moment)
    revoked_at: Mapped[datetime | None] = mapped_column(Moment)


class LoginAttempt(Base):
    """One sign-in attempt, kept to slow down password guessing."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),
                      Index("ix_login_attempt_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(Moment)
    succeeded: Mapped[bool] = mapped_column()


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class NotificationRead(Base):
    """That one user has read one notification: the inbox is read per user, not per role."""

    __tablename__ = "notification_read"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(Moment)


class NotificationEmail(Base):
    """The e-mail outbox: one message per notification and recipient.

    Written in the transaction that writes the notification, so a notice is never stored
    without its e-mail being due, nor mailed for a unit of work that rolled back.
    """

    __tablename__ = "notification_email"
    __table_args__ = (
        UniqueConstraint("notification_id", "user_id", name="uq_email_notification_user"),
        Index("ix_email_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    """pending, sent or failed (gave up: the notice is still in the in-app inbox)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(Moment)
    sent_at: Mapped[datetime | None] = mapped_column(Moment)
    created_at: Mapped[datetime] = mapped_column(Moment)


class CaseNote(Base):
    """A caseworker's note on her case: free text, sealed with her case's data key."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_code: Mapped[str] = mapped_column(ForeignKey("case_record.code"), index=True)
    written_at: Mapped[datetime] = mapped_column(Moment)
    written_by: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The text, sealed; None once the case is erased."""


class CaseDocument(Base):
    """A document kept in her case file (a decision, a permit, a certificate), sealed.

    ``ref`` is random and part of the place the content is sealed for, so a content
    copied onto another document's row fails to open.
    """

    __tablename__ = "case_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    case_code: Mapped[str] = mapped_column(ForeignKey("case_record.code"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    content_type: Mapped[str] = mapped_column(String(100))
    """The type read from the content itself, never the one the browser claimed."""
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(Moment)
    added_by: Mapped[str] = mapped_column(String(200))
    about: Mapped[bytes | None] = mapped_column(LargeBinary)
    """Its file name and SHA-256, sealed (a name may name her); None once erased."""
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The file, sealed; None once removed or erased with the case."""
    removed_at: Mapped[datetime | None] = mapped_column(Moment)
    removed_by: Mapped[str | None] = mapped_column(String(200))


class TaskDraft(Base):
    """What one actor typed into a task's form and saved to finish later: hers alone,
    sealed with the case's key, dropped when the task is completed."""

    __tablename__ = "task_draft"
    __table_args__ = (UniqueConstraint("task_id", "username", name="uq_draft_task_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    username: Mapped[str] = mapped_column(String(200))
    case_code: Mapped[str] = mapped_column(String(100), index=True)
    saved_at: Mapped[datetime] = mapped_column(Moment)
    fields: Mapped[bytes] = mapped_column(LargeBinary)
    """The form's inputs as posted, name -> values, sealed."""
