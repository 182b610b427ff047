"""A case belongs to a jurisdiction, chosen when it is opened: its deadlines, calendar
and reminders follow that jurisdiction's file, so one deployment can serve several.

Cases opened before keep NULL, read as the deployment's jurisdiction.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of the table would drop migration 0022's triggers.
    op.add_column("case_record", sa.Column("jurisdiction", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_record") as batch:
        batch.drop_column("jurisdiction")
