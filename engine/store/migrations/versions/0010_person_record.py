"""Her personal record, sealed with the case's key, in the case record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_record", sa.Column("person", sa.LargeBinary))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE case_record ALTER COLUMN person SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_column("case_record", "person")
