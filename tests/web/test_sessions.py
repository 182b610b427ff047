"""A session ends when she signs out, and with a new password, new roles or deactivation.

A copy of her cookie (from a shared computer, a stolen laptop, a proxy) is worth no more
than the session it came from: once that ends, the copy is sent to sign in.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from cli import main
from tests.web_app import csrf_of

COOKIE = "varnapot_session"


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    copy = app.test_client()
    copy.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return copy


def refused(client: FlaskClient) -> bool:
    page = client.get("/worklist")
    api = client.get("/api/tasks/")
    return (page.status_code == 302 and "/login" in page.headers["Location"]
            and api.status_code == 401)


@pytest.fixture
def task(engine):
    instance = engine.runtime.start("reflection_period", "SI-GGGG-HHHH", actor="coord")
    (open_task,) = engine.runtime.instance(instance.id).open_tasks
    return open_task


def test_signing_out_ends_every_copy_of_the_session(app, engine, signed_in, task):
    police = signed_in("police")
    other_browser = signed_in("police")
    csrf = csrf_of(police.get(f"/tasks/{task.id}").get_data(as_text=True))
    stolen = copy_of(app, police)
    assert stolen.get("/worklist").status_code == 200  # the copy works while she is in

    assert police.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert refused(stolen)
    assert refused(other_browser)
    claimed = stolen.post(f"/tasks/{task.id}/claim", data={"csrf_token": csrf})
    assert claimed.status_code == 302 and "/login" in claimed.headers["Location"]
    assert stolen.post(f"/api/tasks/{task.id}/claim", headers={"X-CSRFToken": csrf},
                       json={}).status_code == 401
    assert engine.tasks.task(task.id).assignee is None
    assert signed_in("police").get("/worklist").status_code == 200  # she signs in again


def test_a_new_password_set_with_the_command_ends_her_sessions(app, engine, signed_in,
                                                               database_url, monkeypatch):
    police = signed_in("police")
    stolen = copy_of(app, police)
    assert stolen.get("/worklist").status_code == 200
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["users", "password", "police", "--generate"])
    assert result.exit_code == 0, result.output
    assert refused(stolen)
    assert refused(police)


@pytest.mark.parametrize("change", [
    {"roles": ["police", "first_line"]},
    {"active": False},
])
def test_new_roles_or_deactivation_end_her_sessions(app, engine, signed_in, change):
    police = signed_in("police")
    stolen = copy_of(app, police)
    assert stolen.get("/worklist").status_code == 200
    engine.users.update("police", **change)
    engine.users.update("police", active=True)  # taken back: the old sessions stay ended
    assert refused(stolen)
    assert refused(police)
    assert signed_in("police").get("/worklist").status_code == 200


def test_another_users_session_goes_on(app, signed_in):
    coordinator = signed_in("coordinator")
    police = signed_in("police")
    csrf = csrf_of(police.get("/worklist").get_data(as_text=True))
    police.post("/logout", data={"csrf_token": csrf})
    assert coordinator.get("/worklist").status_code == 200
