"""Every legal and warning number comes from the jurisdiction file, none from code.

The engine runs on a copy of ``si.toml`` in another folder in which every number is
changed, and each rule is walked through the procedures with the manual clock: the dates,
limits and messages an actor sees follow the file. The numbers are chosen so that most
dates fall on working days in the Slovenian calendar the copy keeps.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.kit.jurisdiction import JURISDICTIONS, jurisdiction
from forms import examples
from tests.conftest import PROCESSES
from tests.processes import permit_steps as permit
from tests.processes import plan_steps as plan
from tests.processes import programme_steps as programme
from tests.processes import return_steps as going_home
from tests.processes import school_steps as school
from tests.processes.steps import complete, only_task, open_elements, procedure_notices, rejected

LJUBLJANA = ZoneInfo("Europe/Ljubljana")
CASE = "XT-2026-0007"

NUMBERS = {
    ("reflection", "decision_months"): "2",
    ("reflection", "days"): "30",
    ("reflection", "extension_max_days"): "15",
    ("reflection", "extensions_allowed"): "2",
    ("reflection", "warning_days"): "5",
    ("permit", "min_months"): "3",
    ("permit", "max_months"): "9",
    ("permit", "renewal_max_months"): "6",
    ("permit", "confirmation_days"): "10",
    ("permit", "expiry_warning_days"): "20",
    ("appeal", "days"): "8",
    ("school", "warning_days"): "27",
    ("plan", "review_interval_days"): "44",
    ("plan", "review_reminder_days"): "3",
    ("programme", "review_interval_days"): "21",
    ("programme", "session_max_minutes"): "45",
    ("return", "follow_up_days"): "12",
    ("non_punishment", "answer_days"): "16",
    ("missing", "review_days"): "5",
    ("missing", "deadline_notice_days"): "30",
    ("reminders", "offsets_days"): "[9, 4]",
    ("reminders", "hour"): "10",
    ("records", "retention_years"): "3",
    ("statistics", "suppress_below"): "1",
}
"""(table, key) -> its value in the test's jurisdiction file, each unlike si.toml's."""


def write_jurisdiction(folder: Path) -> None:
    """``xt.toml`` in ``folder``: si.toml with every number of ``NUMBERS`` replaced."""
    table, lines, replaced = "", [], set()
    for line in (JURISDICTIONS / "si.toml").read_text(encoding="utf-8").splitlines():
        if found := re.match(r"\[(\w+)\]", line):
            table = found[1]
        elif (found := re.match(r"(\w+)\s*=\s*(\[[^]]*\]|\S+)", line)) and (
                (table, found[1]) in NUMBERS):
            line = line.replace(found[2], NUMBERS[table, found[1]], 1)
            replaced.add((table, found[1]))
        lines.append(line.replace('code = "SI"', 'code = "XT"'))
    assert replaced == set(NUMBERS)
    folder.mkdir()
    (folder / "xt.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def engine(make_engine, tmp_path):
    """An engine on ``xt.toml`` from a folder outside processes/, with every diagram."""
    folder = tmp_path / "jurisdictions"
    write_jurisdiction(folder)
    built = make_engine(jurisdiction="xt", jurisdiction_folder=folder)
    built.repository.deploy(PROCESSES)
    return built


def local(day: str, hour: int, minute: int = 0) -> datetime:
    """A local moment in Ljubljana, as the UTC the clock is set to."""
    moment = datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=LJUBLJANA)
    return moment.astimezone(UTC)


def test_every_number_differs_from_slovenia(engine):
    theirs, ours = jurisdiction("si"), engine.jurisdiction
    assert ours.code == "XT"
    same = [f.name for f in dataclasses.fields(ours)
            if isinstance(getattr(ours, f.name), int | tuple)
            and getattr(ours, f.name) == getattr(theirs, f.name)]
    assert same == []


# --- the recovery and reflection period ---------------------------------------------------

GRANT = {"stay_decision": "granted", "stay_decision_date": "2026-03-02",
         "victim_category": "trafficking", "informed_of_permit": True,
         "interpreter_provided": True}


def granted_stay(engine) -> int:
    """The permitted stay granted on Monday 2 March 2026 (the clock's day)."""
    instance = engine.runtime.start("reflection_period", CASE, actor="coord")
    complete(engine, instance.id, "grant_permitted_stay", GRANT, user="officer")
    return instance.id


def test_the_stay_is_decided_within_the_jurisdictions_months(engine):
    instance = engine.runtime.start("reflection_period", CASE, actor="coord")
    (due,) = engine.deadlines.deadlines(instance_id=instance.id, kind="stay_decision_due")
    assert (due.owner_role, due.legal_date, due.latest_safe_day) == (
        "police", date(2026, 5, 2), date(2026, 4, 30))  # Saturday 2 May; 1 May a holiday


def test_reflection_period_ends_after_its_days_and_warns_before(engine):
    iid = granted_stay(engine)
    decision = only_task(engine, iid, "record_decision")
    assert decision.due_date == date(2026, 4, 1)  # 30 days from the next day
    (stay,) = engine.deadlines.deadlines(instance_id=iid, kind="reflection_end")
    assert (stay.kind, stay.legal_date, stay.latest_safe_day) == (
        "reflection_end", date(2026, 4, 1), date(2026, 4, 1))
    assert engine.runtime.instance(iid).variables["reflection_warning_at"] == (
        "2026-03-27T10:00:00+01:00")  # 5 days before, at the reminder hour

    engine.set_clock(local("2026-03-27", 9, 59))
    assert "review_expiring_stay" not in open_elements(engine, iid)
    assert procedure_notices(engine, instance_id=iid) == []
    engine.set_clock(local("2026-03-27", 10, 1))
    assert only_task(engine, iid, "review_expiring_stay").role == "legal_adviser"
    alerts = procedure_notices(engine, instance_id=iid, role="coordinator")
    assert [a.subject for a in alerts] == [
        f"Case {CASE}: the permitted stay ends on 2026-04-01"]
    assert "Act by 2026-04-01" in alerts[0].body


def test_reflection_period_extensions_allowed_and_their_maximum(engine):
    iid = granted_stay(engine)
    more_time = {"decision": "extend", "decision_date": "2026-03-02", "reason": "recovering"}
    extension = {"extension_granted": True, "extension_decision_date": "2026-03-02",
                 "extension_days": 15}
    complete(engine, iid, "record_decision", more_time)
    assert rejected(engine, iid, "decide_extension", {**extension, "extension_days": 16},
                    "extension_days") == "An extension is 1 to 15 days."
    complete(engine, iid, "decide_extension", extension, user="officer")
    assert only_task(engine, iid, "record_decision").due_date == date(2026, 4, 16)

    complete(engine, iid, "record_decision", more_time)  # a second extension is allowed
    complete(engine, iid, "decide_extension", extension, user="officer")
    (stay,) = engine.deadlines.deadlines(instance_id=iid, kind="reflection_end")
    # 1 May and 2 May are public holidays: the latest safe day is Thursday 30 April.
    assert (stay.legal_date, stay.latest_safe_day) == (date(2026, 5, 1), date(2026, 4, 30))
    assert engine.runtime.instance(iid).variables["extensions_granted"] == 2

    assert rejected(engine, iid, "record_decision", more_time, "decision") == (
        "The permitted stay may be extended 2 time(s) and cannot be extended again "
        "(Art. 50(1)).")


# --- the temporary residence permit -------------------------------------------------------


def permit_started(engine) -> int:
    """She decided to cooperate on 2 March 2026; her permitted stay ends on 30 May."""
    return engine.runtime.start("residence_permit_art50", CASE, data=permit.START,
                                actor="lawyer").id


def issued(engine, **decision) -> int:
    """A permit issued on Wednesday 10 June 2026."""
    iid = permit_started(engine)
    permit.issue_permit(engine, iid, {**permit.ISSUED, **decision})
    return iid


def test_prosecutor_confirmation_days(engine):
    iid = permit_started(engine)
    confirm = only_task(engine, iid, "confirm_cooperation")
    assert (confirm.role, confirm.due_date) == ("prosecutor", date(2026, 3, 12))
    due = permit.deadline(engine, iid, "cooperation_confirmation_due")
    assert (due.legal_date, due.owner_role) == (date(2026, 3, 12), "prosecutor")


def test_permit_validity_between_minimum_and_maximum_months(engine):
    shortest = issued(engine, expected_proceedings_months=1)
    assert engine.runtime.instance(shortest).variables["permit_valid_until"] == "2026-09-10"
    longest = issued(engine, expected_proceedings_months=20)
    assert engine.runtime.instance(longest).variables["permit_valid_until"] == "2027-03-10"

    iid = permit_started(engine)
    complete(engine, iid, "confirm_cooperation", permit.CONFIRMED)
    complete(engine, iid, "file_application", permit.APPLICATION)
    complete(engine, iid, "issue_certificate", permit.CERTIFICATE)
    engine.set_clock(local("2026-06-10", 10))
    for months in (2, 10):
        assert rejected(engine, iid, "decide_permit", {**permit.ISSUED,
                                                       "validity_months": months},
                        "validity_months") == (
            "The permit is issued for at least 3 and at most 9 months (Art. 50(7)).")
    complete(engine, iid, "decide_permit", {**permit.ISSUED, "validity_months": 9})
    assert engine.runtime.instance(iid).variables["permit_valid_until"] == "2027-03-10"


def test_permit_renewal_maximum_months(engine):
    iid = issued(engine, expected_proceedings_months=1)
    complete(engine, iid, "follow_proceedings", {"next_step": "apply_for_renewal"})
    complete(engine, iid, "file_renewal", {"renewal_filed_on": "2026-06-10"})
    renewed = {"renewal_decision": "renewed", "renewal_decided_on": "2026-06-10",
               "renewal_months": 7}
    assert rejected(engine, iid, "decide_renewal", renewed, "renewal_months") == (
        "A renewal is for at most 6 months (Art. 50(7)).")
    complete(engine, iid, "decide_renewal", {**renewed, "renewal_months": 6})
    assert engine.runtime.instance(iid).variables["permit_valid_until"] == "2027-03-10"
    assert permit.deadline(engine, iid, "permit_expiry").legal_date == date(2027, 3, 10)


def test_permit_expiry_warning_days(engine):
    iid = issued(engine, expected_proceedings_months=1)  # valid until Thursday 10 September
    assert engine.runtime.instance(iid).variables["permit_renewal_warning_at"] == (
        "2026-08-21T10:00:00+02:00")  # 20 days before, at the reminder hour
    engine.set_clock(local("2026-08-21", 9, 59))
    assert "act_before_expiry" not in open_elements(engine, iid)
    engine.set_clock(local("2026-08-21", 10, 1))
    assert "act_before_expiry" in open_elements(engine, iid)
    (warning,) = procedure_notices(engine, instance_id=iid, role="legal_adviser")
    assert (warning.subject, warning.body) == (
        "Art. 50 permit expires soon",
        "The permit is valid until 2026-09-10: apply for a renewal or for a further permit "
        "before then.")


def test_appeal_days_after_a_refusal(engine):
    iid = permit_started(engine)
    complete(engine, iid, "confirm_cooperation", permit.CONFIRMED)
    complete(engine, iid, "file_application", permit.APPLICATION)
    complete(engine, iid, "issue_certificate", permit.CERTIFICATE)
    complete(engine, iid, "decide_permit", {
        "permit_decision": "refused", "refused_on": "2026-03-02",
        "refusal_served_on": "2026-03-02", "refusal_ground": "conditions_not_met"})
    appeal = permit.deadline(engine, iid, "appeal_due")
    assert (appeal.legal_date, appeal.latest_safe_day) == (date(2026, 3, 10), date(2026, 3, 10))
    assert only_task(engine, iid, "consider_appeal").due_date == date(2026, 3, 10)
    bodies = [n.body for n in procedure_notices(engine, instance_id=iid, role="legal_adviser")]
    assert ("The refusal is not final: the certificate still counts as a permit. An appeal "
            "must be filed by 2026-03-10.") in bodies


# --- school, plan, programme and return ---------------------------------------------------


def test_school_enrolment_warning_days(engine):
    iid = engine.runtime.start("school_enrolment", CASE,
                               data={"permit_valid_until": school.PERMIT_END}).id
    complete(engine, iid, "agree_schooling", school.CONSENT, user="counsellor")
    assert engine.runtime.instance(iid).variables["school_warning_at"] == (
        "2026-11-27T10:00:00+01:00")  # 27 days before Thursday 24 December
    engine.set_clock(local("2026-11-27", 9, 59))
    assert "act_on_warning" not in open_elements(engine, iid)
    engine.set_clock(local("2026-11-27", 10, 1))
    assert only_task(engine, iid, "act_on_warning").role == "legal_adviser"
    (warning,) = procedure_notices(engine, instance_id=iid, role="legal_adviser")
    assert (warning.subject, warning.body) == (
        "School enrolment not yet done",
        "The latest safe day to enrol her before her permit expires is 2026-12-24.")


def test_protection_plan_review_interval_and_reminder(engine):
    iid = engine.runtime.start("protection_plan", CASE, actor="coord").id
    complete(engine, iid, "ask_plan_consent", examples.PLAN_CONSENT)
    engine.set_clock(local("2026-04-01", 10))
    later = [examples.goal("long_term", "She is economically independent",
                       ("G1-1", "2026-12-01"))]
    complete(engine, iid, "draw_up_plan", {**examples.PLAN, "goals": later})
    review = plan.deadlines(engine, iid)["plan_review_due", "review-1"]
    assert review.legal_date == date(2026, 5, 15)  # 44 days after 1 April
    assert only_task(engine, iid, "review_plan").due_date == date(2026, 5, 15)
    variables = engine.runtime.instance(iid).variables
    assert variables["next_monitoring_at"] == "2026-05-15T10:00:00+02:00"

    engine.set_clock(local("2026-05-15", 10, 1))
    (due,) = procedure_notices(engine, instance_id=iid, role="coordinator")
    assert (due.subject, due.body) == (
        "Protection plan: review due", f"Case {CASE}: the plan was due for review on 2026-05-15.")
    assert engine.runtime.instance(iid).variables["next_monitoring_at"] == (
        "2026-05-18T10:00:00+02:00")  # reminded again 3 days later
    engine.set_clock(local("2026-05-18", 9, 59))
    assert len(procedure_notices(engine, instance_id=iid, role="coordinator")) == 1
    engine.set_clock(local("2026-05-18", 10, 1))
    assert len(procedure_notices(engine, instance_id=iid, role="coordinator")) == 2


SESSION = {**programme.SESSION_1, "session_minutes": 45}


def programme_at_intake(engine) -> int:
    iid = engine.runtime.start("reintegration_programme", CASE, actor="counsellor").id
    programme.complete(engine, iid, "present_programme", programme.PRESENT)
    programme.complete(engine, iid, "record_entry_decision", programme.ENTER)
    programme.on(engine, "2026-03-10")
    return iid


def test_programme_intake_session_max_minutes(engine):
    iid = programme_at_intake(engine)
    assert rejected(engine, iid, "intake_session", {**SESSION, "session_minutes": 46},
                    "session_minutes") == (
        "A session lasts at most 45 minutes: stop and continue the intake in another session.")
    complete(engine, iid, "intake_session", SESSION)
    assert engine.runtime.instance(iid).variables["intake_minutes_total"] == 45


def test_programme_review_interval(engine):
    iid = programme_at_intake(engine)
    complete(engine, iid, "intake_session", SESSION)
    programme.on(engine, "2026-03-12")
    complete(engine, iid, "intake_session", {**programme.SESSION_2, "session_minutes": 40})
    for element_id, data in (("write_report", programme.REPORT),
                             ("team_decision", programme.ADMITTED),
                             ("prepare_plan", programme.PLAN),
                             ("prepare_contract", programme.CONTRACT),
                             ("sign_contract", programme.SIGN),
                             ("make_annex", programme.ANNEX)):
        if element_id == "team_decision":
            programme.on(engine, "2026-03-23")
        programme.complete(engine, iid, element_id, data)
    first = programme.reviews(engine, iid)["reintegration-review-1"]
    assert (first.legal_date, first.latest_safe_day) == (date(2026, 4, 17), date(2026, 4, 17))
    assert engine.runtime.instance(iid).variables["next_review_on"] == "2026-04-17"
    engine.set_clock(local("2026-04-17", 8, 59))
    assert "review_plan" not in open_elements(engine, iid)
    engine.set_clock(local("2026-04-17", 9, 1))
    assert only_task(engine, iid, "review_plan").due_date == date(2026, 4, 17)


def test_return_follow_up_days(engine):
    iid = engine.runtime.start("voluntary_return", CASE, actor="coord").id
    going_home.walk_to(engine, iid, "hand_over")
    engine.set_clock(local("2026-03-20", 19))
    complete(engine, iid, "hand_over", going_home.HANDOVER, user="iom")
    variables = engine.runtime.instance(iid).variables
    assert (variables["follow_up_on"], variables["follow_up_at"]) == (
        "2026-04-01", "2026-04-01T09:00:00+02:00")  # 12 days after her arrival
    (returned,) = procedure_notices(engine, instance_id=iid, role="coordinator")
    assert returned.body.endswith("The follow-up contact is due on 2026-04-01.")
    engine.set_clock(local("2026-04-01", 9, 1))
    follow_up = only_task(engine, iid, "follow_up")
    complete(engine, iid, "follow_up", {**going_home.FOLLOW_UP, "contacted_on": "2026-04-01",
                                        "further_follow_up": True})
    assert follow_up.role == "coordinator"
    assert engine.runtime.instance(iid).variables["follow_up_on"] == "2026-04-13"


def test_non_punishment_answer_days(engine):
    iid = engine.runtime.start("non_punishment", CASE, data={"np_victim_status": "identified"},
                               actor="coord").id
    complete(engine, iid, "record_offence", {
        "offence_kind": "work_without_permit", "offence_proceedings": "misdemeanour",
        "offence_reference": "PN 1/2026", "offence_authority": "Labour inspectorate"})
    complete(engine, iid, "prepare_submission", {
        "submission_outcome": "submitted", "submission_date": "2026-03-02",
        "submission_grounds": ["cets_art_26"]})
    decide = only_task(engine, iid, "decide_non_punishment")
    assert (decide.role, decide.due_date) == ("prosecutor", date(2026, 3, 18))  # 16 days


def test_missing_review_and_deadline_notice_days(engine):
    # The application is due on Wednesday 15 April, 36 days after she is found missing:
    # within Slovenia's 42 days, not within this file's 30. The prosecutor's confirmation
    # is due 10 days after her decision, on 12 March.
    engine.runtime.start("residence_permit_art50", CASE, actor="lawyer",
                         data={**permit.START, "reflection_end": "2026-04-15"})
    engine.set_clock(local("2026-03-10", 11))
    iid = engine.runtime.start("disappearance", CASE, actor="coord", data={
        "last_seen_on": "2026-03-09", "found_missing_on": "2026-03-10",
        "noticed_by": "shelter_staff"}).id
    (told,) = procedure_notices(engine, instance_id=iid, role="legal_adviser")
    assert "Due within 30 days: " in told.body and "legal date 2026-03-12" in told.body
    assert "2026-04-15" not in told.body
    assert only_task(engine, iid, "record_search_status").due_date == date(2026, 3, 15)
    engine.set_clock(local("2026-03-15", 9, 59))
    assert not procedure_notices(engine, instance_id=iid, role="police")[1:]
    engine.set_clock(local("2026-03-15", 10, 1))  # 5 days after, at the reminder hour
    assert procedure_notices(engine, instance_id=iid, role="police")[-1].subject == (
        f"Search check: is she still missing? (case {CASE})")
    assert only_task(engine, iid, "record_search_status").due_date == date(2026, 3, 20)


# --- reminders ----------------------------------------------------------------------------


def test_reminder_offsets_and_hour(engine):
    iid = granted_stay(engine)  # the stay's latest safe day is Wednesday 1 April
    planned = [(t.kind, t.offset_days, t.due_at.astimezone(LJUBLJANA).isoformat())
               for t in engine.timers.timers(instance_id=iid) if t.deadline_id is not None]
    assert planned == [("reminder", 9, "2026-03-23T10:00:00+01:00"),
                       ("reminder", 4, "2026-03-28T10:00:00+01:00"),
                       ("escalation", 1, "2026-04-02T10:00:00+02:00")]

    def reminders():
        return [n.subject for n in engine.deadlines.notifications(
            instance_id=iid, role="coordinator", source="reminder")]

    title = "Her decision on cooperating, before the permitted stay ends"
    engine.set_clock(local("2026-03-23", 9, 59))
    assert reminders() == []
    engine.set_clock(local("2026-03-23", 10, 1))
    assert reminders() == [f"{title}: 9 days left (case {CASE})"]
    engine.set_clock(local("2026-03-28", 9, 59))  # nothing at Slovenia's 14 and 7 days
    assert len(reminders()) == 1
    engine.set_clock(local("2026-03-28", 10, 1))
    assert reminders()[1:] == [f"{title}: 4 days left (case {CASE})"]


# --- statistics ---------------------------------------------------------------------------

def test_statistics_suppress_below_the_jurisdictions_threshold(engine):
    """With a threshold of 1 nothing is suppressed: one person identified shows as 1
    (Slovenia's 5 would show <5)."""
    instance = engine.runtime.start("identification", CASE, actor="officer")
    complete(engine, instance.id, "record_preliminary", examples.PRELIMINARY, "officer")
    complete(engine, instance.id, "ask_referral_consent", examples.REFERRAL_CONSENT, "officer")
    complete(engine, instance.id, "formal_identification", examples.FORMAL, "coord")
    stats = engine.statistics.year(2026)
    assert stats.threshold == 1
    [identified] = [t for t in stats.tables if t.key == "identified"]
    assert identified.rows[0].counts == [1, 0, 0, 0, 1]
