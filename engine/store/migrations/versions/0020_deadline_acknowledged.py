"""A missed deadline can be acknowledged by who answers for it: it then leaves the list
of missed deadlines, which otherwise would grow with every year of the service.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

Moment = sa.DateTime(timezone=True)

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("legal_deadline") as table:
        table.add_column(sa.Column("acknowledged_at", Moment, nullable=True))
        table.add_column(sa.Column("acknowledged_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("legal_deadline") as table:
        table.drop_column("acknowledged_by")
        table.drop_column("acknowledged_at")
