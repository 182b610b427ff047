"""The decision tables pages: analysts and coordinators read them, others do not, and a
table published through the diagram upload is listed with its versions' XML."""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).parents[1] / "engine" / "constructs" / "referral.dmn"


def test_a_table_published_with_the_diagram_upload_is_listed_and_served(app, bearer,
                                                                        signed_in, engine):
    answer = app.test_client().post(
        "/api/process-definitions/", data=TABLE.read_bytes(),
        headers={**bearer("policy-analyst"), "Content-Type": "application/xml"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == [{"key": "referral_path", "version": 1, "new_version": True,
                                   "warnings": []}]
    analyst = signed_in("policy-analyst")
    listed = analyst.get("/decisions/").get_data(as_text=True)
    assert 'data-key="referral_path"' in listed
    xml = analyst.get("/decisions/referral_path/xml?version=1")
    assert (xml.status_code, xml.mimetype) == (200, "application/xml")
    assert xml.get_data() == TABLE.read_bytes()
    assert analyst.get("/decisions/nothing_here").status_code == 404
    assert analyst.get("/decisions/referral_path/xml?version=9").status_code == 404


def test_only_analysts_coordinators_and_admins_read_decision_tables(app, signed_in, engine):
    engine.repository.deploy(TABLE)
    assert signed_in("police").get("/decisions/").status_code == 403
    assert signed_in("police").get("/decisions/referral_path/xml").status_code == 403
    assert signed_in("coordinator").get("/decisions/referral_path").status_code == 200
