"""Timers keep their lifecycle (pending, fired, cancelled, failed) and attempts; legal
deadlines get reminder and escalation timers; notifications an e-mail outbox; scheduler
workers a heartbeat.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("timer") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False,
                                   server_default="bpmn"))
        batch.add_column(sa.Column("deadline_id", sa.Integer,
                                   sa.ForeignKey("legal_deadline.id",
                                                 name="fk_timer_deadline")))
        batch.add_column(sa.Column("offset_days", sa.Integer))
        batch.add_column(sa.Column("next_attempt_at", Moment))
        batch.add_column(sa.Column("status", sa.String(20), nullable=False,
                                   server_default="pending"))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_error", sa.Text))
        batch.add_column(sa.Column("fired_at", Moment))
        batch.add_column(sa.Column("fired_by", sa.String(200)))
        batch.add_column(sa.Column("created_at", Moment))
        batch.alter_column("spiff_task_id", existing_type=sa.String(36), nullable=True)
        batch.alter_column("element_id", existing_type=sa.String(200), nullable=True)
    op.execute("UPDATE timer SET next_attempt_at = due_at")
    with op.batch_alter_table("timer") as batch:
        batch.alter_column("next_attempt_at", existing_type=Moment, nullable=False)
        batch.create_index("ix_timer_status_next", ["status", "next_attempt_at"])
        batch.create_index("ix_timer_deadline_id", ["deadline_id"])
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("source", sa.String(20), nullable=False,
                                   server_default="procedure"))
        batch.add_column(sa.Column("emailed_at", Moment))
        batch.add_column(sa.Column("email_attempts", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("email_error", sa.Text))
    op.create_table(
        "scheduler_worker",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("started_at", Moment, nullable=False),
        sa.Column("last_sweep_at", Moment),
        sa.Column("fired_total", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_worker")
    with op.batch_alter_table("notification") as batch:
        for column in ("email_error", "email_attempts", "emailed_at", "source"):
            batch.drop_column(column)
    op.execute("DELETE FROM timer WHERE kind <> 'bpmn' OR status <> 'pending'")
    with op.batch_alter_table("timer") as batch:
        batch.drop_index("ix_timer_deadline_id")
        batch.drop_index("ix_timer_status_next")
        for column in ("created_at", "fired_by", "fired_at", "last_error", "attempts",
                       "status", "next_attempt_at", "offset_days", "deadline_id", "kind"):
            batch.drop_column(column)
