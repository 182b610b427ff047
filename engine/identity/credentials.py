"""CredentialService: passwords, sign-in with a brake on guessing, and API tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults), so a copy of the database
does not give them away. API tokens are long random strings: a fast SHA-256 of each is
enough to make the stored value useless, and lets every API request find its token with
one indexed lookup. A token is shown once, when it is made.

Failed sign-ins are written down. After a few for one user name, or from one client
address, each further failure doubles the wait before that name or address may try
again, even with the right password (:mod:`engine.identity.sign_in_brake`): guessing becomes
slow whichever of the two the guesser varies, and no one can lock anyone else out.

A browser session carries her user name and her session generation. Signing out,
a new password, a change of roles and deactivation raise the generation, so every
session she has, and every copy of its cookie, ends at once.

Sign-in is security, not procedure: it runs on the wall clock, never on the engine's
settable clock, which a training installation moves by months.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from engine.context import EngineContext
from engine.errors import BadRequest, Unauthorized
from engine.identity import sign_in_brake
from engine.identity.bearers import INVALID, Bearer, BearerCache
from engine.identity.password_policy import check_password, personal_words, weakness
from engine.identity.users import roles_of, user_named, user_view
from engine.store.models import ApiToken, LoginAttempt, UserAccount
from engine.store.unit_of_work import UnitOfWork
from engine.views import UserView

REFUSED = "wrong user name or password"
"""The same words whether the name exists or not: they must not tell which."""

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password no one has")
"""Verified against when the name is unknown, so an unknown name takes as long."""


API = "api"
CALENDAR = "calendar"
SCOPES = (API, CALENDAR)
"""What a token opens: the REST API (a header), or the calendar feed alone (a URL)."""

LAST_USED_GRANULARITY = timedelta(minutes=1)
"""How stale a token's ``last_used_at`` may get: enough to tell an unused one apart."""


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def generate_password(*names: str | None) -> str:
    """A random password of 16 URL-safe characters (about 96 bits) that the policy takes:
    one in a million would happen to hold her name, and is drawn again."""
    while True:
        password = secrets.token_urlsafe(12)
        if weakness(password, personal_words(*names)) is None:
            return password


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignedIn(UserView):
    """Her account as sign-in found it, with the id her session cookie is to carry."""

    session_id: str = ""


