"""DeadlineService: the legal deadlines of every instance, and the notices handlers send.

Handlers record deadlines as effects (:mod:`engine.kit.effects`); :func:`apply_effects`
writes them in the unit of work that ran the handler, so the tracker is an indexed query
and never disagrees with the instance state. A deadline is *missed* when its action was
done after the legal date, or when the legal date has passed with the action still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text, union_all
from sqlalchemy.orm import aliased

from engine.context import EngineContext
from engine.errors import BadRequest, Conflict, NotFound
from engine.kit.effects import (
    EVERY_DAY_KINDS,
    CancelDeadline,
    Effect,
    MeetDeadline,
    Notify,
    SetDeadline,
)
from engine.kit.jurisdiction import Jurisdiction, JurisdictionError
from engine.obligations import reminders
from engine.obligations.inbox import notify
from engine.protection.plain_text import refuse_broken_text
from engine.store.case_jurisdiction import case_jurisdiction
from engine.store.keyset import SortKey, continuing, count_of, write_cursor
from engine.store.models import (
    MISSED_UNACKNOWLEDGED,
    LegalDeadline,
    Notification,
    ProcessInstance,
)
from engine.store.unit_of_work import UnitOfWork
from engine.views import DeadlineView, NotificationView

DEADLINE_STATUSES = ("open", "met", "missed", "cancelled")


MET, MET_LATE, MISSED = "met", "met_late", "missed"


def deadline_outcome(status: str, met_on: date | None) -> str:
    """How a deadline whose legal date has passed ended: met, met late (done after its
    legal date, which leaves it marked missed), or missed."""
    if status == MET:
        return MET
    return MET_LATE if met_on is not None else MISSED


def effective_status(row: LegalDeadline, today: date) -> str:
    """An open deadline whose legal date has passed is missed, whoever looks at it."""
    if row.status == "open" and today > row.legal_date:
        return "missed"
    return row.status


def deadline_view(ctx: EngineContext, row: LegalDeadline, today: date) -> DeadlineView:
    """The deadline as lists show it, flagged when the number it is counted from is not
    yet confirmed in the text of its jurisdiction's law."""
    return DeadlineView(
        id=row.id, instance_id=row.instance_id, case_code=row.case_code, kind=row.kind,
        ref=row.ref, title=row.title, owner_role=row.owner_role,
        jurisdiction=row.jurisdiction, legal_date=row.legal_date,
        latest_safe_day=row.latest_safe_day, status=effective_status(row, today),
        days_left=(row.latest_safe_day - today).days, met_on=row.met_on,
        met_by_element=row.met_by_element, cancel_reason=row.cancel_reason,
        acknowledged_at=row.acknowledged_at, acknowledged_by=row.acknowledged_by,
        unconfirmed_basis=_unconfirmed_basis(ctx, row),
    )


def _unconfirmed_basis(ctx: EngineContext, row: LegalDeadline) -> list[str]:
    try:
        place = ctx.jurisdiction_of(row.jurisdiction)
    except JurisdictionError:  # its file left the deployment: nothing to say of it
        return []
    return list(place.unconfirmed_basis(row.kind))


def apply_effects(ctx: EngineContext, session: UnitOfWork, row: ProcessInstance,
                  effects: Iterable[Effect], actor: str) -> None:
    """Write what the handlers of this unit of work recorded, with audit events."""
    effects = list(effects)
    if not effects:
        return
    named = {(e.kind, e.ref) for e in effects
             if isinstance(e, (SetDeadline, MeetDeadline, CancelDeadline))}
    known = {(d.kind, d.ref): d for d in _named_rows(session, row.id, named)}
    for effect in effects:
        if isinstance(effect, SetDeadline):
            _set(ctx, session, row, known, effect, actor)
        elif isinstance(effect, MeetDeadline):
            _meet(ctx, session, row, known, effect, actor)
        elif isinstance(effect, CancelDeadline):
            _cancel(ctx, session, row, known.get((effect.kind, effect.ref)), effect.reason,
                    actor)
        elif isinstance(effect, Notify):
            notify(ctx, session, roles=effect.roles, subject=effect.subject,
                   body=effect.body, source="procedure", actor=actor, instance_id=row.id,
                   case_code=row.case_code, element_id=effect.element_id)


def cancel_open_deadlines(ctx: EngineContext, session: UnitOfWork, row: ProcessInstance,
                          reason: str, actor: str) -> None:
    """An instance that stops (cancelled) leaves no deadline open behind it."""
    for deadline in _rows(session, row.id):
        _cancel(ctx, session, row, deadline, reason, actor)


