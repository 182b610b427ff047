"""ProcessEngine: builds the services of one engine over one database and owns them."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError, ProgrammingError

from engine.config import EngineConfig
from engine.context import EngineContext
from engine.crypto.erasures import ErasureJournal
from engine.crypto.keys import KeyRing, MasterKeyError, encode_key, master_key_from
from engine.crypto.vault import Vault
from engine.errors import BadRequest
from engine.identity.bearers import BearerCache
from engine.identity.credentials import CredentialService
from engine.identity.users import UserService
from engine.jobs.timers import TimerService
from engine.kit.clock import ManualClock, make_clock
from engine.kit.jurisdiction import Jurisdictions, jurisdiction
from engine.obligations.consents import ConsentService
from engine.obligations.deadlines import DeadlineService
from engine.obligations.inbox import InboxService
from engine.obligations.mail import Mailer, parse_smtp_url
from engine.protection.access import AccessLog
from engine.protection.case_file import CaseFileService
from engine.protection.case_rights import CaseRights
from engine.protection.disclosure import DisclosureService
from engine.protection.person_records import PersonRecordService
from engine.protection.privacy import VariableKinds
from engine.services.analytics import AnalyticsService
from engine.services.case_transfer import CaseTransfer
from engine.services.cases import CaseService
from engine.services.drafts import DraftService
from engine.services.history import HistoryService
from engine.services.messages import MessageService
from engine.services.migration import MigrationService
from engine.services.referral_statistics import ReferralStatistics
from engine.services.repository import RepositoryService
from engine.services.runtime import RuntimeService
from engine.services.tasks import TaskService
from engine.store.db import Database
from engine.store.instances import InstanceStore
from engine.store.models import EngineSetting
from engine.store.workflow_cache import WorkflowCache

_CLOCK_SETTING = "manual_clock"
_KEY_CHECK_SETTING = "master_key_check"


class ProcessEngine:
    """Builds and owns the services of one engine over one database."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig.from_env()
        self.db = Database(self.config.database_url, **self.config.engine_options)
        self.jurisdiction = jurisdiction(self.config.jurisdiction,
                                         Path(self.config.jurisdiction_folder))
        self.clock = make_clock(self.config.clock)
        zone = ZoneInfo(self.config.timezone) if self.config.timezone else None
        self.ctx = EngineContext(
            db=self.db, clock=self.clock, timezone=zone or self.jurisdiction.timezone,
            jurisdiction=self.jurisdiction,
            mail=parse_smtp_url(self.config.smtp_url) if self.config.smtp_url else None,
            vault=Vault(KeyRing(self._master_key())),
            jurisdictions=Jurisdictions(self.jurisdiction,
                                        Path(self.config.jurisdiction_folder)),
        )
        forms, handlers = self.config.forms, self.config.handlers
        self.repository = RepositoryService(self.ctx, forms, handlers)
        store = InstanceStore(self.ctx, self.repository.deployed,
                              WorkflowCache(self.config.workflow_cache_size), handlers)
        self.runtime = RuntimeService(self.ctx, self.repository, store, forms)
        self.migration = MigrationService(self.ctx, store)
        self.tasks = TaskService(self.ctx, store, forms)
        self.drafts = DraftService(self.ctx, self.tasks)
        self.messages = MessageService(self.ctx, self.runtime, forms)
        self.history = HistoryService(self.ctx)
        self.analytics = AnalyticsService(self.ctx)
        self.statistics = ReferralStatistics(self.ctx)
        self.deadlines = DeadlineService(self.ctx)
        self.cases = CaseService(self.ctx)
        self.transfers = CaseTransfer(self.ctx)
        self.access = AccessLog(self.ctx)
        self.people = PersonRecordService(self.ctx, self.access, self.config.person_record)
        self.case_file = CaseFileService(self.ctx, self.access, self.config.document_kinds)
        self.consents = ConsentService(self.ctx, self.access, forms)
        self.rights = CaseRights(self.ctx, self.runtime, self.access, self.consents,
                                 self.case_file, ErasureJournal(self.config.erasure_journal)
                                 if self.config.erasure_journal else None)
        self.disclosure = DisclosureService(self.ctx, self.runtime, self.history, self.access,
                                            VariableKinds(forms))
        self.timers = TimerService(self.ctx, self.runtime.store, self.runtime.start_escalation)
        bearers = BearerCache()
        self.users = UserService(self.ctx, on_change=bearers.forget_user)
        self.credentials = CredentialService(self.ctx, bearers=bearers)
        self.inbox = InboxService(self.ctx)
        self.mail = Mailer(self.ctx)
        self._restore_clock()
        self._check_master_key()

    def upgrade_database(self) -> None:
        self.db.upgrade()
        self._restore_clock()
        self._check_master_key()

    def _master_key(self) -> bytes:
        """The configured key, else the environment's; refuse to run without one."""
        if self.config.master_key is not None:
            return self.config.master_key
        found = master_key_from(os.environ, default_file=not self.config.production)
        if found is None:
            raise MasterKeyError(
                "no master key: set VARNAPOT_MASTER_KEY or VARNAPOT_MASTER_KEY_FILE" + (
                    " (in production instance/master.key is not read)"
                    if self.config.production else ", or run `varnapot keys create`"))
        return found

    def _check_master_key(self) -> None:
        """Store the key's check value in a new database; refuse another key later."""
        keyring = self.ctx.vault.keyring
        try:
            with self.db.transaction() as session:
                stored = session.get(EngineSetting, _KEY_CHECK_SETTING)
                if stored is None:
                    session.add(EngineSetting(name=_KEY_CHECK_SETTING,
                                              value=encode_key(keyring.check_value())))
                    return
        except (OperationalError, ProgrammingError):
            return  # no schema yet: `db upgrade` has not run
        keyring.verify(base64.urlsafe_b64decode(stored.value))

    def close(self) -> None:
        self.db.dispose()

    # The manual clock is kept in the database so that the CLI, the server and a test
    # all see the same simulated time.

    def _manual_clock(self) -> ManualClock:
        if not isinstance(self.clock, ManualClock):
            raise BadRequest("the clock can only be moved when VARNAPOT_CLOCK=manual")
        return self.clock

    def reload_clock(self) -> None:
        """Read the manual clock again: another process (the CLI, a test) may have moved it."""
        self._restore_clock()

    def _restore_clock(self) -> None:
        if not isinstance(self.clock, ManualClock):
            return
        try:
            with self.db.reading() as session:
                stored = session.get(EngineSetting, _CLOCK_SETTING)
                value = stored.value if stored is not None else None
        except (OperationalError, ProgrammingError):
            return  # no schema yet: `db upgrade` has not run
        if value is not None:
            self.clock.set(datetime.fromisoformat(value))

    def _store_clock(self) -> None:
        with self.db.transaction() as session:
            session.merge(EngineSetting(name=_CLOCK_SETTING, value=self.clock.now().isoformat()))

    def set_clock(self, moment: datetime, *, rewind: bool = False) -> list[int]:
        """Set the manual clock and fire the timers now due.

        It never goes back unless ``rewind`` is given, which only makes sense when a
        simulation is being set up on an empty database.
        """
        clock = self._manual_clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.ctx.timezone)
        if moment < clock.now() and not rewind:
            raise BadRequest(f"the clock cannot go back from {clock.now().isoformat()}")
        clock.set(moment)
        self._store_clock()
        return self._fire_due()

    def advance_clock(self, delta: timedelta, *, fire: bool = True) -> list[int]:
        """Move the manual clock forward and fire the timers now due.

        ``fire=False`` lets time pass as if no scheduler ran (a server that was down), so
        that the next sweep shows how the engine catches up.
        """
        clock = self._manual_clock()
        if delta < timedelta():
            raise BadRequest("the clock only moves forward")
        clock.advance(delta)
        self._store_clock()
        return self._fire_due() if fire else []

    def _fire_due(self) -> list[int]:
        """Fire what the new time made due; the ids of the instances that moved."""
        moved = sorted({f.instance_id for f in self.timers.fire_due(worker="clock")})
        self.mail.deliver_pending(worker="clock")
        return moved
