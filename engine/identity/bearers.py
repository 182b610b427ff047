"""Bearer tokens this process has recently seen, so an API request needs no transaction
of its own to learn who sent it.

Without this, every API call opens a transaction to read its token, its user and her
roles before doing its work in a second one: on SQLite the first even queued for the
write lock. Now a token read once is kept for :data:`TTL` seconds, under the SHA-256
of the token (the token itself is not kept).

What the time-to-live allows, and what it does not:

- A token revoked, or a user deactivated or given other roles, in *this* process is
  forgotten at once.
- In another process the old entry may still let that token *read* for up to ``TTL``
  seconds. It cannot *change* anything: a completion checks the token again inside its
  own transaction (:meth:`Bearer.roles_now`), in the query that reads the task
  (:data:`TOKEN_STATE`), and is refused if the token was revoked or she was deactivated;
  if her roles changed, the completion is judged by the roles she holds now.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select

from engine.errors import Unauthorized
from engine.identity.users import roles_of
from engine.store.models import ApiToken, UserAccount
from engine.store.unit_of_work import UnitOfWork
from engine.views import UserView

TTL = timedelta(seconds=5)
CAPACITY = 4096
INVALID = "the bearer token is not valid"
TOKEN_STATE = (select(ApiToken.id.label("token_id"), ApiToken.revoked_at, UserAccount.active,
                      UserAccount.session_generation)
               .join(UserAccount, UserAccount.id == ApiToken.user_id))
"""A token's standing now: revoked or not, her account active or not, her session
generation. A query that already reads other rows joins it by ``token_id``."""


@dataclass(frozen=True)
class Bearer:
    """Who a token speaks for, as read at ``read_at``."""

    user: UserView
    token_id: int
    user_id: int
    generation: int
    """Her session generation then: raised by a new password, new roles, deactivation
    and signing out."""
    scope: str
    read_at: datetime

    def roles_now(self, session: UnitOfWork, found: Row[Any] | None = None) -> list[str]:
        """Her roles as the database holds them in ``session``'s transaction; Unauthorized
        if the token was revoked or she may no longer act.

        ``found`` is the token's :data:`TOKEN_STATE` row when the caller's own query read
        it; otherwise it is read here. Nothing more is read unless her roles changed."""
        if found is None:
            found = session.execute(
                TOKEN_STATE.where(ApiToken.id == self.token_id)).one_or_none()
        if found is None or found.revoked_at is not None or not found.active:
            raise Unauthorized(INVALID)
        if found.session_generation == self.generation:
            return list(self.user.roles)
        return roles_of(session, self.user_id)


class BearerCache:
    """A bounded, thread-safe map of token digest to :class:`Bearer`, each for ``TTL``."""

    def __init__(self, ttl: timedelta = TTL, capacity: int = CAPACITY) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self._entries: OrderedDict[str, Bearer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str, now: datetime) -> Bearer | None:
        with self._lock:
            bearer = self._entries.get(digest)
            if bearer is None:
                return None
            if not bearer.read_at <= now < bearer.read_at + self.ttl:
                del self._entries[digest]
                return None
            return bearer

    def put(self, digest: str, bearer: Bearer) -> None:
        with self._lock:
            self._entries[digest] = bearer
            self._entries.move_to_end(digest)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def forget_user(self, user_id: int) -> None:
        """Her tokens are read again on their next use (revoked, new roles, deactivated)."""
        with self._lock:
            for digest in [d for d, b in self._entries.items() if b.user_id == user_id]:
                del self._entries[digest]
