"""Which instance paused a suspended instance: her disappearance pauses her case.

While she is missing the other procedures of her case are suspended by the procedure
that follows her disappearance, and resumed by it when she reappears. The column keeps
that link, so a procedure suspended or resumed by hand is never resumed by the search.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("process_instance", sa.Column("paused_by", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("paused_by")
