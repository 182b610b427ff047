"""Users with roles; the inbox is read per user; notifications get an e-mail outbox.

The per-notification read flag and e-mail columns of 0003/0004 go: a notice to a role
is read by each of its users on her own, and mailed to each of them on its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", Moment, nullable=False),
    )
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer,
                  sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(100), primary_key=True),
    )
    op.create_index("ix_user_role_role", "user_role", ["role"])
    op.create_table(
        "notification_read",
        sa.Column("notification_id", sa.Integer,
                  sa.ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer,
                  sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("read_at", Moment, nullable=False),
    )
    op.create_index("ix_notification_read_user_id", "notification_read", ["user_id"])
    op.create_table(
        "notification_email",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("notification_id", sa.Integer,
                  sa.ForeignKey("notification.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer,
                  sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", Moment, nullable=False),
        sa.Column("sent_at", Moment),
        sa.Column("created_at", Moment, nullable=False),
        sa.UniqueConstraint("notification_id", "user_id", name="uq_email_notification_user"),
    )
    op.create_index("ix_email_status_next", "notification_email",
                    ["status", "next_attempt_at"])
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_role_read")
        for column in ("read_at", "read_by", "emailed_at", "email_attempts", "email_error"):
            batch.drop_column(column)
        batch.create_index("ix_notification_role_id", ["role", "id"])


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_role_id")
        batch.add_column(sa.Column("read_at", Moment))
        batch.add_column(sa.Column("read_by", sa.String(200)))
        batch.add_column(sa.Column("emailed_at", Moment))
        batch.add_column(sa.Column("email_attempts", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("email_error", sa.Text))
        batch.create_index("ix_notification_role_read", ["role", "read_at"])
    op.drop_table("notification_email")
    op.drop_table("notification_read")
    op.drop_table("user_role")
    op.drop_table("user_account")
