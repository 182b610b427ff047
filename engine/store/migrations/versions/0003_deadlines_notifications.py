"""Legal deadlines, notifications, and the called-process versions of an instance.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("bindings", sa.JSON))
    op.create_table(
        "legal_deadline",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("process_instance.id"),
                  nullable=False, index=True),
        sa.Column("case_code", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("ref", sa.String(100), nullable=False, server_default=""),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("owner_role", sa.String(100), nullable=False),
        sa.Column("jurisdiction", sa.String(10), nullable=False),
        sa.Column("legal_date", sa.Date, nullable=False),
        sa.Column("latest_safe_day", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("met_on", sa.Date),
        sa.Column("met_by_element", sa.String(200)),
        sa.Column("opened_by_element", sa.String(200), nullable=False),
        sa.Column("cancel_reason", sa.Text),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("instance_id", "kind", "ref", name="uq_deadline_instance_kind_ref"),
    )
    op.create_index("ix_deadline_status_safe_day", "legal_deadline",
                    ["status", "latest_safe_day"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("process_instance.id"), index=True),
        sa.Column("case_code", sa.String(100)),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("element_id", sa.String(200)),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("read_at", Moment),
        sa.Column("read_by", sa.String(200)),
    )
    op.create_index("ix_notification_role_read", "notification", ["role", "read_at"])


def downgrade() -> None:
    op.drop_table("notification")
    op.drop_table("legal_deadline")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("bindings")
