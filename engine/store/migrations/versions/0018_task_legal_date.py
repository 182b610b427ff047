"""A task that meets a legal deadline shows its legal date beside its due date (the
latest safe day), in every list, without reading the deadline again.

Which deadline a task meets is said by its diagram, not by the tables: an open task gets
its legal date when its instance is next saved, and until then shows its due date alone.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("legal_date", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("legal_date")
