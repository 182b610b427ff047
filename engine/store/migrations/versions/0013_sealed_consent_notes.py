"""Seal the typed notes on how a consent was obtained: they may name her or anyone.

A note recorded in the register (not from a task) is free text. It is sealed with her
case's key, like the reasons of the history, so it is erased with the case. The column
becomes unbounded text: a sealed note is longer than the note.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import base64
import os

import sqlalchemy as sa
from alembic import op

from engine.crypto.keys import KeyRing, MasterKeyError, master_key_from
from engine.crypto.sealing import seal_json

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SEALED_TEXT = "sealed:"
NOTE_COLUMN = "consent note"


def upgrade() -> None:
    with op.batch_alter_table("consent") as batch:
        batch.alter_column("obtained", type_=sa.Text(), existing_type=sa.String(300),
                           existing_nullable=False)
    _seal_typed_notes(op.get_bind())


def _seal_typed_notes(connection: sa.Connection) -> None:
    rows = connection.execute(sa.text(
        "SELECT consent.id, consent.case_code, consent.obtained, case_record.sealed_key "
        "FROM consent JOIN case_record ON case_record.code = consent.case_code "
        "WHERE consent.task_id IS NULL")).all()
    rows = [r for r in rows if not r.obtained.startswith(SEALED_TEXT)]
    if not rows:
        return
    key = master_key_from(os.environ)
    if key is None:
        raise MasterKeyError("the database holds consent notes to seal: set "
                             "VARNAPOT_MASTER_KEY (or run `varnapot keys create`) first")
    keyring = KeyRing(key)
    for row in rows:
        if row.sealed_key is None:  # the case was erased: its note goes with it
            note = "(erased with the case)"
        else:
            sealed = seal_json(keyring.case_key(row.case_code, row.sealed_key), row.obtained,
                               f"{NOTE_COLUMN}|{row.case_code}")
            note = SEALED_TEXT + base64.b64encode(sealed).decode()
        connection.execute(sa.text("UPDATE consent SET obtained = :note WHERE id = :id"),
                           {"note": note, "id": row.id})


def downgrade() -> None:
    raise NotImplementedError("sealed notes are not unsealed back into plain text")
