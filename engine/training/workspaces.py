"""Training workspaces: practise a scripted case in groups, apart from live data.

A workspace is opened by a trainer on one scripted case. Steps, and what fails:

1. **Open.** Its records go to ``training.db`` in the training folder (never the live
   database), and each group gets a database file of its own, ``ws<id>-g<n>.db``: a
   whole engine on a manual clock set to the script's start, with no mail, the
   procedures deployed, and the case started and played to where the script hands over
   (``[[setup]]``). A setup step that does not complete stops the opening, and the files
   already made are removed: no half-built workspace is left.
2. **Join.** A trainee joins with the workspace's join code, a pseudonym, a group and a
   role; she becomes a user of her group's engine only, with that role. A wrong code, a
   taken pseudonym, a group or role the script does not have is refused, and nothing is
   stored.
3. **Play.** Her pages run against her group's engine (``web.common.training``). The
   trainer moves the clock of one group or all, which fires what came due in each, and
   injects the script's events: a notice to roles, or a procedure started for the case.
   An event is injected once per group.
4. **Test.** Before and after, each trainee answers the question bank once per test.
5. **Debrief and report.** Read from the groups' engines and the answers: what each group
   did against the expected decisions and deadlines, and the share of right answers
   before and after by question, sector and trainee.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from engine.config import EngineConfig
from engine.errors import BadRequest, Conflict, NotFound, ValidationFailed
from engine.process_engine import ProcessEngine

from . import store
from .scripts import TRAINING, QuestionBank, ScriptedCase, question_bank, scripted_cases
from .views import GroupView, InjectedView, TraineeView, WorkspaceView

PROCESSES = TRAINING.parent
MAX_GROUPS = 12
TESTS = ("pre", "post")
SETUP_ACTOR = "training-setup"
TODAY = "{today}"
"""In an event's data: the group's date when it is injected."""
_PSEUDONYM = re.compile(r"^[\w .'-]{2,40}$")


class TrainingService:
    """The workspaces of one training folder, and an engine per group, opened once."""

    def __init__(self, live: EngineConfig, folder: Path, scripts: Path = TRAINING,
                 processes: Path = PROCESSES) -> None:
        self.live, self.folder = live, folder
        self.scripts_folder, self.processes = scripts, processes
        self.db = store.open_store(folder)
        self._engines: dict[tuple[int, int], ProcessEngine] = {}
        self._scripts: dict[str, ScriptedCase] | None = None
        self._questions: QuestionBank | None = None

    # --- the library -------------------------------------------------------------------

    def scripts(self) -> dict[str, ScriptedCase]:
        """The scripted cases, read once: the library ships with the product, and every
        trainer's page and each join would otherwise parse all of it again."""
        if self._scripts is None:
            self._scripts = scripted_cases(self.scripts_folder)
        return self._scripts

    def questions(self) -> QuestionBank:
        """The question bank, read once, as the scripts are."""
        if self._questions is None:
            self._questions = question_bank(self.scripts_folder)
        return self._questions

    # --- workspaces --------------------------------------------------------------------

    def open_workspace(self, name: str, case_key: str, groups: int, *,
                       trainer: str) -> WorkspaceView:
        """A workspace with ``groups`` copies of the scripted case, each on its clock."""
        name = (name or "").strip()
        problems: dict[str, list[str]] = {}
        if not name or len(name) > 200:
            problems["name"] = ["Give the training a name of at most 200 characters."]
        scripts = self.scripts()
        if case_key not in scripts:
            problems["case"] = [f"No scripted case {case_key!r}; choose one of "
                                f"{', '.join(sorted(scripts))}."]
        if isinstance(groups, bool) or not isinstance(groups, int) \
                or not 1 <= groups <= MAX_GROUPS:
            problems["groups"] = [f"Give 1 to {MAX_GROUPS} groups."]
        if problems:
            raise ValidationFailed("no workspace was opened", problems)
        script = scripts[case_key]
        with self.db.begin() as conn:
            workspace_id = conn.execute(insert(store.workspace).values(
                name=name, case_key=case_key, join_code=secrets.token_hex(3).upper(),
                opened_by=trainer, opened_at=datetime.now(UTC).isoformat())
            ).inserted_primary_key[0]
        made: list[Path] = []
        try:
            for number in range(1, groups + 1):
                made.append(self._path(workspace_id, number))
                instance_id = self._play_setup(workspace_id, number, script)
                with self.db.begin() as conn:
                    conn.execute(insert(store.group).values(
                        workspace_id=workspace_id, number=number, instance_id=instance_id))
        except Exception:
            self._discard(workspace_id, made)
            raise
        return self.workspace(workspace_id)

    def _play_setup(self, workspace_id: int, number: int, script: ScriptedCase) -> int:
        engine = self.group_engine(workspace_id, number, create=True)
        engine.set_clock(script.starts.astimezone(UTC), rewind=True)
        engine.repository.deploy(self.processes, note="training workspace")
        instance = engine.runtime.start(script.procedure, script.code,
                                        script.start_data or None, actor=SETUP_ACTOR,
                                        jurisdiction=script.jurisdiction)
        for step in script.setup:
            open_tasks = [t for t in engine.tasks.tasks(case_code=script.code)
                          if t.element_id == step.task]
            if not open_tasks:
                raise Conflict(f"{script.key}: setup step {step.task} is not open in the "
                               "procedure")
            engine.tasks.complete(open_tasks[0].id, SETUP_ACTOR, step.data)
        return instance.id

    def _discard(self, workspace_id: int, paths: list[Path]) -> None:
        for number in range(1, MAX_GROUPS + 1):
            engine = self._engines.pop((workspace_id, number), None)
            if engine is not None:
                engine.close()
        for path in paths:
            path.unlink(missing_ok=True)
        with self.db.begin() as conn:
            conn.execute(store.group.delete().where(store.group.c.workspace_id == workspace_id))
            conn.execute(store.workspace.delete().where(store.workspace.c.id == workspace_id))

    def _path(self, workspace_id: int, number: int) -> Path:
        return self.folder / f"ws{workspace_id}-g{number}.db"

    def group_engine(self, workspace_id: int, number: int, *,
                     create: bool = False) -> ProcessEngine:
        """The engine of one group, on its own database file and manual clock."""
        key = (workspace_id, number)
        if key not in self._engines:
            path = self._path(workspace_id, number)
            if not create and not path.exists():
                raise NotFound(f"no group {number} in training workspace {workspace_id}")
            config = dataclasses.replace(self.live, database_url=f"sqlite:///{path}",
                                         clock="manual", smtp_url=None, engine_options={},
                                         production=False)
            engine = ProcessEngine(config)
            if create:
                engine.upgrade_database()
            self._engines[key] = engine
        return self._engines[key]

    def workspaces(self) -> list[WorkspaceView]:
        with self.db.connect() as conn:
            ids = conn.scalars(select(store.workspace.c.id)
                               .order_by(store.workspace.c.id.desc())).all()
        return [self.workspace(i) for i in ids]

    def workspace(self, workspace_id: int) -> WorkspaceView:
        with self.db.connect() as conn:
            row = conn.execute(select(store.workspace).where(
                store.workspace.c.id == workspace_id)).first()
            if row is None:
                raise NotFound(f"no training workspace {workspace_id}")
            groups = conn.execute(select(store.group).where(
                store.group.c.workspace_id == workspace_id)
                .order_by(store.group.c.number)).all()
            trainees = [_trainee(t) for t in conn.execute(select(store.trainee).where(
                store.trainee.c.workspace_id == workspace_id)
                .order_by(store.trainee.c.pseudonym))]
            events = conn.execute(select(store.injected).where(
                store.injected.c.workspace_id == workspace_id)
                .order_by(store.injected.c.id)).all()
        script = self.scripts().get(row.case_key)
        titles = {e.id: e.title for e in script.events} if script else {}
        return WorkspaceView(
            id=row.id, name=row.name, case_key=row.case_key,
            case_title=script.title if script else row.case_key, join_code=row.join_code,
            opened_by=row.opened_by, opened_at=datetime.fromisoformat(row.opened_at),
            groups=[GroupView(
                number=g.number, clock=self._clock(workspace_id, g.number),
                instance_id=g.instance_id,
                trainees=[t for t in trainees if t.group == g.number],
                injected=[InjectedView(event_id=e.event_id, title=titles.get(e.event_id, ""),
                                       at=datetime.fromisoformat(e.at))
                          for e in events if e.group_number == g.number])
                for g in groups])

    def name(self, workspace_id: int) -> str:
        """The workspace's name alone: every page of a trainee's session shows it, and
        needs none of the groups' clocks or trainees."""
        with self.db.connect() as conn:
            found = conn.scalar(select(store.workspace.c.name)
                                .where(store.workspace.c.id == workspace_id))
        if found is None:
            raise NotFound(f"no training workspace {workspace_id}")
        return str(found)

    def script_of(self, workspace: WorkspaceView) -> ScriptedCase:
        script = self.scripts().get(workspace.case_key)
        if script is None:
            raise NotFound(f"the scripted case {workspace.case_key!r} is no longer in the "
                           "library")
        return script

    def _clock(self, workspace_id: int, number: int) -> datetime:
        engine = self.group_engine(workspace_id, number)
        engine.reload_clock()
        return engine.clock.now()

    # --- trainees ----------------------------------------------------------------------

    def join(self, join_code: str, pseudonym: str, group: int, role: str,
             sector: str) -> tuple[TraineeView, str]:
        """Add a trainee to her group's engine with her role; her view and a one-time
        password to sign her in to that engine (the page does it at once)."""
        with self.db.connect() as conn:
            row = conn.execute(select(store.workspace).where(
                store.workspace.c.join_code == (join_code or "").strip().upper())).first()
        problems: dict[str, list[str]] = {}
        if row is None:
            raise ValidationFailed("you did not join", {"code": [
                "No training has this join code: ask your trainer for it."]})
        workspace = self.workspace(row.id)
        script = self.script_of(workspace)
        pseudonym = " ".join((pseudonym or "").split())
        if not _PSEUDONYM.match(pseudonym):
            problems["pseudonym"] = ["Give a pseudonym of 2 to 40 letters, digits or spaces "
                                     "(not your name)."]
        if group not in [g.number for g in workspace.groups]:
            problems["group"] = [f"Choose a group from 1 to {len(workspace.groups)}."]
        if role not in script.roles:
            problems["role"] = [f"Choose one of the case's roles: {', '.join(script.roles)}."]
        if sector not in self.questions().sectors:
            problems["sector"] = ["Choose your sector."]
        if problems:
            raise ValidationFailed("you did not join", problems)
        with self.db.begin() as conn:
            username = f"trainee-{secrets.token_hex(4)}"  # never her name, never reused
            try:
                trainee_id = conn.execute(insert(store.trainee).values(
                    workspace_id=workspace.id, group_number=group, pseudonym=pseudonym,
                    role=role, sector=sector, username=username)).inserted_primary_key[0]
            except IntegrityError:
                raise ValidationFailed("you did not join", {"pseudonym": [
                    "This pseudonym is taken in this training: choose another."]}) from None
            engine = self.group_engine(workspace.id, group)
            engine.users.add(username, [role], display_name=pseudonym)
            password = secrets.token_urlsafe(24)
            engine.credentials.set_password(username, password, by="training")
        return TraineeView(id=trainee_id, workspace=workspace.id, pseudonym=pseudonym,
                           role=role, sector=sector, group=group, username=username), password

    def trainee(self, workspace_id: int, username: str) -> TraineeView:
        with self.db.connect() as conn:
            row = conn.execute(select(store.trainee).where(
                store.trainee.c.workspace_id == workspace_id,
                store.trainee.c.username == username)).first()
        if row is None:
            raise NotFound(f"no trainee {username!r} in workspace {workspace_id}")
        return _trainee(row)

    # --- the facilitator's hand --------------------------------------------------------

    def move_clock(self, workspace_id: int, days: int, group: int | None = None) -> None:
        """Move the clock of one group, or of all, forward by ``days``: what came due
        fires in each, as it would have over those days."""
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
            raise BadRequest("move the clock by 1 to 366 days")
        for number in self._groups(workspace_id, group):
            engine = self.group_engine(workspace_id, number)
            engine.reload_clock()
            engine.advance_clock(timedelta(days=days))

    def inject(self, workspace_id: int, event_id: str, group: int | None = None) -> None:
        """Inject a scripted event into one group or all, once each."""
        workspace = self.workspace(workspace_id)
        script = self.script_of(workspace)
        event = next((e for e in script.events if e.id == event_id), None)
        if event is None:
            raise NotFound(f"the case has no event {event_id!r}")
        numbers = self._groups(workspace_id, group)
        done = {g.number for g in workspace.groups
                if any(i.event_id == event_id for i in g.injected)}
        if group is not None and group in done:
            raise Conflict(f"{event.title}: already injected into group {group}")
        for number in (n for n in numbers if n not in done):
            engine = self.group_engine(workspace_id, number)
            engine.reload_clock()
            if event.start:
                today = engine.ctx.today().isoformat()
                data = {k: today if v == TODAY else v for k, v in event.data.items()}
                engine.runtime.start(event.start, script.code, data or None,
                                     actor="training-event")
            else:
                engine.inbox.post(event.roles, event.title, event.notice,
                                  source="training", actor="training-event",
                                  case_code=script.code)
            with self.db.begin() as conn:
                conn.execute(insert(store.injected).values(
                    workspace_id=workspace_id, group_number=number, event_id=event_id,
                    at=engine.clock.now().isoformat()))

    def _groups(self, workspace_id: int, group: int | None) -> list[int]:
        numbers = [g.number for g in self.workspace(workspace_id).groups]
        if group is None:
            return numbers
        if group not in numbers:
            raise NotFound(f"no group {group} in training workspace {workspace_id}")
        return [group]

    # --- knowledge tests ---------------------------------------------------------------

    def answer(self, workspace_id: int, username: str, test: str,
               chosen: Mapping[str, int]) -> int:
        """Store one trainee's answers to a test, once; how many were right."""
        if test not in TESTS:
            raise BadRequest(f"unknown test {test!r}; use pre or post")
        trainee = self.trainee(workspace_id, username)
        bank = self.questions()
        missing = [q.id for q in bank.questions if q.id not in chosen]
        bad = [q.id for q in bank.questions if q.id in chosen
               and (not isinstance(chosen[q.id], int) or not 0 <= chosen[q.id] < len(q.options))]
        if missing or bad:
            raise ValidationFailed("your answers were not stored", {
                **({"missing": ["Answer every question: " + ", ".join(missing)]}
                   if missing else {}),
                **({"invalid": ["Not an option: " + ", ".join(bad)]} if bad else {})})
        rows = [{"workspace_id": workspace_id, "trainee_id": trainee.id, "test": test,
                 "question_id": q.id, "chosen": chosen[q.id],
                 "right": int(chosen[q.id] == q.answer)} for q in bank.questions]
        try:
            with self.db.begin() as conn:
                conn.execute(insert(store.answer), rows)
        except IntegrityError:
            raise Conflict(f"you have already taken the {test}-test") from None
        return sum(r["right"] for r in rows)

    def taken(self, workspace_id: int, username: str) -> set[str]:
        """The tests a trainee has taken."""
        trainee = self.trainee(workspace_id, username)
        with self.db.connect() as conn:
            return set(conn.scalars(select(store.answer.c.test).where(
                store.answer.c.trainee_id == trainee.id).distinct()))

    def answers(self, workspace_id: int) -> list[Any]:
        with self.db.connect() as conn:
            return list(conn.execute(select(store.answer).where(
                store.answer.c.workspace_id == workspace_id)))

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
        self.db.dispose()


def _trainee(row: Any) -> TraineeView:
    return TraineeView(id=row.id, workspace=row.workspace_id, pseudonym=row.pseudonym,
                       role=row.role, sector=row.sector, group=row.group_number,
                       username=row.username)
