"""The access log: every read of a case's personal data, and every refused attempt.

Each event says who (user and roles), when, which case, which fields (names, never
values), what was read and from where. Events are append-only in the database, and
chained: each carries the SHA-256 of the one before it and of itself, and its number
follows the last one's, so :meth:`AccessLog.verify` finds an event changed, removed or
slipped in.

The chain runs in lanes (``LANES``), each a whole chain with its own head row. A writer
locks the first lane no one else holds, so readers at the same moment each take a lane
instead of queueing on one row; only when every lane is held does one wait. A lane is as
strong as the single chain was: its events are numbered without gaps and linked one to
the next, and it starts from its own genesis, so events cannot be moved between lanes.

Each link is an HMAC-SHA256 under a key derived from the master key, so someone who can
write to the database but does not hold the master key cannot rewrite the chain. One who
drops the newest events and moves a head back leaves a shorter chain that still holds:
``varnapot audit verify`` prints the heads as one line (``access-log-head COUNTS HASH``,
the events in each lane and one hash over the lanes' last links) for an office to file
every day, and ``--head`` checks the chain against a filed one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, tuple_, update

from engine.context import EngineContext
from engine.store.models import AccessChain, AccessEvent
from engine.store.unit_of_work import UnitOfWork
from engine.views import View

GENESIS = "0" * 64
GRANTED, REFUSED = "granted", "refused"
BATCH = 1000
LANES = 8
"""As many readers can log at the same moment without waiting (migration 0021)."""


@dataclass(frozen=True)
class Reader:
    """Who reads: her user name and roles, and where the request came from."""

    username: str
    roles: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class AccessView(View):
    id: int
    at: datetime
    username: str
    roles: list[str]
    case_code: str
    fields: list[str]
    what: str
    source: str
    outcome: str


@dataclass(frozen=True)
class ChainCheck(View):
    intact: bool
    events: int
    head: str
    """One hash over the lanes' last links (with one lane, its last link)."""
    lanes: tuple[int, ...] = ()
    """How many events each lane holds, lane 1 first, without empty lanes at the end."""
    problem: str | None = None
    """The first thing found wrong, with the event's lane and number."""


CHAIN_KEY_PURPOSE = "access log chain"


class AccessLog:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.chain_key = ctx.vault.keyring.derived(CHAIN_KEY_PURPOSE)
        if _write_noted not in ctx.db.hooks.before_commit:
            ctx.db.hooks.before_commit.append(_write_noted)

    def record(self, reader: Reader, case_code: str, fields: Sequence[str], what: str,
               outcome: str = GRANTED) -> None:
        """Add one event in a unit of work of its own."""
        with self.ctx.db.transaction() as session:
            self.record_in(session, reader, case_code, fields, what, outcome)

    def record_in(self, session: UnitOfWork, reader: Reader, case_code: str,
                  fields: Sequence[str], what: str, outcome: str = GRANTED) -> None:
        """Add one event inside the caller's unit of work, after its lane's last.

        Its lane is locked now and the event linked to the lane's last; the event and the
        lane's new head are written just before the commit, by statements of their own
        (:func:`_write_noted`): every page that shows her data logs a read, and the
        session's flush of one row cost readers at the same moment more than the
        database did.
        """
        if session.reads_only:
            raise RuntimeError("a unit of work that only reads cannot log a read")
        lane, last_id, last_hash = _free_lane(session)
        last_id, last_hash = session.notes.access_heads.get(lane, (last_id, last_hash))
        event = AccessEvent(
            lane=lane, number=last_id + 1, at=self.ctx.now().astimezone(UTC),
            username=reader.username, roles=",".join(reader.roles), case_code=case_code,
            fields=sorted(fields), what=what[:300], source=reader.source[:200],
            outcome=outcome, previous_hash=last_hash)
        event.hash = event_hash(event, self.chain_key)
        session.notes.access_events.append({column: getattr(event, column)
                                            for column in _WRITTEN})
        session.notes.access_heads[lane] = event.number, event.hash

    def events(self, *, case_code: str | None = None, limit: int = 200) -> list[AccessView]:
        """The newest events first, of one case or of all."""
        query = select(AccessEvent).order_by(AccessEvent.id.desc()).limit(limit)
        if case_code is not None:
            query = query.where(AccessEvent.case_code == case_code)
        with self.ctx.db.reading() as session:
            return [_view(e) for e in session.scalars(query)]

    def verify(self, filed: str | None = None) -> ChainCheck:
        """Walk every lane from its first event and check every link and its head.

        ``filed`` is a head printed earlier (``access-log-head COUNTS HASH``, or
        ``N:HASH`` for a log of one lane): each lane must still hold as many events, and
        the ones it then ended with.
        """
        anchor = parse_head(filed) if filed else None
        with self.ctx.db.reading() as session:
            heads = {h.id: (h.last_id, h.last_hash) for h in session.scalars(select(AccessChain))}
            walk = _Walk(self.chain_key, anchor[0] if anchor else ())
            after = (0, 0)
            while True:
                batch = session.scalars(
                    select(AccessEvent)
                    .where(tuple_(AccessEvent.lane, AccessEvent.number) > tuple_(*after))
                    .order_by(AccessEvent.lane, AccessEvent.number).limit(BATCH)).all()
                for event in batch:
                    if problem := walk.step(event):
                        return walk.check(problem)
                if len(batch) < BATCH:
                    break
                after = (batch[-1].lane, batch[-1].number)
        problem = walk.against_heads(heads) or (walk.against_filed(*anchor) if anchor else None)
        return walk.check(problem)


