"""The API keeps the promises of its OpenAPI document, on requests we did not think of.

Schemathesis reads /api/openapi.json and generates requests for every operation, valid
and invalid, sent in process to the WSGI app with a coordinator's bearer token. Each
answer must not be a server error and must match the document: a documented status
code, the documented content type, headers and body (for errors, the one error schema).
The examples are few and derandomized, so every run sends the same requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine import ProcessEngine
from tests.scenarios.case import Case

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]

SAMPLE = {"task_id": "1", "key": "reflection_period", "version": "1", "instance_id": "1",
          "code": "SI-7K3Q-9F2M", "action": "suspend", "consent_id": "1", "deadline_id": "1"}

EXAMPLES = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))
"""Few examples, the same on every run; no shrinking, the first failure is reported."""


def known_parameters(engine: ProcessEngine, julija: Case) -> dict[str, Any]:
    """Her case, its instance, a task and a consent: requests that reach past the 404."""
    return {"code": julija.code, "instance_id": julija.id, "key": "reflection_period",
            "version": 1, "task_id": julija.instance.open_tasks[0].id,
            "consent_id": engine.consents.consents(julija.code)[0].id}


def test_every_operation_keeps_its_contract(
        app: Flask, engine: ProcessEngine, julija: Case,
        bearer: Callable[[str], dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    coordinator = bearer("coordinator")
    known = known_parameters(engine, julija)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "the document lost operations"
    for operation in operations:
        hers = {p.name: known[p.name] for p in operation.path_parameters if p.name in known}
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE),
                          operation.as_strategy(GenerationMode.POSITIVE, path_parameters=hers))

        @EXAMPLES
        @given(case=cases)
        def keeps_contract(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=coordinator, checks=CHECKS)

        try:
            keeps_contract()
        except (FailureGroup, Exception) as failure:  # noqa: BLE001 - reported together
            failures[operation.label] = str(failure)
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())


def test_a_method_an_address_does_not_take_is_405_with_allow_and_the_error_body(
        app: Flask, bearer: Callable[[str], dict[str, str]]) -> None:
    client, coordinator = app.test_client(), bearer("coordinator")
    document = client.get("/api/openapi.json").get_json()
    for template, operations in document["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], template)
        documented = {method.upper() for method in operations if method != "parameters"}
        for method in sorted({"PUT", "DELETE", "PATCH", "POST"} - documented):
            answer = client.open(path, method=method, headers=coordinator)
            assert answer.status_code == 405, (method, path, answer.status_code)
            allowed = {m.strip() for m in answer.headers["Allow"].split(",")}
            assert documented <= allowed and method not in allowed, (method, path, allowed)
            assert answer.get_json() == {"error": "method_not_allowed", "fields": {},
                                         "message": answer.get_json()["message"]}


def test_a_page_refusing_a_method_also_says_what_it_allows(app, signed_in) -> None:
    answer = signed_in("coordinator").delete("/worklist")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]
    assert "text/html" in answer.content_type
