"""A calendar address opens her deadline feed and nothing else, and no log keeps it.

The address travels: into calendar apps, their sync servers, a proxy's log. Whoever
copies it must not read who Julija is; an API token, in turn, does not open the feed.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.request
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from engine.store.models import AccessEvent, ProcessInstance
from tests.web.her_case import CODE
from tests.web_app import csrf_of
from web.common.request_log import redact


def calendar_address(client) -> str:
    """The address "Create my calendar address" shows her, as path and query."""
    page = client.get("/deadlines/").get_data(as_text=True)
    created = client.post("/deadlines/calendar", data={"csrf_token": csrf_of(page)})
    found = re.search(r'id="calendar-feed" value="([^"]+)"', created.get_data(as_text=True))
    assert found, created.get_data(as_text=True)
    parts = urlsplit(found.group(1).replace("&amp;", "&"))
    return f"{parts.path}?{parts.query}"


def token_of(address: str) -> str:
    return address.split("token=", 1)[1]


def counts(engine) -> tuple[int, int]:
    with engine.db.reading() as session:
        return (session.scalar(select(func.count()).select_from(AccessEvent)),
                session.scalar(select(func.count()).select_from(ProcessInstance)))


def test_a_calendar_token_opens_the_feed_and_not_her_record(recorded, app, engine,
                                                            signed_in):
    address = calendar_address(signed_in("coordinator"))
    token = token_of(address)
    client = app.test_client()
    assert client.get(address).status_code == 200
    before = counts(engine)
    for path in (f"/api/cases/{CODE}/person", f"/api/cases/{CODE}", "/api/cases",
                 "/api/tasks/", "/api/deadlines", "/api/process-instances"):
        for answer in (client.get(path, headers={"Authorization": f"Bearer {token}"}),
                       client.get(f"{path}?token={token}")):
            assert answer.status_code == 401, (path, answer.status_code)
            assert "Kovalenko" not in answer.get_data(as_text=True)
    started = client.post("/api/process-instances", headers={
        "Authorization": f"Bearer {token}"}, json={"process_key": "reflection_period",
                                                   "case": "SI-AAAA-2222", "data": {}})
    assert started.status_code == 401
    assert counts(engine) == before


def test_a_new_calendar_address_ends_the_one_before(julija, app, signed_in, bearer):
    client = signed_in("legal-adviser")
    first, second = calendar_address(client), calendar_address(client)
    feed = app.test_client()
    assert feed.get(f"/api/deadlines.ics?token={token_of(first)}").status_code == 401
    assert feed.get(f"/api/deadlines.ics?token={token_of(second)}").status_code == 200
    api = bearer("legal-adviser")  # her API tokens are not calendar addresses: they stay
    calendar_address(client)
    assert feed.get("/api/deadlines", headers=api).status_code == 200


def test_an_api_token_does_not_open_the_feed(julija, app, bearer):
    headers = bearer("legal-adviser")
    client = app.test_client()
    assert client.get("/api/deadlines", headers=headers).status_code == 200
    token = headers["Authorization"].removeprefix("Bearer ")
    assert client.get(f"/api/deadlines.ics?token={token}").status_code == 401
    assert client.get("/api/deadlines.ics", headers=headers).status_code == 401


@pytest.fixture
def server(app):
    """The app behind Werkzeug's own server, as ``varnapot run`` serves it."""
    served = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=served.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{served.server_port}"
    served.shutdown()
    thread.join()


def test_the_request_log_does_not_keep_the_calendar_token(julija, signed_in, server,
                                                          caplog):
    address = calendar_address(signed_in("legal-adviser"))
    with (caplog.at_level(logging.INFO, logger="werkzeug"),
          urllib.request.urlopen(server + address) as answer):
        assert answer.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/api/deadlines.ics?token=[redacted]" in line for line in lines), lines
    assert not any(token_of(address) in line for line in lines)


def test_a_new_password_ends_her_tokens_and_calendar_address(julija, app, signed_in, engine):
    client = signed_in("legal-adviser")
    address = calendar_address(client)
    api = engine.credentials.create_token("legal-adviser", "script", by="tests").token
    engine.credentials.set_password("legal-adviser", "Vrba na obali Save 1987!", by="tests")
    feed = app.test_client()
    assert feed.get(f"/api/deadlines.ics?token={token_of(address)}").status_code == 401
    assert feed.get("/api/deadlines", headers={"Authorization": f"Bearer {api}"}
                    ).status_code == 401


def test_a_percent_encoded_token_name_is_redacted_too():
    for line in ('"GET /api/deadlines.ics?%74oken=s3cr3t HTTP/1.1" 200 -',
                 '"GET /api/deadlines.ics?a=1&tok%65n=s3cr3t HTTP/1.1" 200 -'):
        assert "s3cr3t" not in redact(line)
    assert redact('"GET /cases?q=%41 HTTP/1.1"') == '"GET /cases?q=%41 HTTP/1.1"'