class _Walk:
    """Where the walk through the lanes is: each lane's count and last link so far."""

    def __init__(self, key: bytes, filed_counts: tuple[int, ...]) -> None:
        self.key = key
        self.lanes: dict[int, tuple[int, str]] = {}
        self.filed_counts = filed_counts
        self.filed_links: dict[int, str] = {}

    def end(self, lane: int) -> tuple[int, str]:
        """The lane's count and last link so far; an empty lane ends at its genesis."""
        found = self.lanes.get(lane)
        return found if found is not None else (0, lane_genesis(lane))

    def step(self, event: AccessEvent) -> str | None:
        count, previous = self.end(event.lane)
        if problem := _problem(event, count + 1, previous, self.key):
            return problem
        self.lanes[event.lane] = (event.number, event.hash)
        if event.number == _at(self.filed_counts, event.lane):
            self.filed_links[event.lane] = event.hash
        return None

    def against_heads(self, heads: dict[int, tuple[int, str]]) -> str | None:
        """Each lane must end where its head row says: else its newest events went."""
        for lane, (last, last_hash) in sorted(heads.items()):
            count, previous = self.end(lane)
            if (last, last_hash) != (count, previous):
                return (f"lane {lane}'s head names event {last}, but the lane ends at "
                        f"event {count}: events were removed")
        return None

    def against_filed(self, counts: tuple[int, ...], digest: str) -> str | None:
        """Each lane must still hold its filed count, and end there with the same link."""
        for lane, filed in enumerate(counts, start=1):
            if filed > (held := self.end(lane)[0]):
                return (f"the filed head names event {filed} of lane {lane}, but the "
                        f"lane ends at event {held}: events were removed")
        links = [(count, self.filed_links.get(lane, lane_genesis(lane)))
                 for lane, count in enumerate(counts, start=1)]
        if head_digest(links) != digest:
            return ("the lanes do not end at the filed head with the links filed: "
                    "the chain was rewritten before it")
        return None

    def check(self, problem: str | None) -> ChainCheck:
        top = max(self.lanes, default=0)
        links = [self.end(lane) for lane in range(1, top + 1)]
        counts = tuple(count for count, _ in links)
        return ChainCheck(problem is None, sum(counts), head_digest(links), counts, problem)


def _write_noted(session: UnitOfWork) -> None:
    """Write the events the unit logged, each with its lane's new head: on PostgreSQL
    one round trip each."""
    events, session.notes.access_events = session.notes.access_events, []
    session.notes.access_heads = {}
    postgresql = bool(events) and session.get_bind().dialect.name == "postgresql"
    for values in events:
        if postgresql:
            session.execute(_APPEND_AND_ADVANCE, values)
        else:  # SQLite writes nothing from inside a WITH
            session.execute(_APPEND, values)
            session.execute(_ADVANCE, values)


