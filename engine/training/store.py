"""The workspaces' own records: groups, trainees, injected events and test answers.

They live in ``training.db`` in the training folder, never in the live database; each
group's case lives in a database file of its own beside it (see
:mod:`engine.training.workspaces`). Trainees are known by a pseudonym only.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

workspace = Table(
    "training_workspace", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("case_key", String(100), nullable=False),
    Column("join_code", String(20), nullable=False, unique=True),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", String(40), nullable=False),  # ISO 8601
)

group = Table(
    "training_group", metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("training_workspace.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("instance_id", Integer, nullable=False),
    UniqueConstraint("workspace_id", "number"),
)

trainee = Table(
    "training_trainee", metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("training_workspace.id"), nullable=False),
    Column("group_number", Integer, nullable=False),
    Column("pseudonym", String(40), nullable=False),
    Column("role", String(64), nullable=False),
    Column("sector", String(64), nullable=False),
    Column("username", String(64), nullable=False),
    UniqueConstraint("workspace_id", "pseudonym"),
)

injected = Table(
    "training_event", metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("training_workspace.id"), nullable=False),
    Column("group_number", Integer, nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("at", String(40), nullable=False),  # ISO 8601, by the group's clock: case time
    UniqueConstraint("workspace_id", "group_number", "event_id"),
)

answer = Table(
    "training_answer", metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("training_workspace.id"), nullable=False),
    Column("trainee_id", ForeignKey("training_trainee.id"), nullable=False),
    Column("test", String(4), nullable=False),
    Column("question_id", String(40), nullable=False),
    Column("chosen", Integer, nullable=False),
    Column("right", Integer, nullable=False),
    UniqueConstraint("trainee_id", "test", "question_id"),
)


def open_store(folder: Path) -> Engine:
    """The training records of ``folder``, created on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    db = create_engine(f"sqlite:///{folder / 'training.db'}")
    metadata.create_all(db)
    return db
