"""Indexes for the lists: the worklist, the monitor's instances, the deadline kinds.

A worklist page is chosen from ``(status, role, due_date, id)`` alone, and "claimed by
me" from ``(assignee, status)``. The monitor lists instances newest first, all of them
or by status or procedure, and counts them, along the three ``started_at`` indexes.
The tracker's kind filter lists the kinds from ``ix_deadline_kind`` a kind at a time.
The old single-column status, process key and (status, role) indexes are the leading
columns of the new ones, so they go.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_task_status_role", table_name="human_task")
    op.create_index("ix_task_status_role_due", "human_task",
                    ["status", "role", "due_date", "id"])
    op.create_index("ix_task_assignee_status", "human_task", ["assignee", "status"])
    op.drop_index("ix_instance_status", table_name="process_instance")
    op.drop_index("ix_process_instance_process_key", table_name="process_instance")
    op.create_index("ix_instance_status_started", "process_instance",
                    ["status", "started_at", "id"])
    op.create_index("ix_instance_process_started", "process_instance",
                    ["process_key", "started_at", "id"])
    op.create_index("ix_instance_started", "process_instance", ["started_at", "id"])
    op.create_index("ix_deadline_kind", "legal_deadline", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_deadline_kind", table_name="legal_deadline")
    op.drop_index("ix_instance_started", table_name="process_instance")
    op.drop_index("ix_instance_process_started", table_name="process_instance")
    op.drop_index("ix_instance_status_started", table_name="process_instance")
    op.create_index("ix_process_instance_process_key", "process_instance", ["process_key"])
    op.create_index("ix_instance_status", "process_instance", ["status"])
    op.drop_index("ix_task_assignee_status", table_name="human_task")
    op.drop_index("ix_task_status_role_due", table_name="human_task")
    op.create_index("ix_task_status_role", "human_task", ["status", "role"])
