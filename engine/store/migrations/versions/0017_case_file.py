"""Her case file: caseworkers' notes and the documents kept with her case, both sealed
with her case's data key and erased with it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

Moment = sa.DateTime(timezone=True)

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_code", sa.String(100), sa.ForeignKey("case_record.code"),
                  nullable=False, index=True),
        sa.Column("written_at", Moment, nullable=False),
        sa.Column("written_by", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary),
    )
    op.create_table(
        "case_document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(32), nullable=False, unique=True),
        sa.Column("case_code", sa.String(100), sa.ForeignKey("case_record.code"),
                  nullable=False, index=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("added_at", Moment, nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("about", sa.LargeBinary),
        sa.Column("content", sa.LargeBinary),
        sa.Column("removed_at", Moment),
        sa.Column("removed_by", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("case_document")
    op.drop_table("case_note")
