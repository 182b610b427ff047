"""Passwords, the brake on guessing, and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.errors import BadRequest, NotFound, TooManyAttempts, Unauthorized
from engine.identity.credentials import REFUSED, CredentialService
from engine.identity.sign_in_brake import ACCOUNT, ADDRESS, MAX_DELAY, delay_after
from engine.store.models import ApiToken, LoginAttempt, UserAccount

PASSWORD = "correct horse battery"


class WallClock:
    """The wall clock sign-in reads, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def credentials(engine, wall) -> CredentialService:
    engine.users.add("ana", ["police"])
    engine.users.add("bea", ["coordinator"])
    service = CredentialService(engine.ctx, wall_clock=wall)
    service.set_password("ana", PASSWORD, by="admin")
    service.set_password("bea", PASSWORD, by="admin")
    return service


def stored_hash(engine, username):
    with engine.db.reading() as session:
        return session.scalar(select(UserAccount.password_hash)
                              .where(UserAccount.username == username))


def attempts(engine):
    with engine.db.reading() as session:
        return [(a.username, a.succeeded) for a in session.scalars(
            select(LoginAttempt).order_by(LoginAttempt.id))]


def test_the_password_is_stored_as_an_argon2_hash_and_signs_her_in(engine, credentials):
    assert stored_hash(engine, "ana").startswith("$argon2id$")
    assert PASSWORD not in stored_hash(engine, "ana")
    user = credentials.sign_in("ana", PASSWORD, "10.0.0.1")
    assert (user.username, user.roles) == ("ana", ["police"])
    assert attempts(engine) == [("ana", True)]


def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(engine, credentials):
    with pytest.raises(Unauthorized) as wrong:
        credentials.sign_in("ana", "not her password", "10.0.0.1")
    with pytest.raises(Unauthorized) as unknown:
        credentials.sign_in("nobody", PASSWORD, "10.0.0.1")
    assert wrong.value.message == unknown.value.message == REFUSED
    assert attempts(engine) == [("ana", False), ("nobody", False)]


def test_a_short_password_is_refused_and_the_old_one_kept(engine, credentials):
    before = stored_hash(engine, "ana")
    with pytest.raises(BadRequest, match="at least 12 characters"):
        credentials.set_password("ana", "short", by="admin")
    assert stored_hash(engine, "ana") == before
    with pytest.raises(NotFound):
        credentials.set_password("nobody", PASSWORD, by="admin")


def test_a_deactivated_user_cannot_sign_in(engine, credentials):
    engine.users.update("ana", active=False)
    with pytest.raises(Unauthorized):
        credentials.sign_in("ana", PASSWORD, "10.0.0.1")


def test_each_failure_past_the_free_ones_doubles_the_wait_of_the_name(engine, credentials,
                                                                      wall):
    for _ in range(ACCOUNT.free):
        with pytest.raises(Unauthorized):
            credentials.sign_in("ana", "a guess at it", "10.0.0.9")
    waits = []
    for _ in range(4):
        before = attempts(engine)
        with pytest.raises(TooManyAttempts) as braked:
            credentials.sign_in("ana", PASSWORD, "10.0.0.1")  # the right one, elsewhere
        assert attempts(engine) == before  # a braked try is not even counted
        waits.append(braked.value.retry_after)
        wall.now += timedelta(seconds=braked.value.retry_after)
        with pytest.raises(Unauthorized):
            credentials.sign_in("ana", "another guess", "10.0.0.9")
    assert waits == [30, 60, 120, 240]
    assert credentials.sign_in("bea", PASSWORD, "10.0.0.9").username == "bea"
    wall.now += timedelta(seconds=480)
    assert credentials.sign_in("ana", PASSWORD, "10.0.0.1").username == "ana"
    with pytest.raises(Unauthorized):  # her success starts the count again
        credentials.sign_in("ana", "a typo", "10.0.0.1")
    assert credentials.sign_in("ana", PASSWORD, "10.0.0.1").username == "ana"


def test_the_wait_stops_growing_at_its_cap():
    assert [delay_after(n, 5).total_seconds() for n in (4, 5, 6, 9)] == [0, 30, 60, 480]
    assert delay_after(10, 5) == delay_after(10_000, 5) == MAX_DELAY


def test_failures_from_one_address_slow_that_address_and_no_other(engine, credentials,
                                                                   wall):
    for number in range(ADDRESS.free):
        with pytest.raises(Unauthorized):
            credentials.sign_in(f"guess-{number}", "a guess at it", "203.0.113.7")
    with pytest.raises(TooManyAttempts):
        credentials.sign_in("bea", PASSWORD, "203.0.113.7")
    assert credentials.sign_in("bea", PASSWORD, "198.51.100.4").username == "bea"
    assert credentials.sign_in("ana", PASSWORD, "198.51.100.4").username == "ana"
    wall.now += ADDRESS.window
    assert credentials.sign_in("bea", PASSWORD, "203.0.113.7").username == "bea"


def test_a_token_is_stored_hashed_works_until_revoked(engine, credentials):
    made = credentials.create_token("ana", "laptop", by="admin")
    with engine.db.reading() as session:
        (row,) = session.scalars(select(ApiToken))
        assert made.token not in row.token_hash and len(row.token_hash) == 64
    assert credentials.user_for_token(made.token).username == "ana"
    with pytest.raises(Unauthorized):
        credentials.user_for_token(made.token[:-1] + "x")
    assert credentials.revoke_tokens("ana", by="admin") == 1
    with pytest.raises(Unauthorized):
        credentials.user_for_token(made.token)


def test_a_token_remembers_when_it_was_last_used_to_the_minute(engine, credentials, wall):
    """Each API call reads its token; writing the moment back each time would make every
    read a write, so the moment is kept to the minute."""
    made = credentials.create_token("ana", "laptop", by="admin")

    def last_used():
        with engine.db.reading() as session:
            return session.scalar(select(ApiToken.last_used_at))

    credentials.user_for_token(made.token)
    first = last_used()
    assert first is not None
    wall.now += timedelta(seconds=50)
    credentials.user_for_token(made.token)
    assert last_used() == first
    wall.now += timedelta(seconds=20)
    credentials.user_for_token(made.token)
    assert last_used() > first
