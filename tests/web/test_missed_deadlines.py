"""Missed deadlines leave the legal adviser's list once someone who answers for them has
acknowledged them, so the list holds what still needs her, not every deadline missed
since the service began. The history keeps who acknowledged which and when."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.store.models import AuditEvent, LegalDeadline
from tests.web.api_task_steps import GRANT, started
from tests.web_app import csrf_of


def missed_ids(client, headers):
    response = client.get("/api/deadlines?missed=true", headers=headers)
    assert response.status_code == 200
    return [d["id"] for d in response.get_json()]


def rows(engine):
    with engine.db.reading() as session:
        return [(d.id, d.status, d.acknowledged_at, d.acknowledged_by)
                for d in session.scalars(select(LegalDeadline).order_by(LegalDeadline.id))]


def granted(app, engine, bearer) -> None:
    """Two cases whose stays the police granted."""
    client = app.test_client()
    for code in ("SI-MISS-0001", "SI-MISS-0002"):
        _, task = started(engine, code=code)
        assert client.post(f"/api/tasks/{task.id}/complete", json={"data": GRANT},
                           headers=bearer("police")).status_code == 200


def deadlines_missed(app, engine, bearer):
    """Months pass with nobody acting: their deadlines are missed."""
    granted(app, engine, bearer)
    engine.advance_clock(timedelta(days=200), fire=False)
    missed = missed_ids(app.test_client(), bearer("legal-adviser"))
    assert len(missed) >= 2
    return missed


def test_the_legal_adviser_acknowledges_a_missed_deadline_on_the_tracker(app, engine,
                                                                         bearer, signed_in):
    missed = deadlines_missed(app, engine, bearer)
    adviser = signed_in("legal-adviser")
    page = adviser.get("/deadlines/?missed=1").get_data(as_text=True)
    assert f'action="/deadlines/{missed[0]}/acknowledge"' in page
    response = adviser.post(f"/deadlines/{missed[0]}/acknowledge",
                            data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    assert response.status_code == 200
    assert "has left the list of missed deadlines" in response.get_data(as_text=True)
    assert missed_ids(app.test_client(), bearer("legal-adviser")) == missed[1:]
    (acknowledged,) = [r for r in rows(engine) if r[0] == missed[0]]
    assert acknowledged[3] == "legal-adviser" and acknowledged[2] is not None
    with engine.db.reading() as session:
        events = session.scalars(select(AuditEvent.actor).where(
            AuditEvent.event_type == "deadline_acknowledged")).all()
    assert events == ["legal-adviser"]
    # Still a missed deadline in the history and the full list: only the list moved on.
    everything = engine.deadlines.deadlines(status="missed")
    assert missed[0] in [d.id for d in everything]


def test_acknowledging_what_is_not_missed_or_not_hers_changes_nothing(app, engine, bearer):
    client, adviser = app.test_client(), bearer("legal-adviser")
    granted(app, engine, bearer)
    before = rows(engine)
    in_time = before[0][0]  # nothing is missed yet: nothing to take note of
    response = client.post(f"/api/deadlines/{in_time}/acknowledge", headers=adviser)
    assert response.status_code == 409 and "not missed" in response.get_json()["message"]
    assert rows(engine) == before

    engine.advance_clock(timedelta(days=200), fire=False)
    missed = missed_ids(client, adviser)
    assert client.post(f"/api/deadlines/{missed[0]}/acknowledge",
                       headers=adviser).status_code == 200
    before = rows(engine)
    for deadline_id, headers, status in ((missed[0], adviser, 409),           # twice
                                         (missed[1], bearer("police"), 403),  # not hers
                                         (999999, adviser, 404)):
        response = client.post(f"/api/deadlines/{deadline_id}/acknowledge", headers=headers)
        assert response.status_code == status, (deadline_id, response.get_json())
    assert rows(engine) == before
