"""Every endpoint of the API refuses a caller without credentials, and each endpoint that
is limited to some roles refuses the others, with JSON and nothing changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEvent, LegalDeadline, ProcessDefinition, ProcessInstance
from web import create_app

SAMPLE = {"task_id": "1", "key": "reflection_period", "version": "1", "instance_id": "1",
          "code": "SI-7K3Q-9F2M", "action": "suspend", "consent_id": "1",
          "deadline_id": "1"}

SPEC_PAGES = {"/api/openapi.json", "/api/docs", "/api/docs/"}
"""The document itself and the page that shows it."""

ROLE_LIMITED = [
    ("get", "/api/process-instances", "police"),
    ("post", "/api/process-instances", "legal-adviser"),
    ("get", "/api/process-instances/{id}", "police"),
    ("post", "/api/process-instances/{id}/suspend", "legal-adviser"),
    ("post", "/api/process-instances/{id}/cancel", "police"),
    ("post", "/api/process-instances/{id}/retry", "policy-analyst"),
    ("get", "/api/cases", "police"),
    ("get", "/api/cases/SI-7K3Q-9F2M", "ngo-counsellor"),
    ("get", "/api/history?instance={id}", "legal-adviser"),
    ("post", "/api/process-definitions/", "coordinator"),
    ("post", "/api/process-definitions/validate", "police"),
    ("post", "/api/clock", "police"),
    ("get", "/api/tasks/?role=coordinator", "police"),
    ("get", "/api/cases/SI-7K3Q-9F2M/access", "legal-adviser"),
    ("get", "/api/cases/SI-7K3Q-9F2M/person", "policy-analyst"),
    ("patch", "/api/cases/SI-7K3Q-9F2M/person", "police"),
    ("get", "/api/cases/SI-7K3Q-9F2M/consents", "police"),
    ("post", "/api/cases/SI-7K3Q-9F2M/consents", "legal-adviser"),
    ("post", "/api/cases/SI-7K3Q-9F2M/consents/1/withdraw", "police"),
]


def counts(engine) -> tuple[int, ...]:
    with engine.db.reading() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (AuditEvent, ProcessInstance, ProcessDefinition,
                                   LegalDeadline))


def operations(app) -> list[tuple[str, str]]:
    spec = app.test_client().get("/api/openapi.json").get_json()
    found = []
    for path, methods in spec["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)
        found += [(method, concrete) for method in methods
                  if method in ("get", "post", "patch")]
    return found


def test_the_spec_lists_every_resource(app):
    """Every method of every route the app serves under /api/ is in the OpenAPI document,
    with its parameters named as the route names them, and nothing else is."""
    spec = app.test_client().get("/api/openapi.json").get_json()
    documented = {(method.upper(), path) for path, methods in spec["paths"].items()
                  for method in methods if method in ("get", "post", "patch", "put",
                                                      "delete")}
    served = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        if not path.startswith("/api/") or path in SPEC_PAGES:
            continue
        served |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    for expected in ("/api/tasks/", "/api/process-definitions/", "/api/process-instances",
                     "/api/deadlines", "/api/deadlines.ics", "/api/cases", "/api/history",
                     "/api/clock", "/api/messages"):
        assert expected in spec["paths"]


def test_every_endpoint_needs_credentials(app, engine, julija):
    before = counts(engine)
    client = app.test_client()
    for method, path in operations(app):
        answer = getattr(client, method)(path, json={"reason": "x", "data": {}})
        assert answer.status_code == 401, (method, path, answer.status_code)
        assert answer.is_json and answer.get_json()["error"] == "unauthorized", path
    assert counts(engine) == before


@pytest.mark.parametrize(("method", "path", "user"), ROLE_LIMITED)
def test_other_roles_are_refused_and_nothing_changes(app, engine, bearer, julija,
                                                     method, path, user):
    headers = bearer(user)  # creating the token is audited: before the snapshot
    before = counts(engine)
    url = path.replace("{id}", str(julija.id))
    body = {"process_key": "reflection_period", "case": "SI-AAAA-2222", "reason": "x",
            "advance": "P1D"}
    answer = getattr(app.test_client(), method)(url, json=body, headers=headers)
    assert answer.status_code == 403, (url, answer.status_code, answer.get_data(as_text=True))
    assert answer.get_json()["error"] == "forbidden"
    assert counts(engine) == before


def test_a_failure_inside_the_server_is_json_without_its_details(engine, bearer):
    app = create_app(engine=engine, SECRET_KEY="tests")  # not TESTING: as in production
    headers = bearer("legal-adviser")

    def broken(**_):
        raise RuntimeError("connection string with a password")

    engine.deadlines.tracker = broken
    answer = app.test_client().get("/api/deadlines", headers=headers)
    assert answer.status_code == 500
    assert answer.get_json()["error"] == "internal_error"
    assert "password" not in answer.get_data(as_text=True)
