"""The access log is chained in lanes, so readers at the same moment do not queue.

One head row made every read of personal data wait for the read before it to commit.
Now ``access_chain`` holds eight heads, one per lane; a reader takes whichever lane is
free. Each lane is a whole chain as the one log was: events numbered 1, 2, 3... in
``number``, each linked to the one before. The events already written are lane 1, their
numbers their ids, so their links hold unchanged. ``id`` becomes a plain increasing key
that orders events across lanes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

LANES = 8
APPEND_ONLY_MESSAGE = "access events are append-only"


def lane_genesis(lane: int) -> str:
    """Where lane ``lane`` starts; lane 1 starts where the one log always started."""
    if lane == 1:
        return "0" * 64
    return hashlib.sha256(f"access log lane {lane}".encode()).hexdigest()


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _lift_triggers(postgresql)
    op.add_column("access_event", sa.Column("lane", sa.Integer, nullable=False,
                                            server_default="1"))
    op.add_column("access_event", sa.Column("number", sa.Integer, nullable=False,
                                            server_default="0"))
    op.execute("UPDATE access_event SET number = id")
    _restore_triggers(postgresql)
    op.create_index("ix_access_event_lane_number", "access_event", ["lane", "number"],
                    unique=True)
    if postgresql:  # SQLite gives an INTEGER PRIMARY KEY the next rowid by itself
        op.execute("CREATE SEQUENCE access_event_id_seq OWNED BY access_event.id")
        op.execute("SELECT setval('access_event_id_seq', "
                   "COALESCE((SELECT max(id) FROM access_event), 0) + 1, false)")
        op.execute("ALTER TABLE access_event ALTER COLUMN id "
                   "SET DEFAULT nextval('access_event_id_seq')")
    heads = sa.table("access_chain", sa.column("id", sa.Integer),
                     sa.column("last_id", sa.Integer), sa.column("last_hash", sa.String))
    op.bulk_insert(heads, [{"id": lane, "last_id": 0, "last_hash": lane_genesis(lane)}
                           for lane in range(2, LANES + 1)])


def downgrade() -> None:
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM access_event WHERE lane > 1")).first():
        raise NotImplementedError("events were written in lanes other than the first: "
                                  "one chain cannot hold them")
    postgresql = connection.dialect.name == "postgresql"
    op.execute("DELETE FROM access_chain WHERE id > 1")
    if postgresql:
        op.execute("ALTER TABLE access_event ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE access_event_id_seq")
    op.drop_index("ix_access_event_lane_number", "access_event")
    _lift_triggers(postgresql)
    with op.batch_alter_table("access_event") as table:
        table.drop_column("number")
        table.drop_column("lane")
    _restore_triggers(postgresql)


def _lift_triggers(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE access_event DISABLE TRIGGER access_event_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS access_event_no_delete")


def _restore_triggers(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE access_event ENABLE TRIGGER access_event_append_only")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER IF NOT EXISTS access_event_no_{action.lower()} BEFORE "
                   f"{action} ON access_event BEGIN SELECT RAISE(ABORT, "
                   f"'{APPEND_ONLY_MESSAGE}'); END")
