"""A case is opened in a jurisdiction through the API; an unknown one is refused and
nothing is started."""

from __future__ import annotations


def test_a_case_is_opened_in_a_known_jurisdiction_only(app, bearer, engine):
    client, headers = app.test_client(), bearer("coordinator")
    before = len(engine.runtime.instances())
    unknown = client.post("/api/process-instances", headers=headers, json={
        "process_key": "reflection_period", "case": "QQ-7K3Q-9F2M", "jurisdiction": "QQ"})
    assert unknown.status_code == 422
    assert "not a jurisdiction of this deployment" in \
        unknown.get_json()["fields"]["jurisdiction"][0]
    assert len(engine.runtime.instances()) == before

    started = client.post("/api/process-instances", headers=headers, json={
        "process_key": "reflection_period", "jurisdiction": "si"})
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["case_code"].startswith("SI-")
    assert engine.deadlines.deadlines(case_code=started.get_json()["case_code"])[0] \
        .jurisdiction == "SI"