def _rows(session: UnitOfWork, instance_id: int) -> list[LegalDeadline]:
    return list(session.scalars(select(LegalDeadline)
                                .where(LegalDeadline.instance_id == instance_id)))


def _named_rows(session: UnitOfWork, instance_id: int,
                named: set[tuple[str, str]]) -> list[LegalDeadline]:
    """The instance's deadlines the effects name, not every one it ever had: a case
    reviewed for years gathers a deadline per review."""
    if not named:
        return []
    found = session.scalars(_NAMED, {"instance_id": instance_id,
                                     "kinds": sorted({kind for kind, _ in named}),
                                     "refs": sorted({ref for _, ref in named})})
    return [d for d in found if (d.kind, d.ref) in named]


_NAMED = select(LegalDeadline).where(
    LegalDeadline.instance_id == bindparam("instance_id"),
    LegalDeadline.kind.in_(bindparam("kinds", expanding=True)),
    LegalDeadline.ref.in_(bindparam("refs", expanding=True)))
"""Built once: every completion with a deadline effect runs it."""


Known = dict[tuple[str, str], LegalDeadline]
"""The instance's deadlines by (kind, ref), including those added in this unit of work."""


def latest_safe_day(kind: str, legal_date: date, place: Jurisdiction) -> date:
    """The day the action is due by: the last working day on or before the legal date in
    ``place``, or the legal date itself for a kind that is acted on every day."""
    return legal_date if kind in EVERY_DAY_KINDS else place.latest_safe_day(legal_date)


def _set(ctx: EngineContext, session: UnitOfWork, row: ProcessInstance, known: Known,
         effect: SetDeadline, actor: str) -> None:
    now = ctx.now()
    place = case_jurisdiction(ctx, session, row.case_code)
    safe_day = latest_safe_day(effect.kind, effect.legal_date, place)
    deadline = known.get((effect.kind, effect.ref))
    new = deadline is None
    if deadline is None:
        deadline = LegalDeadline(
            instance_id=row.id, case_code=row.case_code, kind=effect.kind, ref=effect.ref,
            jurisdiction=place.code, created_at=now)
        session.add(deadline)
        known[(effect.kind, effect.ref)] = deadline
    deadline.title, deadline.owner_role = effect.title, effect.owner
    deadline.legal_date, deadline.latest_safe_day = effect.legal_date, safe_day
    deadline.status, deadline.met_on, deadline.met_by_element = "open", None, None
    deadline.cancel_reason = deadline.acknowledged_at = deadline.acknowledged_by = None
    deadline.opened_by_element, deadline.updated_at = effect.element_id, now
    session.flush()  # its id goes on the reminder rows; its dates are read for due dates
    reminders.schedule(ctx, session, deadline, replacing=not new)
    session.audit("deadline_opened", actor, instance_id=row.id,
              element_id=effect.element_id,
              detail=f"{_label(effect.kind, effect.ref)}: legal date "
                     f"{effect.legal_date.isoformat()}, latest safe day {safe_day.isoformat()}")


def _meet(ctx: EngineContext, session: UnitOfWork, row: ProcessInstance, known: Known,
          effect: MeetDeadline, actor: str) -> None:
    deadline = known.get((effect.kind, effect.ref))
    if deadline is None:
        return  # never opened: the path that would have set it was not taken
    deadline.status = "met" if effect.on <= deadline.legal_date else "missed"
    deadline.met_on, deadline.met_by_element = effect.on, effect.element_id
    deadline.updated_at = ctx.now()
    reminders.cancel(session, deadline)
    session.audit(f"deadline_{deadline.status}", actor, instance_id=row.id,
              element_id=effect.element_id,
              detail=f"{_label(effect.kind, effect.ref)}: done on {effect.on.isoformat()}, "
                     f"legal date {deadline.legal_date.isoformat()}")


def _cancel(ctx: EngineContext, session: UnitOfWork, row: ProcessInstance,
            deadline: LegalDeadline | None, reason: str, actor: str) -> None:
    if deadline is None or deadline.status != "open":
        return
    deadline.status, deadline.cancel_reason, deadline.updated_at = "cancelled", reason, ctx.now()
    reminders.cancel(session, deadline)
    session.audit("deadline_cancelled", actor, instance_id=row.id,
              detail=f"{_label(deadline.kind, deadline.ref)}: {reason}")


def _label(kind: str, ref: str) -> str:
    return f"{kind}[{ref}]" if ref else kind


