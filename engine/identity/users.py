"""UserService: the people who sign in, the roles they hold and where they get e-mail.

A notification goes to a role (the lane that owns the work); the users holding that role
each read it in their own inbox and, with SMTP configured, get it by e-mail. Passwords,
sign-in and API tokens are :mod:`engine.identity.credentials`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sqlalchemy import select

from engine.context import EngineContext
from engine.errors import BadRequest, Conflict, Forbidden, NotFound
from engine.kit.roles import ROLES
from engine.store.models import UserAccount, UserRole
from engine.store.unit_of_work import UnitOfWork
from engine.views import UserView

ADMIN = "admin"
TRAINER = "trainer"
"""Opens training workspaces, moves their clocks, reads their debriefs: no lane of its own,
and nothing of live cases."""
"""Manages users and definitions; not a lane of any procedure."""
USER_ROLES = (*ROLES, ADMIN, TRAINER)
MONITORS = ("coordinator", ADMIN)
"""Who starts, suspends, resumes, cancels and retries procedures, by any door."""
PUBLISHERS = ("policy_analyst", ADMIN)
"""Who deploys diagrams, by any door."""
MIGRATORS = ("policy_analyst", "coordinator", ADMIN)
"""Who moves running instances to another version: those who publish the versions and
those who run the instances. A move names elements and versions, nothing of a case."""


def lanes(roles: Iterable[str]) -> list[str]:
    """The roles whose tasks she works on: every role but ``admin`` and ``trainer``, which
    have no lane."""
    return [role for role in roles if role not in (ADMIN, TRAINER)]

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")


def check_roles(roles: Iterable[str]) -> list[str]:
    """The roles, without repeats, each a DOMAIN role key or ``admin``."""
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise BadRequest("a user needs at least one role")
    unknown = [r for r in roles if r not in USER_ROLES]
    if unknown:
        raise BadRequest(f"unknown role {unknown[0]!r}; use one of {', '.join(USER_ROLES)}")
    return roles


def check_email(email: str | None) -> str | None:
    if email is None or email.strip() == "":
        return None
    email = email.strip()
    if not _EMAIL.fullmatch(email):
        raise BadRequest(f"{email!r} is not an e-mail address (name@example.org)")
    return email


def user_view(user: UserAccount, roles: list[str]) -> UserView:
    return UserView(username=user.username, display_name=user.display_name,
                    email=user.email, roles=sorted(roles), active=user.active,
                    created_at=user.created_at, language=user.language)


class UserService:
    def __init__(self, ctx: EngineContext,
                 on_change: Callable[[int], None] | None = None) -> None:
        """``on_change`` hears the id of a user whose roles or standing changed, once
        committed (the API's token cache forgets her)."""
        self.ctx = ctx
        self.on_change = on_change

    def add(self, username: str, roles: Iterable[str], *, email: str | None = None,
            display_name: str | None = None, by: str = ADMIN) -> UserView:
        """Create a user; every input is checked before anything is written."""
        if not _USERNAME.fullmatch(username):
            raise BadRequest(f"{username!r} is not a valid user name: 2-64 lower-case "
                             "letters, digits, '.', '_' or '-', starting with a letter or digit")
        roles = check_roles(roles)
        email = check_email(email)
        with self.ctx.db.transaction() as session:
            if session.scalar(select(UserAccount.id)
                              .where(UserAccount.username == username)) is not None:
                raise Conflict(f"user {username!r} already exists")
            user = UserAccount(username=username, display_name=display_name or username,
                               email=email, active=True, created_at=self.ctx.now())
            session.add(user)
            session.flush()
            session.add_all(UserRole(user_id=user.id, role=role) for role in roles)
            session.audit("user_added", by,
                           detail=f"{username}: {', '.join(roles)}")
            return user_view(user, roles)

    def update(self, username: str, *, roles: Iterable[str] | None = None,
               email: str | None = None, active: bool | None = None,
               by: str = ADMIN) -> UserView:
        """Change roles, e-mail (an empty string removes it) or whether she may act."""
        checked_roles = check_roles(roles) if roles is not None else None
        checked_email = check_email(email) if email is not None else None
        with self.ctx.db.transaction() as session:
            user = user_named(session, username)
            changes = []
            if checked_roles is not None:
                for link in session.scalars(select(UserRole)
                                            .where(UserRole.user_id == user.id)):
                    session.delete(link)
                session.flush()
                session.add_all(UserRole(user_id=user.id, role=r) for r in checked_roles)
                user.session_generation += 1  # she signs in again, under her new roles
                changes.append(f"roles {', '.join(checked_roles)}")
            if email is not None:
                user.email = checked_email
                changes.append("e-mail")
            if active is not None:
                if not active:
                    user.session_generation += 1  # her sessions stay ended if reactivated
                user.active = active
                changes.append("active" if active else "deactivated")
            session.audit("user_changed", by,
                           detail=f"{username}: {'; '.join(changes) or 'nothing'}")
            session.flush()
            view = user_view(user, roles_of(session, user.id))
        if self.on_change is not None:
            self.on_change(user.id)
        return view

    def get(self, username: str) -> UserView:
        with self.ctx.db.reading() as session:
            user = user_named(session, username)
            return user_view(user, roles_of(session, user.id))

    def acting(self, username: str) -> UserView:
        """The user a command acts as: she must exist and may act, as at sign-in, so
        that no one is written into the history or the access log who is not her."""
        user = self.get(username)
        if not user.active:
            raise Forbidden(f"user {username!r} is deactivated")
        return user

    def users(self, *, role: str | None = None) -> list[UserView]:
        query = select(UserAccount).order_by(UserAccount.username)
        if role is not None:
            check_roles([role])
            query = query.join(UserRole, UserRole.user_id == UserAccount.id).where(
                UserRole.role == role)
        with self.ctx.db.reading() as session:
            return [user_view(u, roles_of(session, u.id)) for u in session.scalars(query)]




def user_named(session: UnitOfWork, username: str) -> UserAccount:
    user = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


def roles_of(session: UnitOfWork, user_id: int) -> list[str]:
    return list(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def holders(session: UnitOfWork, role: str) -> list[UserAccount]:
    """The active users holding ``role``, who receive its notifications."""
    return list(session.scalars(
        select(UserAccount).join(UserRole, UserRole.user_id == UserAccount.id)
        .where(UserRole.role == role, UserAccount.active.is_(True))
        .order_by(UserAccount.id)))
