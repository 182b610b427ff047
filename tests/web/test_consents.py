"""The consent register: her answers are recorded from the tasks that ask them, a task
that refers her completes only while her consent stands, and withdrawing it stops the
tasks that need it, tells the coordinator, and changes nothing else."""

from __future__ import annotations

from sqlalchemy import select

from engine.crypto.vault import HIDDEN
from engine.store.models import Consent
from forms import examples
from tests.scenarios.case import Case
from tests.web.consent_steps import CODE, referred, state
from tests.web_app import csrf_of


def test_her_answer_in_the_task_is_written_to_the_register(app, engine, bearer):
    referred(engine)
    listed = app.test_client().get(f"/api/cases/{CODE}/consents",
                                   headers=bearer("coordinator")).get_json()
    (consent,) = listed
    assert (consent["purpose"], consent["status"], consent["given_by"]) == \
        ("referral", "given", "herself")
    assert consent["decided_on"] == "2026-03-01" and consent["interpreter_used"] is True
    assert consent["recipient"] == "the national coordinator"
    assert "Ask her consent to a referral" in consent["obtained"]


def test_a_withdrawn_consent_stops_the_referral_and_the_coordinator_is_told(app, engine,
                                                                            bearer):
    case = referred(engine)
    client = app.test_client()
    (consent,) = engine.consents.consents(CODE)
    withdrawn = client.post(f"/api/cases/{CODE}/consents/{consent.id}/withdraw",
                            json={"withdrawn_on": "2026-03-02"}, headers=bearer("coordinator"))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"

    task = case.task("formal_identification")
    coordinator = bearer("coordinator")
    before = state(engine, case)
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": examples.FORMAL},
                          headers=coordinator)
    assert refused.status_code == 409
    assert "no valid consent" in refused.get_json()["message"]
    assert state(engine, case) == before  # nothing moved

    (notice,) = engine.inbox.inbox("coordinator", source="consent")
    assert notice.case_code == CODE and "Make the formal identification (task" in notice.body

    case.at("2026-03-03")
    again = client.post(f"/api/cases/{CODE}/consents", headers=bearer("coordinator"), json={
        "purpose": "referral", "status": "given", "decided_on": "2026-03-03",
        "obtained": "She asked for the referral again, in a meeting with an interpreter",
        "interpreter_used": True})
    assert again.status_code == 201
    done = client.post(f"/api/tasks/{task.id}/complete", json={"data": examples.FORMAL},
                       headers=coordinator)
    assert done.status_code == 200, done.get_json()


def test_the_register_refuses_bad_answers_and_wrong_roles_and_keeps_what_it_had(app, engine,
                                                                               bearer):
    referred(engine)
    client = app.test_client()
    (consent,) = engine.consents.consents(CODE)
    for body, status in (({"purpose": "gossip", "status": "given", "decided_on": "2026-03-01",
                           "obtained": "x"}, 422),
                         ({"purpose": "referral", "status": "given",
                           "decided_on": "2031-01-01", "obtained": "x"}, 400),
                         ({"purpose": "referral", "status": "maybe",
                           "decided_on": "2026-03-01", "obtained": "x"}, 422)):
        answer = client.post(f"/api/cases/{CODE}/consents", json=body,
                             headers=bearer("coordinator"))
        assert answer.status_code == status, answer.get_json()
    assert client.post(f"/api/cases/{CODE}/consents/{consent.id}/withdraw", json={},
                       headers=bearer("police")).status_code == 403
    assert client.post(f"/api/cases/SI-NONE-NONE/consents/{consent.id}/withdraw", json={},
                       headers=bearer("coordinator")).status_code == 404
    assert engine.consents.consents(CODE) == [consent]


def test_the_case_page_lists_her_consents_and_records_a_withdrawal(app, engine, signed_in):
    case = referred(engine)
    coordinator = signed_in("coordinator")
    page = coordinator.get(f"/cases/{CODE}").get_data(as_text=True)
    section = page[page.index('id="consents"'):]
    assert "referral to the coordinator" in section and "She withdrew it" in section
    (consent,) = engine.consents.consents(CODE)
    response = coordinator.post(f"/cases/{CODE}/consents/{consent.id}/withdraw",
                                data={"csrf_token": csrf_of(page), "withdrawn_on": ""})
    assert response.status_code == 302
    (after,) = engine.consents.consents(CODE)
    assert after.status == "withdrawn" and after.withdrawal_recorded_by == "coordinator"
    assert case.task("formal_identification")  # still open, but it cannot complete


NOTE = "Julija Kovalenko signed with interpreter Marta in the safe house"


def test_a_typed_note_is_shown_only_to_the_roles_that_read_narratives(app, engine, bearer):
    referred(engine)
    client = app.test_client()
    recorded = client.post(f"/api/cases/{CODE}/consents", headers=bearer("coordinator"), json={
        "purpose": "schooling", "status": "given", "decided_on": "2026-03-01",
        "obtained": NOTE, "interpreter_used": True})
    assert recorded.status_code == 201 and recorded.get_json()["obtained"] == NOTE

    def notes(user: str) -> list[str]:
        listed = client.get(f"/api/cases/{CODE}/consents", headers=bearer(user)).get_json()
        return [c["obtained"] for c in listed if c["purpose"] == "schooling"]

    before = len(engine.access.events(case_code=CODE))
    assert notes("coordinator") == [NOTE]
    assert notes("ngo-counsellor") == [NOTE]
    assert notes("legal-adviser") == [HIDDEN] and notes("admin") == [HIDDEN]
    logged = engine.access.events(case_code=CODE)[before:]
    assert sorted(e.username for e in logged if "consent notes" in e.fields) == [
        "coordinator", "ngo-counsellor"]

    engine.rights.erase(CODE, "records-officer")
    with engine.db.reading() as session:
        assert NOTE not in session.scalars(select(Consent.obtained)).all()


