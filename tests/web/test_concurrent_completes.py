"""Two police officers submit the same decision at once, through two servers.

One is answered 200; the other 409 with the API's error body, on SQLite and PostgreSQL
alike, and never 500. Only the winner's decision and deadline are kept.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import func, select

from engine.store.models import LegalDeadline
from tests.races import race
from tests.web.api_task_steps import GRANT, started
from web import create_app

ROUNDS = 25


def test_the_loser_of_two_simultaneous_api_completes_gets_409(app, engine, make_engine,
                                                              bearer):
    engine.users.add("police-2", ["police"])
    other = create_app(engine=make_engine(), SECRET_KEY="tests", TESTING=True)
    officers = [(app.test_client(), bearer("police")),
                (other.test_client(), bearer("police-2"))]
    for number in range(ROUNDS):
        instance, task = started(engine, f"SI-RACE-{number:04d}")
        path = f"/api/tasks/{task.id}/complete"
        responses = race(*(partial(client.post, path, headers=headers, json={"data": GRANT})
                           for client, headers in officers))
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.get_data(as_text=True) for r in responses]
        (lost,) = [r for r in responses if r.status_code == 409]
        assert lost.get_json() == {"error": "conflict", "fields": {},
                                   "message": f"task {task.id} is already completed"}
        (won,) = [r for r in responses if r.status_code == 200]
        after = engine.runtime.instance(instance.id)
        assert after.revision == instance.revision + 1
        (completed,) = engine.tasks.tasks(instance_id=instance.id, status="completed")
        assert completed.completed_by == won.get_json()["completed_by"]
        with engine.db.reading() as session:
            assert session.scalar(select(func.count()).select_from(LegalDeadline).where(
                LegalDeadline.instance_id == instance.id,
                LegalDeadline.kind == "reflection_end")) == 1