def session_id(user: UserAccount) -> str:
    """``name:generation``: a session stays good while her generation stays the same."""
    return f"{user.username}:{user.session_generation}"


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``token`` is shown this once and never stored."""

    token: str
    username: str
    label: str
    scope: str = "api"


class CredentialService:
    def __init__(self, ctx: EngineContext,
                 wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 bearers: BearerCache | None = None) -> None:
        self.ctx = ctx
        self.wall_clock = wall_clock
        self.bearers = bearers or BearerCache()
        """Shared with the user service, which forgets her tokens when her roles change."""

    # --- passwords ---------------------------------------------------------------------

    def set_password(self, username: str, password: str, *, by: str) -> None:
        """Her new password, if :mod:`engine.identity.password_policy` takes it; else
        nothing changes."""
        with self.ctx.db.reading() as session:
            display_name = user_named(session, username).display_name
        check_password(password, personal_words(username, display_name))
        hashed = _hasher.hash(password)
        with self.ctx.db.transaction() as session:
            user = user_named(session, username)
            user.password_hash = hashed
            user.session_generation += 1  # whoever held her old password is signed out
            # ... and loses what that password let them make: API tokens, calendar address
            self._revoke(session, user.id)
            session.audit("password_set", by, detail=username)
        self.bearers.forget_user(user.id)

    def sign_in(self, username: str, password: str, address: str) -> SignedIn:
        """The user, if the password is hers and neither she nor the address is braked."""
        now = self.wall_clock()
        address = (address or "unknown")[:64]
        with self.ctx.db.transaction() as session:
            sign_in_brake.check(session, username, address, now)
            user = session.scalar(select(UserAccount).where(UserAccount.username == username))
            valid = _verify(user.password_hash if user else None, password)
            ok = valid and user is not None and user.active
            # Written before refusing: a failure must count even though nothing else does.
            session.add(LoginAttempt(username=username[:64], address=address, at=now,
                                     succeeded=ok))
            view = None
            if ok and user is not None:
                if _hasher.check_needs_rehash(user.password_hash or ""):
                    user.password_hash = _hasher.hash(password)
                view = SignedIn(**vars(user_view(user, roles_of(session, user.id))),
                                session_id=session_id(user))
        if view is None:
            raise Unauthorized(REFUSED)
        return view

    # --- API tokens --------------------------------------------------------------------

    def create_token(self, username: str, label: str, *, scope: str = API,
                     by: str) -> NewToken:
        """A new token for ``scope``: ``api`` for the REST API, ``calendar`` for the feed.

        She has one calendar address: a new one ends the ones before, so an address that
        leaked (a shared calendar, a lost phone) is closed by making a new one.
        """
        if scope not in SCOPES:
            raise BadRequest(f"unknown token scope {scope!r}; use one of {', '.join(SCOPES)}")
        token = secrets.token_urlsafe(32)
        with self.ctx.db.transaction() as session:
            user = user_named(session, username)
            if scope == CALENDAR:
                self._revoke(session, user.id, CALENDAR)
            session.add(ApiToken(user_id=user.id, token_hash=token_digest(token),
                                 label=label or scope, scope=scope,
                                 created_at=self.wall_clock()))
            session.audit("token_created", by,
                           detail=f"{username}: {label} ({scope})")
        if scope == CALENDAR:
            self.bearers.forget_user(user.id)
        return NewToken(token, username, label, scope)

    def user_for_token(self, token: str, scope: str = API) -> UserView:
        """The active user the token belongs to, if it was made for ``scope``."""
        return self.bearer(token, scope).user

    def bearer(self, token: str, scope: str = API) -> Bearer:
        """Who the token speaks for, if it was made for ``scope`` and still works: from
        this process's :class:`BearerCache` when read in the last seconds.

        Unauthorized for any other token: a calendar address, which travels in URLs and
        calendar apps, must never open her cases through the API.
        """
        if not token:
            raise Unauthorized("a bearer token is needed")
        digest, now = token_digest(token), self.wall_clock()
        bearer = self.bearers.get(digest, now)
        if bearer is None:
            bearer = self._read_bearer(digest, now)
            self.bearers.put(digest, bearer)
        if bearer.scope != scope:
            raise Unauthorized(INVALID)
        return bearer

    def _read_bearer(self, digest: str, now: datetime) -> Bearer:
        """The token's row, her account and roles in one read-only unit; the moment it
        was last used is written back once a minute, not on every call."""
        with self.ctx.db.reading() as session:
            found = session.execute(
                select(ApiToken, UserAccount)
                .join(UserAccount, UserAccount.id == ApiToken.user_id)
                .where(ApiToken.token_hash == digest)).one_or_none()
            if found is None or found[0].revoked_at is not None or not found[1].active:
                raise Unauthorized(INVALID)
            api_token, user = found
            bearer = Bearer(user_view(user, roles_of(session, user.id)), api_token.id,
                            user.id, user.session_generation, api_token.scope, now)
            last = api_token.last_used_at
        if last is None or now - _aware(last) >= LAST_USED_GRANULARITY:
            with self.ctx.db.transaction() as session:
                session.execute(update(ApiToken).where(ApiToken.id == bearer.token_id)
                                .values(last_used_at=now))
        return bearer

    def revoke_tokens(self, username: str, *, by: str) -> int:
        with self.ctx.db.transaction() as session:
            user = user_named(session, username)
            revoked = self._revoke(session, user.id)
            session.audit("tokens_revoked", by, detail=f"{username}: {revoked}")
        self.bearers.forget_user(user.id)
        return revoked

    def _revoke(self, session: UnitOfWork, user_id: int, scope: str | None = None) -> int:
        """End her tokens that still work (of ``scope``, or all); return how many."""
        query = select(ApiToken).where(ApiToken.user_id == user_id,
                                       ApiToken.revoked_at.is_(None))
        if scope is not None:
            query = query.where(ApiToken.scope == scope)
        tokens = list(session.scalars(query))
        for api_token in tokens:
            api_token.revoked_at = self.wall_clock()
        return len(tokens)

    # --- the session's user ------------------------------------------------------------

    def session_user(self, cookie_id: str) -> UserView | None:
        """The user a browser session names, if she may still act and it is not ended."""
        username, _, generation = cookie_id.rpartition(":")
        if not username or not generation.isdigit():
            return None  # a cookie from before sessions could be ended
        with self.ctx.db.reading() as db_session:
            user = db_session.scalar(select(UserAccount)
                                     .where(UserAccount.username == username))
            if user is None or not user.active or user.session_generation != int(generation):
                return None
            return user_view(user, roles_of(db_session, user.id))

    def end_sessions(self, username: str, *, by: str) -> None:
        """End every session she has, on every browser, and every copy of their cookies."""
        with self.ctx.db.transaction() as session:
            user = user_named(session, username)
            user.session_generation += 1
            session.audit("sessions_ended", by, detail=username)
        self.bearers.forget_user(user.id)

    def set_language(self, username: str, language: str | None) -> None:
        with self.ctx.db.transaction() as session:
            user_named(session, username).language = language

    def language(self, username: str) -> str | None:
        with self.ctx.db.reading() as session:
            return session.scalar(select(UserAccount.language)
                                  .where(UserAccount.username == username))


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
