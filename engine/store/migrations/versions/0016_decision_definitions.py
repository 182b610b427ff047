"""Decision tables (DMN) deployed beside the diagrams, versioned the same way.

A business rule task names a decision by its id; an instance is bound at start to the
version then deployed, as it is to the processes it calls.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

Moment = sa.DateTime(timezone=True)



revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_definition",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("dmn_xml", sa.Text, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("deployed_at", Moment, nullable=False),
        sa.Column("deployed_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("key", "version", name="uq_decision_key_version"),
    )


def downgrade() -> None:
    op.drop_table("decision_definition")
