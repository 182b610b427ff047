"""The task she acts on, for pages and resources alike."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import abort

from engine.errors import Forbidden, NotFound
from engine.views import InstanceView, TaskView

from .acting import acting_user, engine, reader


def own_task(task_id: int) -> TaskView:
    """The task, if it exists (404) and is one of her roles (403); pages and API alike."""
    with her_task():
        return engine().tasks.own_task(task_id, acting_user().roles)


@contextlib.contextmanager
def her_task() -> Iterator[None]:
    """A task that does not exist is a 404 and one of another role's lane a 403, told
    alike wherever the engine checks it (:func:`own_task`, a completion)."""
    try:
        yield
    except NotFound as exc:
        abort(404, description=exc.message)
    except Forbidden:
        abort(403)


def readable_instance(task: TaskView, what: str) -> InstanceView:
    """The task's instance with the data the task sees, only the variables her roles may
    read; the read is logged."""
    return engine().disclosure.task(reader(), task.id, what)
