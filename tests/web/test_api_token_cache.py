"""A web process keeps the API tokens it has just read for a few seconds, so an API call
needs no transaction of its own to know who sent it. What another process changes
meanwhile still holds where it matters: a completion checks the token again in its own
transaction, so a revoked token, a deactivated user or a role taken away completes
nothing, and nothing is changed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from engine.identity.bearers import TTL
from tests.web.api_task_steps import GRANT, started
from tests.web.worklist_steps import snapshot


def complete(app, task, headers):
    return app.test_client().post(f"/api/tasks/{task.id}/complete", json={"data": GRANT},
                                  headers=headers)


def worklist(app, headers):
    return app.test_client().get("/api/tasks/", headers=headers)


def test_a_token_revoked_by_another_process_completes_nothing(app, engine, make_engine,
                                                              bearer):
    instance, task = started(engine)
    police = bearer("police")
    assert worklist(app, police).status_code == 200  # this process now knows the token
    make_engine().credentials.revoke_tokens("police", by="admin")  # another process
    before = snapshot(engine, instance.id)
    response = complete(app, task, police)
    assert response.status_code == 401
    assert response.get_json()["message"] == "the bearer token is not valid"
    assert snapshot(engine, instance.id) == before

    # Reading may go on for the few seconds the entry lives, and not a moment longer.
    assert worklist(app, police).status_code == 200
    later = datetime.now(UTC) + TTL
    engine.credentials.wall_clock = lambda: later
    assert worklist(app, police).status_code == 401


def test_a_role_taken_away_by_another_process_is_the_role_the_completion_sees(
        app, engine, make_engine, bearer):
    instance, task = started(engine)
    police = bearer("police")
    assert worklist(app, police).status_code == 200
    other = make_engine()
    other.users.update("police", roles=["coordinator"])
    before = snapshot(engine, instance.id)
    assert complete(app, task, police).status_code == 403
    assert snapshot(engine, instance.id) == before

    other.users.update("police", roles=["police"])  # given back: the same token works
    response = complete(app, task, police)
    assert response.status_code == 200 and response.get_json()["status"] == "completed"


def test_a_user_deactivated_by_another_process_completes_nothing(app, engine, make_engine,
                                                                 bearer):
    instance, task = started(engine)
    police = bearer("police")
    assert worklist(app, police).status_code == 200
    make_engine().users.update("police", active=False)
    before = snapshot(engine, instance.id)
    assert complete(app, task, police).status_code == 401
    assert snapshot(engine, instance.id) == before


def test_what_this_process_revokes_or_changes_takes_effect_at_once(app, engine, bearer):
    police, coordinator = bearer("police"), bearer("coordinator")
    assert worklist(app, police).status_code == 200
    assert worklist(app, coordinator).status_code == 200
    engine.credentials.revoke_tokens("police", by="admin")
    assert worklist(app, police).status_code == 401
    engine.users.update("coordinator", active=False)
    assert worklist(app, coordinator).status_code == 401


def test_a_completion_through_the_api_is_one_transaction(app, engine, bearer):
    _, task = started(engine)
    police = bearer("police")
    assert worklist(app, police).status_code == 200
    begun: list[object] = []
    listener = begun.append
    event.listen(engine.db.engine, "begin", listener)
    try:
        response = complete(app, task, police)
    finally:
        event.remove(engine.db.engine, "begin", listener)
    assert response.status_code == 200
    # The manual clock of the tests is read before each request; the rest is one unit.
    assert len(begun) == 2
