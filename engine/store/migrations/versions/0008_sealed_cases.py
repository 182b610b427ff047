"""Seal each case's data with its own key: case records, sealed state and variables.

A ``case_record`` per case code holds her data key sealed with the master key. The
workflow state and the variables of each instance become AES-GCM ciphertext sealed with
that key. Existing instances are sealed here, with the master key the engine uses
(``VARNAPOT_MASTER_KEY``, ``VARNAPOT_MASTER_KEY_FILE`` or ``instance/master.key``).
Ciphertext does not compress, so PostgreSQL stores the column without trying.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import json
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from engine.crypto.keys import KeyRing, MasterKeyError, master_key_from
from engine.crypto.sealing import seal_json

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_record",
        sa.Column("code", sa.String(100), primary_key=True),
        sa.Column("sealed_key", sa.LargeBinary),
        sa.Column("legal_hold", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a column by copying the table, which tasks, timers and deadlines
        # refer to: foreign keys are off meanwhile, as its manual says, and only outside
        # a transaction can they be turned off.
        _outside_transaction("PRAGMA foreign_keys = OFF")
        # The plain state this migration replaces must not linger in freed pages.
        op.execute("PRAGMA secure_delete = ON")
    for column in ("state", "variables"):
        op.add_column("process_instance", sa.Column(f"sealed_{column}", sa.LargeBinary))
    _seal_existing(op.get_bind())
    with op.batch_alter_table("process_instance") as batch:
        for column in ("state", "variables"):
            batch.drop_column(column)
            batch.alter_column(f"sealed_{column}", new_column_name=column, nullable=False)
    if sqlite:
        broken = op.get_bind().execute(sa.text("PRAGMA foreign_key_check")).all()
        if broken:
            raise RuntimeError(f"the copied table breaks references: {broken[:5]}")
        _outside_transaction("PRAGMA foreign_keys = ON")
    else:
        for column in ("state", "variables"):
            op.execute(f"ALTER TABLE process_instance ALTER COLUMN {column} SET STORAGE EXTERNAL")


def _outside_transaction(statement: str) -> None:
    op.execute("COMMIT")
    op.execute(statement)
    op.execute("BEGIN")


def _seal_existing(connection: sa.Connection) -> None:
    rows = connection.execute(sa.text(
        "SELECT id, case_code, state, variables FROM process_instance")).all()
    if not rows:
        return
    key = master_key_from(os.environ)
    if key is None:
        raise MasterKeyError("the database holds instances to seal: set VARNAPOT_MASTER_KEY "
                             "(or run `varnapot keys create`) before upgrading")
    keyring, keys = KeyRing(key), {}
    now = datetime.now(UTC)
    for row in rows:
        if row.case_code not in keys:
            keys[row.case_code], sealed_key = keyring.new_case_key(row.case_code)
            connection.execute(sa.text(
                "INSERT INTO case_record (code, sealed_key, legal_hold, created_at) "
                "VALUES (:code, :key, false, :now)"),
                {"code": row.case_code, "key": sealed_key, "now": now})
        data_key = keys[row.case_code]
        connection.execute(sa.text(
            "UPDATE process_instance SET sealed_state = :state, sealed_variables = :variables "
            "WHERE id = :id"), {
                "id": row.id,
                "state": seal_json(data_key, _json(row.state), f"state|{row.case_code}"),
                "variables": seal_json(data_key, _json(row.variables),
                                       f"variables|{row.case_code}")})


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str | bytes) else value


def downgrade() -> None:
    raise NotImplementedError("sealed data is not unsealed back into plain columns")
