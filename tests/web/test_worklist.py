"""Actors sign in, see the tasks of their roles, and complete them through the form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.errors import ValidationFailed
from engine.store.models import LoginAttempt
from forms import examples
from tests.accounts import PASSWORD
from tests.scenarios.case import Case, identified
from tests.web.worklist_steps import open_task, snapshot
from tests.web_app import csrf_of, hidden

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-01",
         "victim_category": "trafficking", "informed_of_permit": "on",
         "interpreter_provided": "on"}


def test_pages_need_a_signed_in_user(app):
    client = app.test_client()
    response = client.get("/worklist")
    assert response.status_code == 302
    assert "/login?next=/worklist" in response.headers["Location"]


def test_a_wrong_password_is_refused_with_one_message_and_nothing_signs_in(app, engine):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "police", "password": "wrong one",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "Wrong user name or password." in response.get_data(as_text=True)
    assert client.get("/worklist").status_code == 302
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 1


def test_the_login_form_needs_its_csrf_token(app):
    response = app.test_client().post("/login", data={"username": "police",
                                                      "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_sign_in_never_sends_her_to_another_site(app):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={
            "username": "police", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/"  # her home page, on this site


def test_the_police_worklist_shows_her_task_and_not_the_coordinators(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", "SI-7K3Q-9F2M", actor="coord")
    police = signed_in("police")
    page = police.get("/worklist").get_data(as_text=True)
    assert "Decide on the permitted stay" in page and "SI-7K3Q-9F2M" in page
    coordinator = signed_in("coordinator")
    assert "SI-7K3Q-9F2M" not in coordinator.get("/worklist").get_data(as_text=True)
    task = open_task(engine, instance.id)
    assert coordinator.get(f"/tasks/{task.id}").status_code == 403
    assert coordinator.get("/tasks/999999").status_code == 404


def test_a_form_posted_to_another_roles_task_is_refused_and_changes_nothing(app, engine,
                                                                           signed_in):
    instance = engine.runtime.start("reflection_period", "SI-EEEE-FFFF", actor="coord")
    task = open_task(engine, instance.id)
    coordinator = signed_in("coordinator")
    token = csrf_of(coordinator.get("/worklist").get_data(as_text=True))
    before = snapshot(engine, instance.id)
    posted = {**GRANT, "csrf_token": token}
    assert coordinator.post(f"/tasks/{task.id}", data=posted).status_code == 403
    assert coordinator.post("/tasks/999999", data=posted).status_code == 404
    assert snapshot(engine, instance.id) == before
    police = signed_in("police")
    police.post(f"/tasks/{task.id}", data={**GRANT, "csrf_token": csrf_of(
        police.get(f"/tasks/{task.id}").get_data(as_text=True))})
    # Done by the police now: still not hers to know of, so not "already completed".
    assert coordinator.post(f"/tasks/{task.id}", data=posted).status_code == 403


def test_the_form_refuses_bad_input_next_to_each_field_and_keeps_it(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", "SI-AAAA-BBBB", actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="stay_decision_date"' in page and "Granted on her request" in page
    before = snapshot(engine, instance.id)

    response = police.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf_of(page), "stay_decision": "granted",
        "stay_decision_date": "2031-01-01", "victim_category": "trafficking",
        "informed_of_permit": "on",
         "interpreter_provided": "on"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-stay_decision_date-error">The date cannot be in the future.' in html
    assert 'value="2031-01-01"' in html  # what she typed is kept
    assert snapshot(engine, instance.id) == before


def test_every_problem_of_a_form_is_said_in_one_round(app, engine, signed_in):
    """A date in the future and a refusal without its ground: both at once, not the date
    first and the ground after she has corrected it."""
    instance = engine.runtime.start("reflection_period", "SI-AAAA-BBBB", actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    before = snapshot(engine, instance.id)
    response = police.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf_of(page), "stay_decision": "refused",
        "stay_decision_date": "2031-01-01", "victim_category": "trafficking"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-stay_decision_date-error">The date cannot be in the future.' in html
    assert 'id="f-refusal_ground-error">Give the ground of the refusal.' in html
    assert "The form has 2 problems:" in html
    assert snapshot(engine, instance.id) == before


def test_completing_the_form_moves_the_case_and_opens_her_next_task(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", "SI-CCCC-DDDD", actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = police.post(f"/tasks/{task.id}", data={**GRANT, "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    assert engine.tasks.task(task.id).completed_by == "police"
    after = [t.element_id for t in engine.runtime.instance(instance.id).open_tasks]
    assert after and "grant_permitted_stay" not in after


def test_a_stale_page_is_refused_with_409_and_nothing_changes(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", "SI-EEEE-FFFF", actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    # Meanwhile the case moves on: suspended and resumed, its revision is two ahead.
    engine.runtime.suspend(instance.id, actor="coord")
    engine.runtime.resume(instance.id, actor="coord")
    before = snapshot(engine, instance.id)
    response = police.post(f"/tasks/{task.id}", data={
        **GRANT, "csrf_token": csrf_of(page), "revision": hidden(page, "revision")})
    assert response.status_code == 409
    assert "reload and try again" in response.get_data(as_text=True)
    assert snapshot(engine, instance.id) == before


def test_claim_and_release(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", "SI-GGGG-HHHH", actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    token = csrf_of(police.get(f"/tasks/{task.id}").get_data(as_text=True))
    police.post(f"/tasks/{task.id}/claim", data={"csrf_token": token})
    assert engine.tasks.task(task.id).assignee == "police"
    assert "police" in police.get("/worklist?mine=1").get_data(as_text=True)
    police.post(f"/tasks/{task.id}/unclaim", data={"csrf_token": token})
    assert engine.tasks.task(task.id).assignee is None


def test_every_page_carries_the_security_headers(app, signed_in):
    response = signed_in("police").get("/worklist")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    cookie = signed_in("police").get_cookie("varnapot_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_a_checklist_shows_each_indicator_in_words_and_sends_its_key(app, engine, signed_in):
    instance = engine.runtime.start("identification", "SI-CCCC-DDDD", actor="coord")
    task = open_task(engine, instance.id)
    page = signed_in("first-line").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r'value="documents_held_by_others"\s*> Her passport or documents are '
                     r'held by someone else</label>', page)
    schema = app.test_client().get(
        f"/api/tasks/{task.id}",
        headers={"Authorization": "Bearer " + engine.credentials.create_token(
            "first-line", "tests", by="tests").token}).get_json()["form"]
    indicators = schema["properties"]["preliminary_indicators"]
    assert indicators["x-choice-labels"]["signs_of_distress"] == \
        "Visible fear, anxiety or distress"


@pytest.mark.parametrize(("role", "landing"), [
    ("coordinator", "/monitor/"), ("legal_adviser", "/deadlines/"),
    ("policy_analyst", "/modeler/"), ("police", "/worklist"), ("first_line", "/worklist"),
])
def test_each_role_lands_where_its_work_is(app, signed_in, role, landing):
    home = signed_in(role.replace("_", "-")).get("/")
    assert home.status_code == 302 and home.headers["Location"] == landing


def test_a_task_comes_with_what_earlier_steps_recorded_and_links_to_its_case(
        app, engine, signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    task = case.task("formal_identification")
    page = signed_in("coordinator").get(f"/tasks/{task.id}").get_data(as_text=True)
    ticked = set(re.findall(r'name="indicators_confirmed" value="([a-z_]+)"\s+checked', page))
    assert ticked == set(examples.PRELIMINARY["preliminary_indicators"])
    assert f'href="/cases/{case.code}"' in page
    assert f'href="/monitor/instances/{task.instance_id}"' in page
    police = signed_in("police").get(f"/tasks/{case.task('grant_permitted_stay').id}")
    assert f'href="/cases/{case.code}"' not in police.get_data(as_text=True)  # no case reader


def test_a_stale_tab_says_who_completed_the_task_and_links_to_the_next(app, engine,
                                                                       signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    task = case.task("record_preliminary")
    officer = signed_in("first-line")
    page = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    engine.tasks.complete(task.id, "duty-officer", examples.PRELIMINARY)  # another desk
    before = snapshot(engine, case.id)

    answer = officer.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf_of(page), "referring_sector": "police"})

    assert answer.status_code == 409 and snapshot(engine, case.id) == before
    html = answer.get_data(as_text=True)
    assert "duty-officer completed this task on Mar 2, 2026, 9:00" in html
    assert "already completed" not in html  # the engine's words are not hers
    following = case.task("ask_referral_consent")
    assert f'<a href="/tasks/{following.id}">Your next task in this case: ' in html


def test_known_facts_are_recorded_as_fields_and_read_in_words(app, engine, signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    case.complete("record_preliminary", "officer", {
        **examples.PRELIMINARY, "documents_held_by": "employer_or_recruiter",
        "interpreter_language": "Ukrainian"})
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    page = signed_in("coordinator").get(
        f"/tasks/{case.task('formal_identification').id}").get_data(as_text=True)
    assert ('<tr data-name="documents_held_by"><td>Who holds her identity documents</td>'
            '<td>The employer, the recruiter or whoever controls her</td></tr>') in page
    other = Case.open(engine, "SI-4P8W-2C6D")
    with pytest.raises(ValidationFailed) as caught:
        other.complete("record_preliminary", "officer",
                       {**examples.PRELIMINARY, "documents_held_by": "her cousin"})
    assert list(caught.value.fields) == ["documents_held_by"]
    assert other.open_elements() == ["record_preliminary"]


def test_the_formal_identification_opens_on_what_the_first_line_officer_recorded(
        app, engine, signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    case.complete("ask_referral_consent", "officer", examples.REFERRAL_CONSENT)
    page = signed_in("coordinator").get(
        f"/tasks/{case.task('formal_identification').id}").get_data(as_text=True)
    builds_on = page[page.index('id="builds-on"'):page.index("</table>",
                                                              page.index('id="builds-on"'))]
    names = re.findall(r'<tr data-name="([a-z_]+)">', builds_on)
    assert names[:4] == ["referring_sector", "observed_on", "preliminary_indicators",
                         "preliminary_observations"]
    assert examples.PRELIMINARY["preliminary_observations"] in builds_on  # her notes, read
    folded = page[page.index('<details class="everything-else">'):]
    assert 'id="recorded"' in folded and 'data-name="referring_sector"' not in folded


def test_a_refused_long_form_marks_the_fields_inside_its_sections_and_rows(
        app, engine, signed_in):
    case = identified(engine, "SI-7K3Q-9F2M", stay_granted=True)
    case.complete("ask_plan_consent", "coord", examples.PLAN_CONSENT, role="coordinator")
    case.at("2026-04-01")
    task = case.task("draw_up_plan")
    coordinator = signed_in("coordinator")
    page = coordinator.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = coordinator.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf_of(page), "plan_date": "2026-04-01",
        "goals.0.description": "Safe housing"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="error-summary"'):html.index("</div>",
                                                               html.index('id="error-summary"'))]
    assert 'href="#f-profile-languages"' in summary  # inside section 1
    assert re.search(r'href="#f-goals-0-[a-z_]+"', summary)  # inside the first goal's row
    assert 'id="f-profile-languages-error"' in html


def test_her_consent_is_not_shown_as_refused_before_she_is_asked(app, engine, signed_in):
    case = Case.open(engine, "SI-7K3Q-9F2M")
    case.complete("record_preliminary", "officer", examples.PRELIMINARY)
    page = signed_in("first-line").get(
        f"/tasks/{case.task('ask_referral_consent').id}").get_data(as_text=True)
    row = re.search(r'<tr data-name="referral_consent"><td>[^<]*</td><td>([^<]*)</td>', page)
    assert row is None or row.group(1) == "—"
