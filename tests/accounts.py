"""The people who sign in during web and browser tests: one user per role, one password."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update

from engine import ProcessEngine
from engine.store.models import UserAccount

PASSWORD = "a long enough password"

_hashes: list[str] = []
"""The engine's hash of PASSWORD, made once per run: argon2 takes ~0.4 s a hash on purpose."""


def username_of(role: str) -> str:
    """Each role's user is named after it: ``first_line`` signs in as ``first-line``."""
    return role.replace("_", "-")


def add_users(engine: ProcessEngine, roles: Iterable[str]) -> None:
    """A user holding only ``role``, with :data:`PASSWORD`, for each of ``roles``.

    The first password of the run is set through the engine; the other users get a copy
    of that hash, which signs in the same way.
    """
    names = []
    for role in roles:
        names.append(username_of(role))
        engine.users.add(names[-1], [role])
    if not names:
        return
    if not _hashes:
        engine.credentials.set_password(names[0], PASSWORD, by="tests")
        with engine.db.reading() as session:
            _hashes.append(session.scalar(select(UserAccount.password_hash)
                                          .where(UserAccount.username == names[0])))
    with engine.db.transaction() as session:
        session.execute(update(UserAccount).where(UserAccount.username.in_(names))
                        .values(password_hash=_hashes[0]))
