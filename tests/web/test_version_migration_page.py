"""The versions page moves a version's running instances: Check says what would move,
Move moves all or nothing, and a refusal names each element."""

from __future__ import annotations

from tests.conftest import PROCESSES
from tests.web_app import csrf_of

RENAMED_ID = (PROCESSES / "reflection_period.bpmn").read_bytes().replace(
    b"grant_permitted_stay", b"decide_stay")
PAGE = "/modeler/reflection_period"


def post(client, **form: str):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    return client.post(f"{PAGE}/migration", data={"csrf_token": token, **form})


def test_an_analyst_checks_then_moves_a_version(app, signed_in, engine):
    ids = [engine.runtime.start("reflection_period", f"SI-2026-000{n}").id for n in (1, 2)]
    engine.repository.deploy(RENAMED_ID, source="v2.bpmn", note="The task has a shorter id.")
    client = signed_in("policy-analyst")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="migration"' in page and "2 running" in page
    assert "The task has a shorter id." in page

    checked = post(client, **{"from": "1", "to": "2", "mapping": "", "action": "check"})
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert html.count("cannot move") == 2 and "grant_permitted_stay" in html

    refused = post(client, **{"from": "1", "to": "2", "mapping": "", "action": "move"})
    assert refused.status_code == 422
    assert f'data-element-id="{ids[0]}:grant_permitted_stay"' in refused.get_data(as_text=True)
    assert {engine.runtime.instance(i).version for i in ids} == {1}

    mapping = "grant_permitted_stay = decide_stay\n"
    checked = post(client, **{"from": "1", "to": "2", "mapping": mapping, "action": "check"})
    assert checked.get_data(as_text=True).count("can move") == 2
    moved = post(client, **{"from": "1", "to": "2", "mapping": mapping, "action": "move"})
    assert moved.status_code == 302
    assert "Moved 2 running instances from version 1 to version 2." in \
        client.get(PAGE).get_data(as_text=True)
    assert {engine.runtime.instance(i).version for i in ids} == {2}


def test_the_move_is_offered_to_those_who_may_make_it(app, signed_in, engine):
    engine.runtime.start("reflection_period", "SI-2026-0001")
    engine.repository.deploy(RENAMED_ID, source="v2.bpmn")
    assert 'id="migration"' in signed_in("coordinator").get(PAGE).get_data(as_text=True)
    police = signed_in("police")
    assert police.get(PAGE).status_code == 403
    token = csrf_of(signed_in("coordinator").get(PAGE).get_data(as_text=True))
    refused = police.post(f"{PAGE}/migration", data={"csrf_token": token, "from": "1",
                                                     "to": "2", "action": "move"})
    assert refused.status_code in (400, 403)
    bad = post(signed_in("coordinator"), **{"from": "x", "to": "2", "action": "move"})
    assert bad.status_code == 302
    malformed = post(signed_in("coordinator"),
                     **{"from": "1", "to": "2", "mapping": "no equals", "action": "move"})
    assert malformed.status_code == 422
    assert engine.runtime.instances()[0].version == 1