def test_one_policy_records_a_withdrawal_through_the_page_and_the_api(app, engine, signed_in):
    referred(engine)
    (consent,) = engine.consents.consents(CODE)
    admin = signed_in("admin")
    page = admin.get(f"/cases/{CODE}").get_data(as_text=True)
    assert "She withdrew it" not in page
    refused = admin.post(f"/cases/{CODE}/consents/{consent.id}/withdraw",
                         data={"csrf_token": csrf_of(page), "withdrawn_on": ""})
    assert refused.status_code == 403
    assert engine.consents.consents(CODE) == [consent]  # nothing changed

    counsellor = signed_in("ngo-counsellor")
    page = counsellor.get(f"/cases/{CODE}").get_data(as_text=True)
    assert "She withdrew it" in page
    done = counsellor.post(f"/cases/{CODE}/consents/{consent.id}/withdraw",
                           data={"csrf_token": csrf_of(page), "withdrawn_on": ""})
    assert done.status_code == 302
    (after,) = engine.consents.consents(CODE)
    assert (after.status, after.withdrawal_recorded_by) == ("withdrawn", "ngo-counsellor")


def test_a_best_interests_decision_is_shown_as_no_ones_consent(app, engine, bearer,
                                                               signed_in):
    """A child whose guardian refused is referred by social work in her best interests
    (CETS Art. 10(4)): the register says so, and the formal identification can go on."""
    from tests.scenarios import child_steps as child

    case = Case.open(engine, CODE, process="identification")
    case.complete("record_preliminary", "officer", child.GIRL)
    case.complete("appoint_guardian", "social", child.GUARDIAN_REFUSES)
    case.at("2026-03-04")
    case.complete("refer_child_for_protection", "social", child.REFER)

    client = app.test_client()
    listed = client.get(f"/api/cases/{CODE}/consents", headers=bearer("coordinator")).get_json()
    assert [(c["status"], c["given_by"]) for c in listed] == [("given", "best_interests"),
                                                              ("refused", "guardian")]
    page = signed_in("coordinator").get(f"/cases/{CODE}").get_data(as_text=True)
    section = page[page.index('id="consents"'):]
    assert "(not a consent: decided by social work in her best interests)" in section
    assert "(by the guardian)" in section
    assert section.count("She withdrew it") == 0  # the guardian refused; the rest is no consent

    # Social work's decision is not a consent: no one withdraws it in her name.
    decision_id = listed[0]["id"]
    refused = client.post(f"/api/cases/{CODE}/consents/{decision_id}/withdraw",
                          headers=bearer("coordinator"), json={"withdrawn_on": "2026-03-04"})
    assert refused.status_code == 409
    assert "not a consent" in refused.get_json()["message"]
    assert [(c.status, c.withdrawn_on) for c in engine.consents.consents(CODE)] == [
        ("given", None), ("refused", None)]

    # Outside a task, where no reasons are written, no one records such a decision.
    answer = client.post(f"/api/cases/{CODE}/consents", headers=bearer("coordinator"), json={
        "purpose": "referral", "status": "given", "decided_on": "2026-03-04",
        "obtained": "x", "given_by": "best_interests"})
    assert answer.status_code == 422
    assert len(engine.consents.consents(CODE)) == 2
    case.at("2026-03-05")
    case.complete("formal_identification", "coord", child.FORMAL)
    assert case.instance.status == "completed"


def test_her_answer_is_chosen_on_the_page_and_never_assumed(app, engine, signed_in):
    """A consent question offers yes and no with neither set: left unanswered it is
    refused, not recorded as a refusal; a chosen no is recorded as her refusal."""
    case = Case.open(engine, CODE, process="identification")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    task = case.task("ask_referral_consent")
    officer = signed_in("first-line")
    page = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    start = page.index('<fieldset class="question" id="f-referral_consent"')
    question = page[start:page.index("</fieldset>", start)]
    assert question.count('type="radio"') == 2 and "checked" not in question
    unanswered = {k: "on" if v is True else v for k, v in examples.REFERRAL_CONSENT.items()
                  if k != "referral_consent"}
    before = state(engine, case)

    response = officer.post(f"/tasks/{task.id}",
                            data={**unanswered, "csrf_token": csrf_of(page)})

    assert response.status_code == 422
    assert 'id="f-referral_consent-error">Answer yes or no.' in response.get_data(as_text=True)
    assert state(engine, case) == before and engine.consents.consents(CODE) == []

    response = officer.post(f"/tasks/{task.id}", data={
        **unanswered, "referral_consent": "no", "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    (consent,) = engine.consents.consents(CODE)
    assert consent.status == "refused" and consent.recorded_by == "first-line"
