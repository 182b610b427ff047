"""The brake on password guessing: a wait that doubles with each failed sign-in.

Failures are counted per user name and per client address. The first few are free (a
typo, a forgotten capital letter); after them each failure doubles the wait before the
next try, up to ``MAX_DELAY``. Nobody is locked out for good: once the wait is over the
right password goes through, and the wait one address has earned stops no other address
and no other account. A guesser gets about a hundred tries a day at one account,
however many addresses she has.

A name's failures count from her last successful sign-in, over a day, so the wait keeps
growing for a guesser who comes back after each one. An address's count over an hour:
many people share an office's address, and each of them mistypes now and then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.errors import TooManyAttempts
from engine.store.models import LoginAttempt
from engine.store.unit_of_work import UnitOfWork

FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)


@dataclass(frozen=True)
class Brake:
    """How many failures of one key are free, and over how long they are counted."""

    column: Any
    free: int
    window: timedelta
    since_success: bool
    """Count only the failures after the key's last successful sign-in."""


ACCOUNT = Brake(LoginAttempt.username, free=5, window=timedelta(days=1), since_success=True)
ADDRESS = Brake(LoginAttempt.address, free=20, window=timedelta(hours=1), since_success=False)


def delay_after(failures: int, free: int) -> timedelta:
    """The wait after ``failures``: none while free, then 30 s, 1 min, 2 min... 15 min."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - free, 16), MAX_DELAY)


def check(session: UnitOfWork, username: str, address: str, now: datetime) -> None:
    """TooManyAttempts while the name or the address still has to wait."""
    wait = max(_wait(session, ACCOUNT, username, now), _wait(session, ADDRESS, address, now))
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        minutes = math.ceil(seconds / 60)
        raise TooManyAttempts(
            f"too many failed sign-ins; try again in {minutes} min", seconds)


def _wait(session: UnitOfWork, brake: Brake, value: str, now: datetime) -> timedelta:
    since = now - brake.window
    if brake.since_success:
        last_success = session.scalar(select(func.max(LoginAttempt.at)).where(
            brake.column == value, LoginAttempt.succeeded.is_(True), LoginAttempt.at > since))
        since = max(since, last_success) if last_success else since
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at))
        .where(brake.column == value, LoginAttempt.at > since,
               LoginAttempt.succeeded.is_(False))).one()
    if not count:
        return timedelta(0)
    return last + delay_after(count, brake.free) - now
