"""A case knows when any of its procedures last moved, so the case list is read from
the cases, newest activity first, one page at a time, instead of grouping every
instance ever run by case on each request.

``case_record.last_active_at`` is the latest ``updated_at`` of the case's instances. The
database keeps it, so no way of writing an instance (a completion, a timer batch, a
status change, a bulk load, a restore) can forget it:

- after an instance is added, or its ``updated_at`` changes, the case's value is moved
  forward to it (never back);
- after a case record is added, its value is read from the instances already written
  in the same transaction (the order of the two inserts is the ORM's to choose).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

Moment = sa.DateTime(timezone=True)

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

MOVE_FORWARD = """
    UPDATE case_record SET last_active_at = NEW.updated_at
     WHERE code = NEW.case_code AND NEW.updated_at IS NOT NULL
       AND (last_active_at IS NULL OR last_active_at < NEW.updated_at)"""
FROM_INSTANCES = """
    UPDATE case_record SET last_active_at = (
        SELECT max(updated_at) FROM process_instance WHERE case_code = NEW.code)
     WHERE code = NEW.code"""

POSTGRESQL = [
    f"""CREATE FUNCTION case_moved_forward() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {MOVE_FORWARD}; RETURN NULL; END $$""",
    """CREATE TRIGGER instance_moves_case AFTER INSERT OR UPDATE OF updated_at
        ON process_instance FOR EACH ROW EXECUTE FUNCTION case_moved_forward()""",
    f"""CREATE FUNCTION case_read_from_instances() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {FROM_INSTANCES}; RETURN NULL; END $$""",
    """CREATE TRIGGER case_starts_from_instances AFTER INSERT ON case_record
        FOR EACH ROW EXECUTE FUNCTION case_read_from_instances()""",
]
SQLITE = [
    f"""CREATE TRIGGER instance_added_moves_case AFTER INSERT ON process_instance
        BEGIN {MOVE_FORWARD}; END""",
    f"""CREATE TRIGGER instance_moves_case AFTER UPDATE OF updated_at ON process_instance
        BEGIN {MOVE_FORWARD}; END""",
    f"""CREATE TRIGGER case_starts_from_instances AFTER INSERT ON case_record
        BEGIN {FROM_INSTANCES}; END""",
]


def upgrade() -> None:
    with op.batch_alter_table("case_record") as table:
        table.add_column(sa.Column("last_active_at", Moment, nullable=True))
    op.execute("""UPDATE case_record SET last_active_at = (
                      SELECT max(updated_at) FROM process_instance
                       WHERE process_instance.case_code = case_record.code)""")
    op.create_index("ix_case_last_active", "case_record", ["last_active_at", "code"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_starts_from_instances ON case_record")
        op.execute("DROP TRIGGER instance_moves_case ON process_instance")
        op.execute("DROP FUNCTION case_read_from_instances()")
        op.execute("DROP FUNCTION case_moved_forward()")
    else:
        for trigger in ("case_starts_from_instances", "instance_moves_case",
                        "instance_added_moves_case"):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_index("ix_case_last_active", table_name="case_record")
    with op.batch_alter_table("case_record") as table:
        table.drop_column("last_active_at")
