"""Notifications: written for a role, read per user in her inbox, mailed when configured.

:func:`notify` is the one place a notice is written, whether a handler of a procedure
asked for it or a deadline's reminder or escalation fired; it queues the e-mails in the
same unit of work (:mod:`engine.obligations.mail`). :class:`InboxService` is what a user sees: the
notices of the roles she holds, each read or unread by her alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, select

from engine.context import EngineContext
from engine.errors import BadRequest, NotFound
from engine.identity.users import holders
from engine.obligations import mail
from engine.store.models import Notification, NotificationRead, UserAccount, UserRole
from engine.store.unit_of_work import UnitOfWork
from engine.views import InboxItem

SOURCES = ("procedure", "reminder", "escalation", "consent", "training")


def notify(ctx: EngineContext, session: UnitOfWork, *, roles: Iterable[str], subject: str,
           body: str, source: str, actor: str, instance_id: int | None = None,
           case_code: str | None = None, element_id: str | None = None) -> None:
    """Write one notice per role, audit it and queue its e-mails."""
    mailed: set[int] = set()  # who holds two of the roles gets one e-mail
    for role in dict.fromkeys(roles):
        notification = Notification(instance_id=instance_id, case_code=case_code, role=role,
                                    subject=subject, body=body, element_id=element_id,
                                    source=source, created_at=ctx.now())
        session.add(notification)
        if ctx.mail is not None:
            recipients = [u for u in holders(session, role) if u.id not in mailed]
            mailed.update(u.id for u in recipients)
            mail.enqueue(ctx, session, notification, recipients)
        session.audit("notification_sent", actor, instance_id=instance_id,
                  element_id=element_id, detail=f"{role}: {subject}")


class InboxService:
    """One user's inbox: the notices to her roles, newest first, read or unread by her."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx

    def post(self, roles: Iterable[str], subject: str, body: str, *, source: str,
             actor: str, case_code: str | None = None) -> None:
        """A notice from outside the procedures (a training event), in its own unit of
        work, to every holder of ``roles``."""
        if source not in SOURCES:
            raise BadRequest(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
        with self.ctx.db.transaction() as session:
            notify(self.ctx, session, roles=roles, subject=subject, body=body, source=source,
                   actor=actor, case_code=case_code)

    def inbox(self, username: str, *, unread: bool = False, source: str | None = None,
              limit: int = 100) -> list[InboxItem]:
        if source is not None and source not in SOURCES:
            raise BadRequest(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
        if limit < 1:
            raise BadRequest("limit must be at least 1")
        with self.ctx.db.reading() as session:
            user = _user(session, username)
            query = self._query(user.id).order_by(Notification.id.desc()).limit(limit)
            if unread:
                query = query.where(NotificationRead.read_at.is_(None))
            if source is not None:
                query = query.where(Notification.source == source)
            return [_item(n, read_at) for n, read_at in session.execute(query)]

    def unread_count(self, username: str) -> int:
        with self.ctx.db.reading() as session:
            user = _user(session, username)
            subquery = self._query(user.id).where(NotificationRead.read_at.is_(None)).subquery()
            return session.scalar(select(func.count()).select_from(subquery)) or 0

    def mark_read(self, username: str, notification_ids: Iterable[int] | None = None) -> int:
        """Mark some notices (all unread ones when ``None``) read; how many changed.

        A notice that is not in her inbox is refused as unknown, and nothing is marked.
        """
        with self.ctx.db.transaction() as session:
            user = _user(session, username)
            if notification_ids is None:
                query = self._query(user.id).where(NotificationRead.read_at.is_(None))
                rows = {n.id: read_at for n, read_at in session.execute(query)}
            else:
                rows = self._in_inbox(session, user, notification_ids)
            now = self.ctx.now()
            fresh = [i for i, read_at in rows.items() if read_at is None]
            session.add_all(NotificationRead(notification_id=i, user_id=user.id, read_at=now)
                            for i in fresh)
            return len(fresh)

    def mark_unread(self, username: str, notification_ids: Iterable[int]) -> int:
        """Put notices back as unread, to deal with later."""
        with self.ctx.db.transaction() as session:
            user = _user(session, username)
            read = [i for i, read_at in self._in_inbox(session, user, notification_ids).items()
                    if read_at is not None]
            for receipt in session.scalars(select(NotificationRead).where(
                    NotificationRead.user_id == user.id,
                    NotificationRead.notification_id.in_(read))):
                session.delete(receipt)
            return len(read)

    def _in_inbox(self, session: UnitOfWork, user: UserAccount,
                  notification_ids: Iterable[int]) -> dict[int, datetime | None]:
        """Her read time of each notice; refused if one is not in her inbox."""
        wanted = set(notification_ids)
        rows = {n.id: read_at for n, read_at in session.execute(
            self._query(user.id).where(Notification.id.in_(wanted)))}
        missing = sorted(wanted - set(rows))
        if missing:
            raise NotFound(f"notification {missing[0]} is not in the inbox of {user.username}")
        return rows

    @staticmethod
    def _query(user_id: int):  # type: ignore[no-untyped-def]
        """Notices to the roles the user holds, with her read time (NULL when unread)."""
        roles = select(UserRole.role).where(UserRole.user_id == user_id)
        return (select(Notification, NotificationRead.read_at)
                .outerjoin(NotificationRead, and_(
                    NotificationRead.notification_id == Notification.id,
                    NotificationRead.user_id == user_id))
                .where(Notification.role.in_(roles)))


def _user(session: UnitOfWork, username: str) -> UserAccount:
    user = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


def _item(notification: Notification, read_at: datetime | None) -> InboxItem:
    return InboxItem(id=notification.id, role=notification.role,
                     case_code=notification.case_code, subject=notification.subject,
                     body=notification.body, source=notification.source,
                     created_at=notification.created_at, read_at=read_at,
                     instance_id=notification.instance_id)
