"""The engine's only source of time.

Legal deadlines are computed from dates people enter, and timers fire when the engine
clock says so. Tests and the training mode use a :class:`ManualClock` that only moves
when told to, so a 90-day reflection period can be walked through in milliseconds.

SpiffWorkflow's timer events read ``datetime.now`` themselves; :func:`using_clock`
points them at the engine clock for the duration of a block.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    manual: bool

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC; what production uses."""

    manual = False

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until it is set or advanced."""

    manual = True

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _aware(start) if start else datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> datetime:
        self._now = _aware(moment)
        return self._now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by ``delta`` or by keyword parts (``days=90, seconds=1``)."""
        step = (delta or timedelta()) + timedelta(**parts)
        if step < timedelta():
            raise ValueError("the clock only moves forward")
        try:
            self._now += step
        except OverflowError:
            raise ValueError("the clock cannot move that far: it would pass the year "
                             "9999") from None
        return self._now


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration made of weeks, days and time parts (``P91D``, ``PT1S``).

    Years and months are refused: their length depends on the start date, and a clock
    step must be exact.
    """
    match = _DURATION.match(text.strip().upper())
    if not match:
        raise ValueError(f"not an ISO 8601 duration of weeks, days and time: {text!r}")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    try:
        return timedelta(**parts)
    except OverflowError:
        raise ValueError(f"the duration {text!r} is longer than any clock step") from None


def make_clock(kind: str, start: datetime | None = None) -> Clock:
    """Build the clock named by configuration (``system`` or ``manual``)."""
    if kind == "system":
        return SystemClock()
    if kind == "manual":
        return ManualClock(start)
    raise ValueError(f"unknown clock {kind!r}: use 'system' or 'manual'")


_SYSTEM_CLOCK = SystemClock()
_current: contextvars.ContextVar[Clock | None] = contextvars.ContextVar(
    "varnapot_clock", default=None
)


class _ClockedDatetime(datetime):
    """``datetime`` whose ``now`` asks the engine clock; installed in Spiff's timer module."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = (_current.get() or _SYSTEM_CLOCK).now()
        return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockedDatetime


@contextlib.contextmanager
def using_clock(clock: Clock) -> Iterator[Clock]:
    """Make SpiffWorkflow's timer events read ``clock`` inside the block."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