def _free_lane(session: UnitOfWork) -> tuple[int, int, str]:
    """The first lane no other writer holds, locked; when all are held, one to wait on.
    Its number, the number of its last event and that event's hash."""
    head = session.execute(_FIRST_FREE).first()
    if head is not None:
        return head.id, head.last_id, head.last_hash
    lanes = session.scalars(select(_CHAIN.c.id)).all()
    if not lanes:  # a database emptied by hand: the lanes start again
        session.execute(insert(_CHAIN), [
            {"id": lane, "last_id": 0, "last_hash": lane_genesis(lane)}
            for lane in range(1, LANES + 1)])
        return 1, 0, lane_genesis(1)
    head = session.execute(_HEAD.where(_CHAIN.c.id == random.choice(lanes))
                           .with_for_update()).one()
    return head.id, head.last_id, head.last_hash


_CHAIN = AccessChain.__table__
_HEAD = select(_CHAIN.c.id, _CHAIN.c.last_id, _CHAIN.c.last_hash)
_FIRST_FREE = _HEAD.order_by(_CHAIN.c.id).limit(1).with_for_update(skip_locked=True)
_WRITTEN = ("lane", "number", "at", "username", "roles", "case_code", "fields", "what",
            "source", "outcome", "previous_hash", "hash")
_APPEND = insert(AccessEvent.__table__).values(
    {column: bindparam(column) for column in _WRITTEN})
_ADVANCE = (update(_CHAIN).where(_CHAIN.c.id == bindparam("lane"))
            .values(last_id=bindparam("number"), last_hash=bindparam("hash")))
_APPEND_AND_ADVANCE = _ADVANCE.add_cte(_APPEND.cte("appended"))
"""The statements of every read logged, built once: on PostgreSQL the event and its
lane's head go in one round trip."""


def lane_genesis(lane: int) -> str:
    """Where a lane starts: lane 1 where the one chain always started, each other lane
    somewhere of its own, so an event moved to another lane breaks both."""
    if lane == 1:
        return GENESIS
    return hashlib.sha256(f"access log lane {lane}".encode()).hexdigest()


def head_digest(links: Sequence[tuple[int, str]]) -> str:
    """The lanes' last links as one hash; a log of one lane keeps its last link as its
    head, so heads filed before the lanes still read the same."""
    if len(links) <= 1:
        return links[0][1] if links else GENESIS
    text = "|".join(f"{lane}:{count}:{link}" for lane, (count, link)
                    in enumerate(links, start=1))
    return hashlib.sha256(text.encode()).hexdigest()


def head_line(check: ChainCheck) -> str:
    """The head as one line an operator files daily and gives back to ``--head``."""
    counts = ".".join(str(count) for count in check.lanes) or "0"
    return f"access-log-head {counts} {check.head}"


def parse_head(text: str) -> tuple[tuple[int, ...], str]:
    """``access-log-head 3.1 HASH`` or ``N:HASH`` -> ((3, 1), HASH); ValueError otherwise."""
    parts = text.replace("access-log-head", "").replace(":", " ").split()
    counts = parts[0].split(".") if parts else []
    if len(parts) != 2 or not all(c.isdigit() for c in counts) or len(parts[1]) != 64:
        raise ValueError(f"{text!r} is not a head: give it as printed, "
                         "'access-log-head COUNTS HASH' or 'N:HASH'")
    return tuple(int(c) for c in counts), parts[1].lower()


def _at(counts: tuple[int, ...], lane: int) -> int:
    return counts[lane - 1] if lane <= len(counts) else 0


def event_hash(event: AccessEvent, key: bytes) -> str:
    """HMAC-SHA256 of the previous hash and every field of the event, in a fixed form."""
    content = [event.previous_hash, event.number, event.at.isoformat(), event.username,
               event.roles, event.case_code, list(event.fields), event.what, event.source,
               event.outcome]
    message = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _problem(event: AccessEvent, expected: int, previous: str, key: bytes) -> str | None:
    lane = f"lane {event.lane}"
    if event.number != expected:
        return f"{lane} event {expected} is missing (the next is {event.number})"
    if event.previous_hash != previous and event.number == 1:
        return f"{lane} event 1 is not where {lane} starts: one was moved or altered"
    if event.previous_hash != previous:
        return (f"{lane} event {event.number} does not follow event {event.number - 1}: "
                "one was altered")
    if not hmac.compare_digest(event_hash(event, key), event.hash):
        return f"{lane} event {event.number} was altered after it was written"
    return None


def _view(event: AccessEvent) -> AccessView:
    return AccessView(id=event.id, at=event.at, username=event.username,
                      roles=[r for r in event.roles.split(",") if r],
                      case_code=event.case_code, fields=list(event.fields), what=event.what,
                      source=event.source, outcome=event.outcome)
