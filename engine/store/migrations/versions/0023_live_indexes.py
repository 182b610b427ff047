"""The lists people work from read only live rows, however many closed ones ten years
leave behind.

- The missed deadlines still to acknowledge get an index of their own: the missed ones
  acknowledged over the years stay ``missed`` in the table, and the list of missed
  deadlines walked past every one of them.
- Missed deadlines are found by the legal date they passed: the dashboard's missed ones
  of the last twelve months were picked out of every one missed since the start.
- A task row is found by its instance and status: a workflow's open tasks were found by
  reading every task its instance ever had, a hundred after a hundred reviews.
- An instance is found by its status and the moment it ended: the dashboard counts the
  procedures that ended in the last year, instead of every one ever closed.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

UNACKNOWLEDGED = "status = 'missed' AND acknowledged_at IS NULL"


def upgrade() -> None:
    op.create_index("ix_deadline_missed_unacknowledged", "legal_deadline",
                    ["latest_safe_day", "id"], postgresql_where=sa.text(UNACKNOWLEDGED),
                    sqlite_where=sa.text(UNACKNOWLEDGED))
    op.create_index("ix_deadline_status_legal_date", "legal_deadline", ["status", "legal_date"])
    op.create_index("ix_task_instance_status", "human_task", ["instance_id", "status"])
    op.drop_index("ix_task_instance", table_name="human_task")
    op.create_index("ix_instance_status_ended", "process_instance", ["status", "ended_at"])


def downgrade() -> None:
    op.drop_index("ix_instance_status_ended", table_name="process_instance")
    op.create_index("ix_task_instance", "human_task", ["instance_id"])
    op.drop_index("ix_task_instance_status", table_name="human_task")
    op.drop_index("ix_deadline_status_legal_date", table_name="legal_deadline")
    op.drop_index("ix_deadline_missed_unacknowledged", table_name="legal_deadline")
