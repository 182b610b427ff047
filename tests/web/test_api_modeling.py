"""/api/modeling: the names a diagram may use, and the check of one expression, which
gives the answer deploy would give and stores nothing."""

from __future__ import annotations

from engine.kit.effects import DEADLINE_KINDS
from engine.kit.roles import ROLES
from tests.accounts import username_of

CHECK = "/api/modeling/check"


def keys(listed: list[dict[str, str]]) -> list[str]:
    return [item["key"] for item in listed]


def test_the_vocabulary_lists_what_the_engine_looks_up_with_labels(app, bearer, engine):
    answer = app.test_client().get("/api/modeling/vocabulary", headers=bearer("police"))
    assert answer.status_code == 200
    found = answer.get_json()
    assert keys(found["roles"]) == list(ROLES)
    assert {"key": "admin_unit", "label": "administrative unit"} in found["roles"]
    assert {"key": "reflection.grant", "label": "Decision on the permitted stay"} \
        in found["forms"], [f for f in found["forms"] if f["key"] == "reflection.grant"]
    assert keys(found["forms"]) == list(engine.repository.forms)
    assert keys(found["handlers"]) == list(engine.repository.handlers)
    assert all(h["label"] and h["label"] != h["key"] for h in found["handlers"])
    assert keys(found["deadlines"]) == list(DEADLINE_KINDS)
    assert {"key": "permit_expiry", "label": "permit expiry"} in found["deadlines"]
    assert set(keys(found["processes"])) == {d.key for d in engine.repository.definitions()}
    assert "reflection_period" in keys(found["processes"])
    assert "permit_path" in keys(found["decisions"])
    assert "condition" in found["sites"] and "due date" in found["sites"]


def test_the_vocabulary_speaks_the_readers_language(app, engine, bearer, compiled_catalogues):
    app.extensions["babel"].translation_directories = [str(compiled_catalogues)]
    engine.credentials.set_language(username_of("policy_analyst"), "sl")
    found = app.test_client().get("/api/modeling/vocabulary",
                                  headers=bearer("policy-analyst")).get_json()
    assert {"key": "admin_unit", "label": "upravna enota"} in found["roles"], found["roles"]


def test_an_expression_is_checked_as_deploy_would(app, bearer, engine):
    client, headers = app.test_client(), bearer("policy-analyst")

    def check(site: str, expression: str) -> object:
        answer = client.get(CHECK, query_string={"site": site, "expression": expression},
                            headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["problem"]

    before = engine.repository.definitions()
    assert check("condition", "stay_decision == 'granted'") is None
    assert "only these functions may be called" in check("condition", "__import__('os')")
    assert "Camunda 7 (JUEL)" in check("condition", "${decision == 'granted'}")
    assert "does not parse" in check("condition", "stay_decision ==")
    assert check("due date", "deadline:permit_expiry") is None
    assert "names no legal deadline" in check("due date", "deadline:whenever")
    assert check("due date", "add_days(decided_on, 3)") is None
    assert check("timer timeCycle", "R/P1D") is None
    assert "at most once an hour" in check("timer timeCycle", "R/PT5M")
    assert check("timer timeDate", "2026-03-01") is None
    assert engine.repository.definitions() == before


def test_a_check_refuses_what_it_cannot_answer(app, bearer):
    client, headers = app.test_client(), bearer("policy-analyst")
    unknown_site = client.get(CHECK, query_string={"site": "script", "expression": "1"},
                              headers=headers)
    assert unknown_site.status_code == 400
    assert "site" in unknown_site.get_json()["fields"]
    too_long = client.get(CHECK, query_string={"site": "condition", "expression": "a" * 2001},
                          headers=headers)
    assert too_long.status_code == 400
    assert "expression" in too_long.get_json()["fields"]
    assert client.get(CHECK, query_string={"site": "condition"},
                      headers=headers).status_code == 400
    assert client.get(CHECK, query_string={"site": "condition", "expression": "1"}) \
        .status_code == 401