def _still_to_act(today: date, kind: str | None, within_days: int | None, missed: bool,
                  case_code: str | None, owner_roles: Iterable[str] | None
                  ) -> tuple[list[list[Any]], list[Any]]:
    """The tracker's conditions: the branches of its list, and what every branch keeps
    (see :meth:`DeadlineService.tracker`)."""
    if within_days is not None and within_days < 0:
        raise BadRequest("within_days cannot be negative")
    refuse_broken_text({"kind": kind, "case": case_code}, "nothing was listed")
    if missed:
        # Two branches, each walked in order along an index of its own and merged: an
        # OR of the two would have the planner walk every missed deadline ever
        # acknowledged. The first is written as the partial index's own predicate, with
        # constants: a prepared plan cannot use the index for a parameter. The second:
        # open ones past their legal date (the latest safe day is never after it, which
        # bounds the walk). One acknowledged has left the list.
        branches = [[text(MISSED_UNACKNOWLEDGED)],
                    [LegalDeadline.status == "open", LegalDeadline.latest_safe_day < today,
                     LegalDeadline.legal_date < today, LegalDeadline.acknowledged_at.is_(None)]]
    else:
        branches = [[LegalDeadline.status == "open"]]
    common: list[Any] = []
    if kind:
        common.append(LegalDeadline.kind == kind)
    if case_code:
        common.append(LegalDeadline.case_code == case_code)
    if owner_roles is not None:
        common.append(LegalDeadline.owner_role.in_(list(owner_roles)))
    if within_days is not None:
        common.append(LegalDeadline.latest_safe_day <= today + timedelta(days=within_days))
    return branches, common


def _listed(branches: list[list[Any]], common: list[Any]) -> Any:
    """The deadlines each branch and every ``common`` condition keep; one branch is a
    plain query, several are a UNION ALL."""
    selects = [select(LegalDeadline).where(*b, *common) for b in branches]
    return selects[0] if len(selects) == 1 else union_all(*selects)


BY_SAFE_DAY = (SortKey(LegalDeadline.latest_safe_day, "date"), SortKey(LegalDeadline.id))
"""The tracker's order: the latest safe day nearest first."""


def deadline_cursor(deadline: DeadlineView) -> str:
    """Where the tracker goes on after ``deadline``: give it back as ``after``."""
    return write_cursor("safe day", [deadline.latest_safe_day, deadline.id])


