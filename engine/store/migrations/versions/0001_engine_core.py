"""Engine core: definitions, instances, human tasks, timers, audit events, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONDocument = sa.JSON().with_variant(JSONB(), "postgresql")
Moment = sa.DateTime(timezone=True)

APPEND_ONLY_MESSAGE = "audit events are append-only"


def upgrade() -> None:
    op.create_table(
        "process_definition",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("bpmn_xml", sa.Text, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("deployed_at", Moment, nullable=False),
        sa.Column("deployed_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("key", "version", name="uq_definition_key_version"),
    )
    op.create_table(
        "process_instance",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("definition_id", sa.Integer, sa.ForeignKey("process_definition.id"),
                  nullable=False),
        sa.Column("process_key", sa.String(200), nullable=False, index=True),
        sa.Column("case_code", sa.String(100), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),  # keeps key order, unlike JSONB
        sa.Column("variables", JSONDocument, nullable=False),
        sa.Column("incident_element", sa.String(200)),
        sa.Column("incident_message", sa.Text),
        sa.Column("started_at", Moment, nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.Column("ended_at", Moment),
    )
    op.create_index("ix_instance_status", "process_instance", ["status"])
    op.create_table(
        "human_task",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("process_instance.id"),
                  nullable=False),
        sa.Column("spiff_task_id", sa.String(36), nullable=False, unique=True),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("form_key", sa.String(200), nullable=False),
        sa.Column("documentation", sa.Text),
        sa.Column("due_date", sa.Date),
        sa.Column("assignee", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("claimed_at", Moment),
        sa.Column("ended_at", Moment),
        sa.Column("completed_by", sa.String(200)),
    )
    op.create_index("ix_task_status_role", "human_task", ["status", "role"])
    op.create_index("ix_task_instance", "human_task", ["instance_id"])
    op.create_table(
        "timer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("process_instance.id"),
                  nullable=False, index=True),
        sa.Column("spiff_task_id", sa.String(36), nullable=False, unique=True),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("due_at", Moment, nullable=False, index=True),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", Moment, nullable=False, index=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(50), nullable=False),
        sa.Column("instance_id", sa.Integer, index=True),
        sa.Column("task_id", sa.Integer),
        sa.Column("element_id", sa.String(200)),
        sa.Column("data_keys", JSONDocument, nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_table(
        "engine_setting",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    _protect_audit_events()


def _protect_audit_events() -> None:
    """Refuse UPDATE and DELETE on audit events in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    for table in ("engine_setting", "audit_event", "timer", "human_task",
                  "process_instance", "process_definition"):
        op.drop_table(table)
