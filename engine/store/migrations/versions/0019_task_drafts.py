"""Drafts of a task's form: an actor saves what she typed and finishes it later. Each
draft is hers alone, sealed with the case's key and dropped with the task's completion.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

Moment = sa.DateTime(timezone=True)

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_draft",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("human_task.id"), nullable=False,
                  index=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("case_code", sa.String(100), nullable=False, index=True),
        sa.Column("saved_at", Moment, nullable=False),
        sa.Column("fields", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("task_id", "username", name="uq_draft_task_user"),
    )


def downgrade() -> None:
    op.drop_table("task_draft")
