"""The access log: every read of a case's personal data, and every refused attempt.

Each event says who (user and roles), when, which case, which fields (names, never
values), what was read and from where. Events are append-only in the database, and
chained: each carries the SHA-256 of the one before it and of itself, and its number
follows the last one's, so :meth:`AccessLog.verify` finds an event changed, removed or
slipped in. The head of the chain is one locked row: writers take turns, and the chain
has one order on every database.

Each link is an HMAC-SHA256 under a key derived from the master key, so someone who can
write to the database but does not hold the master key cannot rewrite the chain. One who
drops the newest events and moves the head back leaves a shorter chain that still holds:
``varnapot audit verify`` prints the head as one line (``access-log-head N HASH``) for
an office to file every day, and ``--head`` checks the chain against a filed one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from engine.context import EngineContext
from engine.store.models import AccessChain, AccessEvent
from engine.store.unit_of_work import UnitOfWork
from engine.views import View

GENESIS = "0" * 64
GRANTED, REFUSED = "granted", "refused"
BATCH = 1000


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
    problem: str | None = None
    """The first thing found wrong, with the event's number."""


CHAIN_KEY_PURPOSE = "access log chain"


class AccessLog:
    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.chain_key = ctx.vault.keyring.derived(CHAIN_KEY_PURPOSE)

    def record(self, reader: Reader, case_code: str, fields: Sequence[str], what: str,
               outcome: str = GRANTED) -> None:
        """Add one event in a unit of work of its own."""
        with self.ctx.db.transaction() as session:
            self.record_in(session, reader, case_code, fields, what, outcome)

    def record_in(self, session: UnitOfWork, reader: Reader, case_code: str,
                  fields: Sequence[str], what: str, outcome: str = GRANTED) -> None:
        """Add one event inside the caller's unit of work, after the chain's last."""
        head = session.scalar(select(AccessChain).where(AccessChain.id == 1)
                              .with_for_update())
        if head is None:  # a database emptied by hand: the chain starts again
            head = AccessChain(id=1, last_id=0, last_hash=GENESIS)
            session.add(head)
        event = AccessEvent(
            id=head.last_id + 1, at=self.ctx.now().astimezone(UTC), username=reader.username,
            roles=",".join(reader.roles), case_code=case_code, fields=sorted(fields),
            what=what[:300], source=reader.source[:200], outcome=outcome,
            previous_hash=head.last_hash)
        event.hash = event_hash(event, self.chain_key)
        session.add(event)
        head.last_id, head.last_hash = event.id, event.hash

    def events(self, *, case_code: str | None = None, limit: int = 200) -> list[AccessView]:
        """The newest events first, of one case or of all."""
        query = select(AccessEvent).order_by(AccessEvent.id.desc()).limit(limit)
        if case_code is not None:
            query = query.where(AccessEvent.case_code == case_code)
        with self.ctx.db.reading() as session:
            return [_view(e) for e in session.scalars(query)]

    def verify(self, filed: str | None = None) -> ChainCheck:
        """Walk the chain from the first event and check every link and the head.

        ``filed`` is a head printed earlier (``access-log-head N HASH``, or ``N:HASH``):
        event N must still be in the chain with that hash.
        """
        anchor = parse_head(filed) if filed else None
        expected_id, previous, count = 1, GENESIS, 0
        with self.ctx.db.reading() as session:
            head = session.get(AccessChain, 1)
            while True:
                batch = session.scalars(select(AccessEvent).where(
                    AccessEvent.id >= expected_id).order_by(AccessEvent.id).limit(BATCH)).all()
                for event in batch:
                    problem = _problem(event, expected_id, previous, self.chain_key)
                    if problem is None and anchor and anchor[0] == event.id \
                            and anchor[1] != event.hash:
                        problem = (f"event {event.id} is not the one in the filed head: "
                                   "the chain was rewritten from there")
                    if problem:
                        return ChainCheck(False, count, previous, problem)
                    expected_id, previous, count = event.id + 1, event.hash, count + 1
                if len(batch) < BATCH:
                    break
            if head is not None and (head.last_id, head.last_hash) != (count, previous):
                return ChainCheck(False, count, previous,
                                  f"the chain's head names event {head.last_id}, but the "
                                  f"log ends at event {count}: events were removed")
            if anchor and anchor[0] > count:
                return ChainCheck(False, count, previous,
                                  f"the filed head names event {anchor[0]}, but the log ends "
                                  f"at event {count}: events were removed")
        return ChainCheck(True, count, previous)


def head_line(check: ChainCheck) -> str:
    """The head as one line an operator files daily and gives back to ``--head``."""
    return f"access-log-head {check.events} {check.head}"


def parse_head(text: str) -> tuple[int, str]:
    """``access-log-head N HASH`` or ``N:HASH`` -> (N, HASH); ValueError otherwise."""
    parts = text.replace("access-log-head", "").replace(":", " ").split()
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        raise ValueError(f"{text!r} is not a head: give it as printed, "
                         "'access-log-head N HASH' or 'N:HASH'")
    return int(parts[0]), parts[1].lower()


def event_hash(event: AccessEvent, key: bytes) -> str:
    """HMAC-SHA256 of the previous hash and every field of the event, in a fixed form."""
    content = [event.previous_hash, event.id, event.at.isoformat(), event.username,
               event.roles, event.case_code, list(event.fields), event.what, event.source,
               event.outcome]
    message = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _problem(event: AccessEvent, expected_id: int, previous: str, key: bytes) -> str | None:
    if event.id != expected_id:
        return f"event {expected_id} is missing (the next is {event.id})"
    if event.previous_hash != previous:
        return f"event {event.id} does not follow event {event.id - 1}: one was altered"
    if not hmac.compare_digest(event_hash(event, key), event.hash):
        return f"event {event.id} was altered after it was written"
    return None


def _view(event: AccessEvent) -> AccessView:
    return AccessView(id=event.id, at=event.at, username=event.username,
                      roles=[r for r in event.roles.split(",") if r],
                      case_code=event.case_code, fields=list(event.fields), what=event.what,
                      source=event.source, outcome=event.outcome)
