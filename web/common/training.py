"""A trainee's session plays her group's training case, and every page says so.

When she joins a training (``web.pages.training``), her browser session names the
workspace and the group; from then on, before each request, her group's engine takes
the live engine's place (``acting.engine``): she signs in to it, and her worklist, tasks,
cases, deadlines and inbox are the group's. A banner on every page says it is a training
on fictitious cases, with the group's clock. Nothing she does reaches the live database.
Leaving ends her session in the group's engine and returns her browser to live pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, session
from flask_login import logout_user

from engine.errors import NotFound
from engine.training import TrainingService

from .acting import engine

SESSION_KEY = "training"


def init_app(app: Flask) -> None:
    app.before_request(_enter_training)
    app.context_processor(_banner)


def training() -> TrainingService:
    """The training workspaces of this deployment, opened once per process."""
    service: TrainingService | None = current_app.extensions.get("varnapot_training")
    if service is None:
        folder = Path(current_app.config.get("TRAINING_DIR")
                      or os.environ.get("VARNAPOT_TRAINING_DIR")
                      or Path(current_app.instance_path) / "training")
        service = TrainingService(engine().config, folder)
        current_app.extensions["varnapot_training"] = service
    return service


def enter(workspace_id: int, group: int) -> None:
    """From now on this browser session plays ``group`` of ``workspace_id``."""
    session[SESSION_KEY] = {"workspace": workspace_id, "group": group}
    g.training_engine = training().group_engine(workspace_id, group)


def leave() -> None:
    """Back to live pages: her session in the group's engine ends first."""
    logout_user()
    session.pop(SESSION_KEY, None)
    g.pop("training_engine", None)


def playing() -> dict[str, int] | None:
    found = session.get(SESSION_KEY)
    return found if isinstance(found, dict) else None


def _enter_training() -> None:
    place = playing()
    if place is None:
        return
    try:
        group_engine = training().group_engine(int(place["workspace"]), int(place["group"]))
    except (NotFound, KeyError, TypeError, ValueError):
        session.pop(SESSION_KEY, None)  # the workspace is gone: live pages again
        logout_user()
        return
    group_engine.reload_clock()  # the trainer moves it from her own pages
    g.training_engine = group_engine


def _banner() -> dict[str, Any]:
    place = playing()
    if place is None or "training_engine" not in g:
        return {"training": None}
    return {"training": {"workspace": training().name(int(place["workspace"])),
                         "group": place["group"],
                         "clock": g.training_engine.clock.now()}}
