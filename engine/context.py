"""What the services share: the database, the local clock, the jurisdiction and the vault.

Each service takes this and the other services it calls; what only some parts of the
engine use is given to those alone: the deployed specs live in the repository's
``Definitions``, the workflow cache and the serializer in the ``InstanceStore``, the
form registry goes to the services that load forms and the handler registry to the
ones that check and run diagrams. The mail settings stay here because any unit of work
may notify someone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from engine.crypto.keys import KeyRing, new_key
from engine.crypto.vault import Vault
from engine.kit.clock import Clock
from engine.kit.jurisdiction import Jurisdiction, JurisdictionError, Jurisdictions
from engine.store.db import Database

if TYPE_CHECKING:
    from engine.obligations.mail import SmtpSettings


@dataclass
class EngineContext:
    db: Database
    clock: Clock
    timezone: ZoneInfo
    jurisdiction: Jurisdiction
    mail: SmtpSettings | None = None
    """Where notifications are e-mailed; None keeps them in the in-app inbox only."""
    vault: Vault = field(default_factory=lambda: Vault(KeyRing(new_key())))
    """Seals each case's data with its key; ProcessEngine gives it the master key."""
    jurisdictions: Jurisdictions | None = None
    """Every jurisdiction the deployment serves; a case follows its own (None: only
    ``jurisdiction``, the deployment's)."""

    def __post_init__(self) -> None:
        self.db.hooks.now = self.now

    def jurisdiction_of(self, code: str | None) -> Jurisdiction:
        """The jurisdiction a case recorded (``SI``); the deployment's for None."""
        if code is None or code == self.jurisdiction.code:
            return self.jurisdiction
        if self.jurisdictions is None:
            raise JurisdictionError(f"{code!r} is not this deployment's jurisdiction")
        return self.jurisdictions.get(code)

    def jurisdiction_codes(self) -> list[str]:
        """The codes of every jurisdiction a case may be opened in (``SI``)."""
        return self.jurisdictions.codes() if self.jurisdictions else [self.jurisdiction.code]

    def procedure_owners(self, process_key: str) -> list[str]:
        """The jurisdictions whose own law a procedure runs (``residence_permit_art50``:
        ``SI``); none for a procedure every case may run."""
        return sorted(code for code in self.jurisdiction_codes()
                      if process_key in self.jurisdiction_of(code).procedures)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """The local date in the jurisdiction: legal dates have no time of day."""
        return self.clock.now().astimezone(self.timezone).date()
