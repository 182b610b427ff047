"""Key the access log's hash chain with a key derived from the master key.

Each link was a plain SHA-256: anyone able to write to the database could rewrite the
chain after removing or changing events. Each link is now an HMAC-SHA256 under a key
derived from the master key. The events a database holds are chained again here, in
order, with the append-only triggers lifted for that one rewrite.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from engine.crypto.keys import MasterKeyError, derive_key, master_key_from

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
PURPOSE = "access log chain"
APPEND_ONLY_MESSAGE = "access events are append-only"


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, at, username, roles, case_code, fields, what, source, outcome "
        "FROM access_event ORDER BY id")).all()
    if not rows:
        return
    master = master_key_from(os.environ)
    if master is None:
        raise MasterKeyError("the database holds access events to chain again: set "
                             "VARNAPOT_MASTER_KEY (or run `varnapot keys create`) first")
    key = derive_key(master, PURPOSE)
    postgresql = connection.dialect.name == "postgresql"
    _lift_triggers(postgresql)
    previous = GENESIS
    for row in rows:
        link = _link(key, previous, row)
        connection.execute(sa.text(
            "UPDATE access_event SET previous_hash = :previous, hash = :hash WHERE id = :id"),
            {"previous": previous, "hash": link, "id": row.id})
        previous = link
    connection.execute(sa.text("UPDATE access_chain SET last_id = :id, last_hash = :hash "
                               "WHERE id = 1"), {"id": rows[-1].id, "hash": previous})
    _restore_triggers(postgresql)


def _link(key: bytes, previous: str, row: sa.Row) -> str:
    at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    fields = json.loads(row.fields) if isinstance(row.fields, str) else row.fields
    content = [previous, row.id, at.isoformat(), row.username, row.roles, row.case_code,
               list(fields), row.what, row.source, row.outcome]
    message = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _lift_triggers(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE access_event DISABLE TRIGGER access_event_append_only")
    else:
        op.execute("DROP TRIGGER access_event_no_update")


def _restore_triggers(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE access_event ENABLE TRIGGER access_event_append_only")
    else:
        op.execute("CREATE TRIGGER access_event_no_update BEFORE UPDATE ON access_event "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")


def downgrade() -> None:
    raise NotImplementedError("the chain is not unkeyed")