class DeadlineService:
    """Reads the legal deadlines and the notification inbox."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def deadlines(self, *, case_code: str | None = None, instance_id: int | None = None,
                  kind: str | None = None, status: str | None = None,
                  owner_role: str | None = None,
                  within_days: int | None = None) -> list[DeadlineView]:
        """Deadlines sorted by latest safe day; ``status`` is the effective status."""
        if status is not None and status not in DEADLINE_STATUSES:
            raise BadRequest(f"unknown deadline status {status!r}; use one of "
                             f"{', '.join(DEADLINE_STATUSES)}")
        today = self.ctx.today()
        query = select(LegalDeadline)
        if case_code is not None:
            query = query.where(LegalDeadline.case_code == case_code)
        if instance_id is not None:
            query = query.where(LegalDeadline.instance_id == instance_id)
        if kind is not None:
            query = query.where(LegalDeadline.kind == kind)
        if owner_role is not None:
            query = query.where(LegalDeadline.owner_role == owner_role)
        if status in ("open", "missed"):
            query = query.where(LegalDeadline.status.in_(("open", "missed")))
        elif status is not None:
            query = query.where(LegalDeadline.status == status)
        if within_days is not None:
            query = query.where(LegalDeadline.latest_safe_day
                                <= today + timedelta(days=within_days))
        query = query.order_by(LegalDeadline.latest_safe_day, LegalDeadline.id)
        with self.ctx.db.reading() as session:
            views = [deadline_view(self.ctx, r, today) for r in session.scalars(query)]
        return [v for v in views if status is None or v.status == status]

    def tracker(self, *, kind: str | None = None, within_days: int | None = None,
                missed: bool = False, case_code: str | None = None,
                owner_roles: Iterable[str] | None = None, limit: int = 100,
                offset: int = 0, after: str | None = None) -> list[DeadlineView]:
        """The legal adviser's list: one page of the deadlines still to act on, by latest
        safe day, in one indexed query.

        Still to act on means open in the table, including those whose legal date has
        passed (missed, and the most urgent of all). ``missed`` keeps only those, plus
        the ones done late. ``owner_roles`` keeps the deadlines those roles own (an
        actor's own). ``after`` is the cursor of the last deadline of the page before
        (:func:`deadline_cursor`).
        """
        if not 1 <= limit <= 1000 or offset < 0:
            raise BadRequest("limit must be 1..1000 and offset at least 0")
        today = self.ctx.today()
        branches, common = _still_to_act(today, kind, within_days, missed, case_code,
                                         owner_roles)
        if after is not None:
            common.append(continuing(after, offset, "safe day", BY_SAFE_DAY))
        listed = _listed(branches, common).subquery()
        row = aliased(LegalDeadline, listed)
        with self.ctx.db.reading() as session:
            rows = session.scalars(select(row).order_by(listed.c.latest_safe_day, listed.c.id)
                                   .limit(limit).offset(offset))
            return [deadline_view(self.ctx, r, today) for r in rows]

    def count_tracker(self, *, kind: str | None = None, within_days: int | None = None,
                      missed: bool = False, case_code: str | None = None,
                      owner_roles: Iterable[str] | None = None,
                      cap: int | None = None) -> int:
        """How many deadlines :meth:`tracker` would list without paging; with ``cap``,
        counting stops after ``cap + 1`` (more than ``cap``)."""
        branches, common = _still_to_act(self.ctx.today(), kind, within_days, missed,
                                         case_code, owner_roles)
        with self.ctx.db.reading() as session:
            return session.scalar(count_of(_listed(branches, common), cap)) or 0

    def acknowledge(self, deadline_id: int, user: str) -> DeadlineView:
        """She who answers for a missed deadline took note of it (the case is handled
        another way, or the loss is recorded): it leaves the list of missed deadlines,
        and the history says who and when. Only a missed one can be acknowledged."""
        today = self.ctx.today()
        with self.ctx.db.transaction() as session:
            row = session.get(LegalDeadline, deadline_id, with_for_update=True)
            if row is None:
                raise NotFound(f"deadline {deadline_id} does not exist")
            if effective_status(row, today) != "missed":
                raise Conflict(f"deadline {deadline_id} is {effective_status(row, today)}, "
                               "not missed: there is nothing to acknowledge")
            if row.acknowledged_at is not None:
                raise Conflict(f"deadline {deadline_id} was acknowledged by "
                               f"{row.acknowledged_by} already")
            row.acknowledged_at, row.acknowledged_by = self.ctx.now(), user
            session.audit("deadline_acknowledged", user, instance_id=row.instance_id,
                          detail=f"{_label(row.kind, row.ref)}: legal date "
                                 f"{row.legal_date.isoformat()}")
            return deadline_view(self.ctx, row, today)

    def kinds(self) -> list[str]:
        """Every deadline kind recorded so far, for the tracker's filter.

        Read a kind at a time from ``ix_deadline_kind`` (the least kind, then the least
        after it, ...): a handful of index lookups, where DISTINCT would read every
        deadline ever recorded, on every page of the tracker.
        """
        found = select(func.min(LegalDeadline.kind).label("kind")).cte("kinds",
                                                                        recursive=True)
        after = (select(func.min(LegalDeadline.kind)).where(LegalDeadline.kind > found.c.kind)
                 .scalar_subquery())
        found = found.union_all(select(after).where(found.c.kind.is_not(None)))
        with self.ctx.db.reading() as session:
            return list(session.scalars(select(found.c.kind).where(found.c.kind.is_not(None))
                                        .order_by(found.c.kind)))

    def deadline(self, deadline_id: int) -> DeadlineView:
        with self.ctx.db.reading() as session:
            row = session.get(LegalDeadline, deadline_id)
            if row is None:
                raise NotFound(f"deadline {deadline_id} does not exist")
            return deadline_view(self.ctx, row, self.ctx.today())

    def notifications(self, *, role: str | None = None, instance_id: int | None = None,
                      source: str | None = None) -> list[NotificationView]:
        """Every notice sent, oldest first; a user's own view is :mod:`engine.obligations.inbox`."""
        query = select(Notification).order_by(Notification.id)
        if source is not None:
            query = query.where(Notification.source == source)
        if role is not None:
            query = query.where(Notification.role == role)
        if instance_id is not None:
            query = query.where(Notification.instance_id == instance_id)
        with self.ctx.db.reading() as session:
            return [NotificationView(
                id=n.id, instance_id=n.instance_id, case_code=n.case_code, role=n.role,
                subject=n.subject, body=n.body, element_id=n.element_id, source=n.source,
                created_at=n.created_at)
                for n in session.scalars(query)]
