"""Behind a reverse proxy, the brake on guessing falls on the guesser and nobody else.

Every request reaches the server from the proxy. With ``VARNAPOT_TRUSTED_PROXIES`` set,
the client's own address (from ``X-Forwarded-For``) is the one braked and the one the
access log names; unset, that header is ignored, since anyone can send it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.identity.sign_in_brake import ACCOUNT, ADDRESS
from engine.store.models import LoginAttempt
from tests.accounts import PASSWORD
from tests.web_app import csrf_of
from web import create_app
from web.common.proxies import BadProxySetting

GUESSER = "203.0.113.7"
COLLEAGUE = "198.51.100.4"


class WallClock:
    """The wall clock sign-in reads, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def wall(engine) -> WallClock:
    clock = WallClock()
    engine.credentials.wall_clock = clock
    return clock


@pytest.fixture
def proxied(app, engine) -> Flask:
    """The app as it runs behind one reverse proxy."""
    return create_app(engine=engine, SECRET_KEY="tests", TESTING=True, TRUSTED_PROXIES=1)


def try_sign_in(app: Flask, username: str, password: str, forwarded_for: str):
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_of(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post("/login", headers=headers, data={
        "username": username, "password": password, "csrf_token": token})


def attempts(engine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt))


def addresses(engine) -> set[str]:
    with engine.db.reading() as session:
        return set(session.scalars(select(LoginAttempt.address)))


def test_a_guesser_behind_the_proxy_does_not_stop_a_colleague(proxied, engine, wall):
    for number in range(ADDRESS.free):
        assert try_sign_in(proxied, f"guess-{number}", "a guess", GUESSER).status_code == 401
    braked = try_sign_in(proxied, "police", PASSWORD, GUESSER)
    assert braked.status_code == 429
    assert "Too many failed sign-ins" in braked.get_data(as_text=True)
    assert attempts(engine) == ADDRESS.free  # refused before the password was looked at
    assert try_sign_in(proxied, "coordinator", PASSWORD, COLLEAGUE).status_code == 302
    assert addresses(engine) == {GUESSER, COLLEAGUE}


def test_the_wait_of_a_guessed_name_doubles_and_then_lets_her_in(proxied, engine, wall):
    for _ in range(ACCOUNT.free):
        assert try_sign_in(proxied, "police", "a guess", GUESSER).status_code == 401
    waits = []
    for _ in range(3):
        before = attempts(engine)
        braked = try_sign_in(proxied, "police", PASSWORD, COLLEAGUE)
        assert braked.status_code == 429
        assert attempts(engine) == before
        waits.append(int(braked.headers["Retry-After"]))
        wall.now += timedelta(seconds=waits[-1])
        assert try_sign_in(proxied, "police", "a guess", GUESSER).status_code == 401
    assert waits == [30, 60, 120]
    wall.now += timedelta(seconds=240)
    assert try_sign_in(proxied, "police", PASSWORD, COLLEAGUE).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app, engine, wall):
    for number in range(ADDRESS.free):  # a new made-up address on each try
        answer = try_sign_in(app, f"guess-{number}", "a guess", f"192.0.2.{number}")
        assert answer.status_code == 401
    assert try_sign_in(app, "police", PASSWORD, COLLEAGUE).status_code == 429
    assert addresses(engine) == {"127.0.0.1"}


def test_the_access_log_names_the_client_behind_the_proxy(case, proxied, app,
                                                          engine):
    for served, forwarded, expected in ((proxied, COLLEAGUE, COLLEAGUE),
                                        (app, COLLEAGUE, "127.0.0.1")):
        client = served.test_client()
        headers = {"X-Forwarded-For": forwarded}
        token = csrf_of(client.get("/login", headers=headers).get_data(as_text=True))
        client.post("/login", headers=headers, data={
            "username": "coordinator", "password": PASSWORD, "csrf_token": token})
        assert client.get(f"/monitor/instances/{case.id}", headers=headers).status_code == 200
        assert engine.access.events()[0].source == expected


def test_a_number_of_proxies_that_is_no_number_stops_start_up(engine):
    with pytest.raises(BadProxySetting, match="VARNAPOT_TRUSTED_PROXIES"):
        create_app(engine=engine, SECRET_KEY="tests", TRUSTED_PROXIES="the load balancer")
