"""Her personal record: sealed at rest, each role sees exactly its fields, every read logged.

The coordinator records who Julija is and how to reach her. The police and the prosecutor
see who she is but not where she stays nor her account; the legal adviser also where to
write to her; the first-line officer and the admin nothing at all. Refusals and bad input
change nothing and are logged or explained.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.models import CaseRecord
from tests.engine.raw_rows import raw_copy
from tests.web.her_case import CODE, consent_to_her_name

IDENTITY = ("Kovalenko", "1998-02-11", "FX204117", "Ukrainian")
CONTACT = ("+386 40 111 222", "Safe house Lipa 3")
NARRATIVE = ("Petrov",)


def sealed_person(engine) -> bytes | None:
    with engine.db.reading() as session:
        return session.scalar(select(CaseRecord.person).where(CaseRecord.code == CODE))


def test_her_record_is_sealed_in_the_database_and_read_back_by_the_coordinator(
        recorded, engine, signed_in):
    page = signed_in("coordinator").get(f"/cases/{CODE}/person").get_data(as_text=True)
    for value in (*IDENTITY, *CONTACT, *NARRATIVE):
        assert value in page
    copy = raw_copy(engine)
    for value in ("Kovalenko", "FX204117", "Lipa", "Petrov", "1998-02-11"):
        assert value.encode() not in copy, value


@pytest.mark.parametrize(("username", "seen", "unseen"), [
    ("police", IDENTITY, CONTACT + NARRATIVE),
    ("prosecutor", IDENTITY, CONTACT + NARRATIVE),  # support and prosecution stay apart
    ("legal-adviser", IDENTITY + CONTACT, NARRATIVE),
    ("ngo-counsellor", IDENTITY + CONTACT + NARRATIVE, ()),
])
def test_each_role_sees_exactly_its_fields(recorded, engine, signed_in, username, seen,
                                           unseen):
    page = signed_in(username).get(f"/cases/{CODE}/person").get_data(as_text=True)
    for value in seen:
        assert value in page, value
    for value in unseen:
        assert value not in page, value  # left out of the page, not hidden in it
    (event,) = engine.access.events(case_code=CODE, limit=1)
    assert event.username == username and event.outcome == "granted"
    assert ("family_name" in event.fields) and (("address" in event.fields)
                                                == ("Safe house Lipa 3" in seen))


@pytest.mark.parametrize("username", ["first-line", "admin", "policy-analyst"])
def test_a_role_without_need_to_know_is_refused_and_the_refusal_is_logged(
        recorded, engine, signed_in, username):
    response = signed_in(username).get(f"/cases/{CODE}/person")
    assert response.status_code == 403
    assert "Kovalenko" not in response.get_data(as_text=True)
    (event,) = engine.access.events(case_code=CODE, limit=1)
    assert (event.username, event.outcome, event.fields) == (username, "refused", [])


def test_the_api_shows_the_police_who_she_is_and_refuses_them_a_change(recorded, engine,
                                                                       app, bearer):
    client = app.test_client()
    found = client.get(f"/api/cases/{CODE}/person", headers=bearer("police")).get_json()
    assert found["fields"]["family_name"] == "Kovalenko"
    assert found["fields"]["documents"][0]["number"] == "FX204117"
    assert not {"phone", "address", "email", "narrative"} & set(found["fields"])
    assert found["editable"] is False

    before = sealed_person(engine)
    refused = client.patch(f"/api/cases/{CODE}/person", json={"family_name": "X"},
                           headers=bearer("police"))
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert sealed_person(engine) == before
    assert engine.access.events(case_code=CODE, limit=1)[0].outcome == "refused"


def test_bad_input_is_explained_by_field_and_changes_nothing(recorded, engine, app, bearer):
    before = sealed_person(engine)
    client = app.test_client()
    for body, expected in (
            ({"date_of_birth": "2999-01-01"},
             {"date_of_birth": ["The date cannot be in the future."]}),
            ({"documents": [{"type": "diary", "number": "1"}], "shoe_size": 38},
             {"documents.0.type": ["Choose one of: passport, identity_card, "
                                   "residence_permit, travel_document, other."],
              "shoe_size": ["Unknown field."]}),
            (["not", "an", "object"], {"_form": ["Send the fields as a JSON object."]})):
        answer = client.patch(f"/api/cases/{CODE}/person", headers=bearer("coordinator"),
                              json=body)
        assert (answer.status_code, answer.get_json()["fields"]) == (422, expected)
        assert sealed_person(engine) == before
    assert client.get("/api/cases/SI-NONE-NONE/person",
                      headers=bearer("coordinator")).status_code == 404


def test_injection_strings_are_kept_verbatim_and_shown_harmlessly(recorded, engine, app,
                                                                  bearer, signed_in):
    hostile = {"other_names": "Robert'); DROP TABLE case_record;--",
               "narrative": '<script>alert("x")</script><img src=x onerror=alert(1)>'}
    client = app.test_client()
    saved = client.patch(f"/api/cases/{CODE}/person", headers=bearer("coordinator"),
                         json=hostile)
    assert saved.status_code == 200
    assert {k: saved.get_json()["fields"][k] for k in hostile} == hostile
    page = signed_in("ngo-counsellor").get(f"/cases/{CODE}/person").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "Robert&#39;); DROP TABLE case_record;--" in page
    with engine.db.reading() as session:
        assert session.get(CaseRecord, CODE) is not None  # the table is still there


def test_her_name_is_recorded_only_with_her_consent_or_a_legal_basis(
        case, engine, app, bearer):
    client = app.test_client()
    coordinator = bearer("coordinator")
    before = sealed_person(engine)
    refused = client.patch(f"/api/cases/{CODE}/person", headers=coordinator,
                           json={"given_name": "Julija", "phone": "+386 40 111 222"})
    assert refused.status_code == 422
    assert sorted(refused.get_json()["fields"]) == ["given_name"]
    assert "consent" in refused.get_json()["fields"]["given_name"][0]
    assert sealed_person(engine) == before

    on_basis = client.patch(f"/api/cases/{CODE}/person", headers=coordinator, json={
        "given_name": "Julija", "identity_basis": "criminal_proceedings"})
    assert on_basis.status_code == 200, on_basis.get_json()

    consent_to_her_name(engine)
    named = client.patch(f"/api/cases/{CODE}/person", headers=coordinator,
                         json={"family_name": "Kovalenko"})
    assert named.status_code == 200
    assert named.get_json()["fields"]["family_name"] == "Kovalenko"
