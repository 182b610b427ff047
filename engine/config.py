"""Engine configuration: one object built from the environment or by tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from marshmallow import Schema

from engine.kit.jurisdiction import DEFAULT_JURISDICTION, JURISDICTIONS

DEFAULT_DATABASE_URL = "sqlite:///instance/varnapot.db"


class Registry(Protocol):
    """Names -> what they name, as the engine reads a registry: a plain dict will do."""

    def get(self, key: str, /) -> Any: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...


FormRegistry = Registry
"""Form key -> form class: what diagrams name as a task's or start event's form."""

HandlerRegistry = Registry
"""Handler name -> function: what diagrams name as a service task's handler."""


class NoPersonRecord(Schema):
    """A record form with no fields: an engine configured without one keeps nothing."""


@dataclass
class EngineConfig:
    """What a :class:`engine.ProcessEngine` needs to run.

    ``forms`` and ``handlers`` are the registries diagrams name their forms and service
    tasks from, and ``person_record`` the form of her personal record: the composition
    root gives the product's (``cli.product``), tests their own. An engine given none
    runs diagrams without forms or service tasks and records no personal data.
    """

    database_url: str = DEFAULT_DATABASE_URL
    clock: str = "system"
    jurisdiction: str = DEFAULT_JURISDICTION
    """The file ``<code>.toml`` in ``jurisdiction_folder`` whose legal numbers apply."""
    jurisdiction_folder: Path = JURISDICTIONS
    """Where the jurisdiction files are: ``processes/jurisdictions`` unless configured."""
    timezone: str | None = None
    """Overrides the jurisdiction's time zone (legal dates are local dates there)."""
    forms: FormRegistry = field(default_factory=dict)
    """Form key -> form class (``forms.FORMS`` in the product)."""
    handlers: HandlerRegistry = field(default_factory=dict)
    """Handler name -> function (``handlers.HANDLERS`` in the product)."""
    person_record: Any = NoPersonRecord
    """The form of her personal record (``forms.person.PersonRecord`` in the product)."""
    document_kinds: tuple[Any, ...] = ()
    """The kinds of document her case file keeps (``forms.case_documents`` in the
    product): engine.protection.case_file.DocumentKind."""
    engine_options: dict[str, Any] = field(default_factory=dict)
    workflow_cache_size: int = 256
    """Restored workflows kept in memory between units of work (0 turns it off)."""
    smtp_url: str | None = None
    """``VARNAPOT_SMTP_URL``: e-mail notifications through this server
    (see engine.obligations.mail)."""
    master_key: bytes | None = None
    """The key that seals each case's data key (engine.crypto.keys); None reads the environment."""
    production: bool = False
    """``VARNAPOT_ENV=production``: the master key must come from the environment."""
    erasure_journal: Path | None = None
    """``VARNAPOT_ERASURE_JOURNAL``: where each erased case is written down, outside the
    database, so that a restored backup erases her again (engine.store.backup)."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> EngineConfig:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            clock=env.get("VARNAPOT_CLOCK", "system"),
            jurisdiction=env.get("VARNAPOT_JURISDICTION", DEFAULT_JURISDICTION),
            jurisdiction_folder=Path(env.get("VARNAPOT_JURISDICTIONS") or JURISDICTIONS),
            timezone=env.get("VARNAPOT_TIMEZONE") or None,
            workflow_cache_size=int(env.get("VARNAPOT_WORKFLOW_CACHE", "256")),
            smtp_url=env.get("VARNAPOT_SMTP_URL") or None,
            production=env.get("VARNAPOT_ENV") == "production",
            erasure_journal=Path(env.get("VARNAPOT_ERASURE_JOURNAL") or ERASURE_JOURNAL),
        )


ERASURE_JOURNAL = Path("instance") / "erased-cases"
"""Beside the master key: like it, kept out of the database's backups."""


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a relative or absolute SQLite file, as ``instance/`` on first run."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.endswith(":memory:"):
        Path(url[len(prefix):]).parent.mkdir(parents=True, exist_ok=True)
