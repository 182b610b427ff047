"""Engine configuration: one object built from the environment or by tests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.kit.jurisdiction import DEFAULT_JURISDICTION, JURISDICTIONS

DEFAULT_DATABASE_URL = "sqlite:///instance/varnapot.db"


@dataclass
class EngineConfig:
    """What a :class:`engine.ProcessEngine` needs to run.

    ``forms`` and ``handlers`` default to the registries of the ``forms`` and ``handlers``
    packages; tests pass their own to deploy small diagrams.
    """

    database_url: str = DEFAULT_DATABASE_URL
    clock: str = "system"
    jurisdiction: str = DEFAULT_JURISDICTION
    """The file ``<code>.toml`` in ``jurisdiction_folder`` whose legal numbers apply."""
    jurisdiction_folder: Path = JURISDICTIONS
    """Where the jurisdiction files are: ``processes/jurisdictions`` unless configured."""
    timezone: str | None = None
    """Overrides the jurisdiction's time zone (legal dates are local dates there)."""
    forms: Any = None
    handlers: Any = None
    person_record: Any = None
    """The form of her personal record; ``forms.person.PersonRecord`` by default."""
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
        )

    def __post_init__(self) -> None:
        if self.forms is None:
            from forms import FORMS

            self.forms = FORMS
        if self.handlers is None:
            from handlers import HANDLERS

            self.handlers = HANDLERS
        if self.person_record is None:
            from forms.person import PersonRecord

            self.person_record = PersonRecord


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a relative or absolute SQLite file, as ``instance/`` on first run."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.endswith(":memory:"):
        Path(url[len(prefix):]).parent.mkdir(parents=True, exist_ok=True)
