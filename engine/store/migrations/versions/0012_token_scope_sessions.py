"""Token scopes and revocable sessions.

A token is for the API or for the calendar feed alone; the feed tokens made so far (by
"Create my calendar address", labelled "calendar feed") become calendar tokens. Each user
gets a session generation that her session cookies carry: raising it ends them all.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CALENDAR_LABEL = "calendar feed"


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("scope", sa.String(20), nullable=False,
                                   server_default="api"))
    api_token = sa.table("api_token", sa.column("label", sa.String), sa.column("scope", sa.String))
    op.execute(api_token.update().where(api_token.c.label == CALENDAR_LABEL)
               .values(scope="calendar"))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("scope")
