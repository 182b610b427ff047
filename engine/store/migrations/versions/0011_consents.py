"""The consent register: her answers to each consent question, and their withdrawal.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_code", sa.String(100), nullable=False),
        sa.Column("purpose", sa.String(50), nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("given_by", sa.String(20), nullable=False),
        sa.Column("obtained", sa.String(300), nullable=False),
        sa.Column("interpreter_used", sa.Boolean, nullable=False),
        sa.Column("instance_id", sa.Integer),
        sa.Column("task_id", sa.Integer),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_on", sa.Date),
        sa.Column("withdrawal_recorded_by", sa.String(200)),
        sa.Column("withdrawal_recorded_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_consent_case_code", "consent", ["case_code"])


def downgrade() -> None:
    op.drop_table("consent")
