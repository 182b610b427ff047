"""On PostgreSQL, closed instances live in a partition of their own.

``process_instance`` becomes a table partitioned by its status: ``process_instance_live``
holds the procedures that can still move (running, waiting, suspended, incident) and
``process_instance_closed`` those that ended (completed, cancelled). An instance that
ends moves across in the UPDATE that closes it. Every query that names live statuses
is planned against the live partition alone, so ten years of closed cases are never
read to answer the lists people work from, whatever plan the query gets.

A partitioned table's unique keys must hold its partition key, so its primary key is
``(id, status)`` and no foreign key can name ``process_instance(id)`` alone. The four
tables that pointed at it (tasks, timers, deadlines, notifications) keep the same rule
through a trigger: a row naming an instance that does not exist is refused, with the
foreign-key violation's own error code. Instances were never deleted; now the database
refuses to delete one, as it refused before to delete one that anything pointed at.

SQLite, a single office's database, keeps its one table and its foreign keys.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

LIVE = ("running", "waiting", "suspended", "incident")
CLOSED = ("completed", "cancelled")
REFERRING = ("human_task", "timer", "legal_deadline", "notification")
COLUMNS = """
    id integer NOT NULL DEFAULT nextval('process_instance_id_seq'::regclass),
    definition_id integer NOT NULL,
    process_key varchar(200) NOT NULL,
    case_code varchar(100) NOT NULL,
    status varchar(20) NOT NULL,
    revision integer NOT NULL,
    incident_element varchar(200),
    incident_message text,
    started_at timestamptz NOT NULL,
    started_by varchar(200) NOT NULL,
    updated_at timestamptz NOT NULL,
    ended_at timestamptz,
    bindings json,
    state bytea COMPRESSION lz4 NOT NULL,
    variables bytea NOT NULL,
    paused_by integer"""
NAMES = ("id, definition_id, process_key, case_code, status, revision, incident_element, "
         "incident_message, started_at, started_by, updated_at, ended_at, bindings, state, "
         "variables, paused_by")
INDEXES = (
    "CREATE INDEX ix_instance_status_started ON process_instance (status, started_at, id)",
    "CREATE INDEX ix_instance_process_started ON process_instance (process_key, started_at, id)",
    "CREATE INDEX ix_instance_started ON process_instance (started_at, id)",
    "CREATE INDEX ix_instance_status_ended ON process_instance (status, ended_at)",
    "CREATE INDEX ix_process_instance_case_code ON process_instance (case_code)",
)
MOVES_CASE = """CREATE TRIGGER instance_moves_case AFTER INSERT OR UPDATE OF updated_at
    ON process_instance FOR EACH ROW EXECUTE FUNCTION case_moved_forward()"""
INSTANCE_MUST_EXIST = """
CREATE FUNCTION instance_must_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.instance_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM process_instance WHERE id = NEW.instance_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%s.instance_id %s names no process instance',
                             TG_TABLE_NAME, NEW.instance_id);
    END IF;
    RETURN NEW;
END $$"""
INSTANCES_KEPT = """
CREATE FUNCTION process_instance_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
        MESSAGE = 'process instances are kept: their tasks, timers, deadlines and '
                  'notifications name them';
END $$"""


def _quoted(statuses: tuple[str, ...]) -> str:
    return ", ".join(f"'{status}'" for status in statuses)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in REFERRING:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_instance_id_fkey")
    _rebuild(" PARTITION BY LIST (status)", "id, status", [
        "CREATE TABLE process_instance_live PARTITION OF process_instance "
        f"FOR VALUES IN ({_quoted(LIVE)})",
        "CREATE TABLE process_instance_closed PARTITION OF process_instance "
        f"FOR VALUES IN ({_quoted(CLOSED)})"])
    op.execute(INSTANCE_MUST_EXIST)
    for table in REFERRING:
        op.execute(f"CREATE TRIGGER {table}_instance_exists BEFORE INSERT OR UPDATE OF "
                   f"instance_id ON {table} FOR EACH ROW EXECUTE FUNCTION "
                   "instance_must_exist()")
    op.execute(INSTANCES_KEPT)
    # A statement trigger of a partitioned table does not fire for a DELETE that names
    # a partition, so each partition carries its own.
    for table in ("process_instance", "process_instance_live", "process_instance_closed"):
        op.execute(f"CREATE TRIGGER {table}_kept BEFORE DELETE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION process_instance_kept()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in REFERRING:
        op.execute(f"DROP TRIGGER {table}_instance_exists ON {table}")
    op.execute("DROP FUNCTION instance_must_exist()")
    _rebuild("", "id", [])
    op.execute("DROP FUNCTION process_instance_kept()")
    for table in REFERRING:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_instance_id_fkey "
                   "FOREIGN KEY (instance_id) REFERENCES process_instance (id)")


def _rebuild(partitioning: str, primary_key: str, partitions: list[str]) -> None:
    """Copy the instances into a new ``process_instance`` laid out as ``partitioning``
    says, keeping their ids, the sequence, the indexes and the trigger that moves a case
    forward. The old table goes, with its own triggers."""
    op.execute("ALTER TABLE process_instance RENAME TO process_instance_previous")
    op.execute("ALTER SEQUENCE process_instance_id_seq OWNED BY NONE")
    op.execute(f"CREATE TABLE process_instance ({COLUMNS}){partitioning}")
    for partition in partitions:
        op.execute(partition)
    op.execute(f"INSERT INTO process_instance ({NAMES}) "
               f"SELECT {NAMES} FROM process_instance_previous")
    op.execute("DROP TABLE process_instance_previous")
    op.execute("ALTER SEQUENCE process_instance_id_seq OWNED BY process_instance.id")
    op.execute("ALTER TABLE process_instance ADD CONSTRAINT process_instance_pkey "
               f"PRIMARY KEY ({primary_key})")
    op.execute("ALTER TABLE process_instance ADD CONSTRAINT "
               "process_instance_definition_id_fkey FOREIGN KEY (definition_id) "
               "REFERENCES process_definition (id)")
    for index in INDEXES:
        op.execute(index)
    op.execute(MOVES_CASE)
