"""What an operator watches: liveness and readiness, one structured log line per request
that names no case and no secret, and Prometheus metrics at /metrics."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from engine import ProcessEngine
from engine.store.db import Database
from tests.product import product_config
from tests.web.api_task_steps import GRANT, started
from web import create_app
from web.common.request_log import JsonLines

CASE = "SI-OBS-0001"


def metric(client, name: str, **labels: str) -> float:
    """The value of one sample of /metrics (0 when it has none yet)."""
    body = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v
                                           for k, v in labels.items()):
                return sample.value
    return 0.0


def test_liveness_needs_no_database_and_readiness_needs_the_current_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    database = Database(url)
    database.upgrade("0018")  # a release behind: `varnapot db upgrade` not yet run
    database.dispose()
    engine = ProcessEngine(product_config(database_url=url, clock="manual"))
    client = create_app(engine=engine).test_client()
    try:
        assert client.get("/livez").get_json() == {"status": "alive"}
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "not ready", "database":
                                       "schema behind: run `varnapot db upgrade`"}
        engine.upgrade_database()
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.get_json() == {"status": "ready", "database": "ok"}
    finally:
        engine.close()


def test_readiness_is_503_when_the_database_is_gone(tmp_path):
    folder = tmp_path / "gone"
    engine = ProcessEngine(product_config(database_url=f"sqlite:///{folder}/varnapot.db",
                                          clock="manual"))
    engine.db.dispose()
    shutil.rmtree(folder)  # the disk it was on is gone: the file cannot be opened
    client = create_app(engine=engine).test_client()
    try:
        assert client.get("/livez").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "not ready", "database": "unreachable"}
    finally:
        engine.close()


def test_each_request_is_one_json_line_with_no_case_code_query_or_token(app, engine,
                                                                      bearer, caplog):
    instance, task = started(engine, code=CASE)
    headers = bearer("police")
    token = headers["Authorization"].removeprefix("Bearer ")
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="varnapot.requests"):
        client.get(f"/api/tasks/{task.id}?note=Julija+Novak", headers=headers)
        client.get(f"/cases/{CASE}?token={token}")
        client.get("/no/such/page?name=Julija")
    lines = [JsonLines().format(record) for record in caplog.records
             if record.name == "varnapot.requests"]
    assert len(lines) == 3
    for line in lines:
        assert token not in line and CASE not in line and "Julija" not in line
    api, page, missing = (json.loads(line) for line in lines)
    assert api["route"] == "/api/tasks/<int:task_id>" and api["ids"] == {"task_id": task.id}
    assert api["status"] == 200 and api["method"] == "GET"
    assert api["user"] == "police" and api["by_token"] is True
    assert api["duration_ms"] > 0 and api["message"] == "request"
    assert page["route"] == "/cases/<code>" and page["ids"] == {} and page["status"] == 302
    assert page["user"] is None
    assert missing["route"] is None and missing["status"] == 404


def test_a_request_id_is_echoed_when_plain_and_replaced_when_not(app):
    client = app.test_client()
    given = client.get("/livez", headers={"X-Request-ID": "lb-7f3a.2"})
    assert given.headers["X-Request-ID"] == "lb-7f3a.2"
    for hostile in ("a b", "x" * 65, '"}{"user":"admin'):
        answered = client.get("/livez", headers={"X-Request-ID": hostile})
        assert answered.headers["X-Request-ID"] != hostile
        assert len(answered.headers["X-Request-ID"]) == 32


def test_metrics_count_requests_completions_and_the_due_timers(app, engine, bearer):
    client = app.test_client()
    instance, task = started(engine, code=CASE)
    route = "/api/tasks/<int:task_id>/complete"
    completions = metric(client, "varnapot_task_completions_total")
    answered = metric(client, "varnapot_http_requests_total", method="POST", route=route,
                      status="200")
    response = client.post(f"/api/tasks/{task.id}/complete", json={"data": GRANT},
                           headers=bearer("police"))
    assert response.status_code == 200
    assert metric(client, "varnapot_task_completions_total") == completions + 1
    assert metric(client, "varnapot_http_requests_total", method="POST", route=route,
                  status="200") == answered + 1
    assert metric(client, "varnapot_http_request_duration_seconds_count", route=route) >= 1

    assert metric(client, "varnapot_timers_due") == 0
    engine.advance_clock(timedelta(days=400), fire=False)  # nobody fires: they wait
    due = metric(client, "varnapot_timers_due")
    assert due >= 1
    assert metric(client, "varnapot_timers_oldest_due_seconds") > 86400
    # Prometheus scrapes without signing in: what it reads names no case.
    response = app.test_client().get("/metrics")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert CASE not in response.get_data(as_text=True)
