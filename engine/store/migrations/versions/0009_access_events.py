"""The access log: who read which personal data of which case, chained by hashes.

The database refuses UPDATE and DELETE on ``access_event``, as on ``audit_event``; the
one row of ``access_chain`` is the head that writers lock in turn.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "access events are append-only"
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "access_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("roles", sa.String(500), nullable=False),
        sa.Column("case_code", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("what", sa.String(300), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_access_event_case_code", "access_event", ["case_code"])
    chain = op.create_table(
        "access_chain",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(chain, [{"id": 1, "last_id": 0, "last_hash": GENESIS}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION access_event_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$ LANGUAGE plpgsql")
        op.execute(
            "CREATE TRIGGER access_event_append_only BEFORE UPDATE OR DELETE ON access_event "
            "FOR EACH ROW EXECUTE FUNCTION access_event_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER access_event_no_{action.lower()} BEFORE {action} ON "
                f"access_event BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_event_append_only ON access_event")
        op.execute("DROP FUNCTION IF EXISTS access_event_append_only()")
    op.drop_table("access_chain")
    op.drop_table("access_event")
