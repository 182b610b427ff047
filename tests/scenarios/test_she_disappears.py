"""She disappears (DOMAIN.md, "Paths that must exist in every procedure"), walked with the
settable clock: the missing-person report at once, the child alert, the re-trafficking
check, her case paused while she is missing and resumed when she reappears, her legal
deadlines running all along.

Her permit procedure runs when she disappears: it is suspended in the same transaction
that opens the search, its tasks are refused until she reappears, and it goes on from
where it stopped when she does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.errors import Conflict, ValidationFailed
from engine.kit.jurisdiction import JURISDICTIONS
from tests.conftest import PROCESSES
from tests.processes import permit_steps as permit
from tests.processes.steps import procedure_notices, rejected
from tests.scenarios.case import LJUBLJANA, Case

CASE = "SI-4M7P-2Q8D"
MISSING = {"last_seen_on": "2026-03-09", "found_missing_on": "2026-03-10", "is_child": False,
           "noticed_by": "shelter_staff"}
"""Last seen on Monday 9 March 2026, found missing on Tuesday 10 March."""
CHILD = {**MISSING, "is_child": True, "noticed_by": "social_work"}
REPORT = {"report_taken_on": "2026-03-10", "police_reference": "PU-LJ 2026/113",
          "report_risk": "high", "cross_border_alert": True}
STILL_MISSING = {"search_checked_on": "2026-03-17", "search_status": "still_missing"}
BACK = {"search_checked_on": "2026-03-17", "search_status": "reappeared",
        "reappeared_on": "2026-03-17"}
CLOSED = {"search_checked_on": "2026-04-20", "search_status": "search_closed",
          "search_closing_reason": "left_the_country", "police_told_of_closing": True}
RETURN_CHECK = {"return_checked_on": "2026-03-17", "return_signs": ["threats"],
                "return_assessment": "signs_found", "return_safe_now": True,
                "return_wish": "continue"}
EVERYONE = ("police", "coordinator", "ngo_counsellor", "social_work", "legal_adviser")


@pytest.fixture
def her_permit(engine) -> Case:
    """Her Art. 50 permit procedure, started on 2 March 2026 with its start form: the
    prosecutor's confirmation is due on 1 April, the application by 29 May."""
    engine.repository.deploy(PROCESSES)
    case = Case.open(engine, CASE, "residence_permit_art50", permit.START)
    assert case.open_elements() == ["confirm_cooperation", "file_application"]
    return case


def at(engine, day: str, hour: int = 10) -> None:
    """Move the clock to ``day`` at ``hour`` in Ljubljana, firing what came due."""
    local = datetime.fromisoformat(day).replace(hour=hour, tzinfo=LJUBLJANA)
    engine.set_clock(local.astimezone(UTC))


def disappears(engine, data=None, day: str = "2026-03-10") -> Case:
    """The coordinator starts the search for her case on ``day`` at 10:00 in Ljubljana."""
    engine.repository.deploy(PROCESSES)
    at(engine, day)
    return Case.open(engine, CASE, "disappearance", dict(data or MISSING))


def notices(case: Case, role: str) -> list[tuple[str, str]]:
    return [(n.subject, n.body) for n in procedure_notices(case.engine, role=role,
                                                           instance_id=case.id)]


def events(case: Case) -> list[str]:
    return [e.event_type for e in case.engine.history.events(instance_id=case.id)]


def test_she_disappears_the_police_take_the_report_at_once_and_her_case_is_paused(
        engine, her_permit):
    search = disappears(engine)
    report = search.task("take_report")
    assert (report.role, str(report.due_date)) == ("police", "2026-03-10")
    due = search.deadline("missing_person_report_due")
    assert (due.owner_role, str(due.legal_date), str(due.latest_safe_day), due.status) == (
        "police", "2026-03-10", "2026-03-10", "open")
    assert her_permit.instance.status == "suspended"
    assert "instance_suspended" in events(her_permit)
    assert "case_paused" in events(search)
    for role in ("police", "coordinator", "ngo_counsellor", "social_work"):
        assert (f"She is missing (case {CASE})", ) == tuple(
            s for s, _ in notices(search, role) if s.startswith("She is missing ("))
    # An adult: no child alert, no guardian.
    assert sorted(search.open_elements()) == ["check_retrafficking", "keep_legal_deadlines",
                                              "record_search_status", "take_report"]

    search.complete("take_report", "officer", REPORT, role="police")
    assert search.deadline("missing_person_report_due").status == "met"


def test_a_paused_procedure_refuses_its_tasks_with_a_clear_error_and_nothing_changes(
        engine, her_permit):
    search = disappears(engine)
    before = her_permit.instance
    for element, data, user in (("confirm_cooperation", permit.CONFIRMED, "prosecutor"),
                                ("file_application", permit.APPLICATION, "lawyer")):
        task = her_permit.task(element)
        with pytest.raises(Conflict, match="suspended while she is missing") as refused:
            engine.tasks.complete(task.id, user, data)
        assert f"paused by instance {search.id}" in str(refused.value)
        assert "nothing was changed" in str(refused.value)
        assert engine.tasks.task(task.id).status == "open"
    after = her_permit.instance
    assert (after.status, after.revision, after.variables) == (
        "suspended", before.revision, before.variables)
    assert [t.id for t in after.open_tasks] == [t.id for t in before.open_tasks]


def test_her_legal_deadlines_keep_running_and_the_legal_adviser_is_told_which_come(
        engine, her_permit):
    search = disappears(engine)
    [(subject, body)] = notices(search, "legal_adviser")[:1]
    assert subject == f"She is missing: her legal deadlines keep running (case {CASE})"
    # Within 42 days (missing.deadline_notice_days) of 10 March: the prosecutor's
    # confirmation on 1 April; not the application, whose latest safe day is 29 May.
    assert "Confirm her cooperation for the Art. 50 permit: latest safe day 2026-04-01, " \
           "legal date 2026-04-01" in body
    assert "2026-05-29" not in body
    assert search.task("keep_legal_deadlines").role == "legal_adviser"

    # 14 days before its latest safe day the reminder goes out, although the permit
    # procedure is paused: her deadlines do not wait for her.
    search.at("2026-03-18")
    assert her_permit.instance.status == "suspended"
    reminders = [n.subject for n in engine.deadlines.notifications(
        source="reminder", instance_id=her_permit.id, role="legal_adviser")]
    assert reminders == ["Confirm her cooperation for the Art. 50 permit: 14 days left "
                         f"(case {CASE})"]
    assert her_permit.deadline("cooperation_confirmation_due").status == "open"
    search.complete("keep_legal_deadlines", "lawyer", {
        "legal_action_on": "2026-03-18",
        "legal_actions": ["authority_told_she_is_missing"]}, role="legal_adviser")


def test_the_search_is_checked_again_every_review_days(engine, her_permit):
    search = disappears(engine)
    assert str(search.task("record_search_status").due_date) == "2026-03-17"
    search.at("2026-03-17", hour=7)  # before the reminder hour (8:00)
    assert not [s for s, _ in notices(search, "coordinator") if s.startswith("Search check")]
    search.at("2026-03-17", hour=9)  # 7 days (missing.review_days) after she was found missing
    for role in ("coordinator", "police"):
        assert [s for s, _ in notices(search, role) if s.startswith("Search check")] == [
            f"Search check: is she still missing? (case {CASE})"]
    assert str(search.task("record_search_status").due_date) == "2026-03-24"

    search.complete("record_search_status", "coord", STILL_MISSING, role="coordinator")
    assert str(search.task("record_search_status").due_date) == "2026-03-24"
    search.at("2026-03-24", hour=9)
    assert len([s for s, _ in notices(search, "coordinator")
                if s.startswith("Search check")]) == 2
    assert str(search.task("record_search_status").due_date) == "2026-03-31"
    assert her_permit.instance.status == "suspended"


def test_she_reappears_her_procedures_go_on_and_everyone_is_told(engine, her_permit):
    search = disappears(engine)
    search.complete("take_report", "officer", REPORT, role="police")
    search.at("2026-03-17", hour=11)
    search.complete("record_search_status", "coord", BACK, role="coordinator")

    assert her_permit.instance.status == "running"
    assert events(her_permit)[-4:].count("instance_resumed") == 1
    assert "case_resumed" in events(search)
    for role in EVERYONE:
        assert f"She has reappeared (case {CASE})" in [s for s, _ in notices(search, role)]
    # The search is over: the first check ends; the check after her return is open.
    assert sorted(search.open_elements()) == ["check_after_return", "keep_legal_deadlines"]
    assert search.instance.variables["case_paused"] is False

    her_permit.complete("confirm_cooperation", "prosecutor",
                        {**permit.CONFIRMED, "cooperation_confirmed_on": "2026-03-17"},
                        role="prosecutor")
    her_permit.complete("file_application", "lawyer",
                        {**permit.APPLICATION, "application_filed_on": "2026-03-17"},
                        role="legal_adviser")
    assert her_permit.deadline("permit_application_due").status == "met"

    search.complete("check_after_return", "coord", RETURN_CHECK, role="coordinator")
    assert (f"Signs of re-trafficking after her return (case {CASE})"
            in [s for s, _ in notices(search, "police")])
    search.complete("keep_legal_deadlines", "lawyer", {
        "legal_action_on": "2026-03-17", "legal_actions": ["nothing_due_yet"]})
    assert search.instance.status == "completed"


def test_she_reappears_before_the_report_is_taken(engine, her_permit):
    search = disappears(engine)
    search.complete("record_search_status", "coord",
                    {**BACK, "search_checked_on": "2026-03-10", "reappeared_on": "2026-03-10"})
    assert "take_report" not in search.open_elements()
    report = search.deadline("missing_person_report_due")
    assert report.status == "cancelled" and "she reappeared on 2026-03-10" in report.cancel_reason
    assert her_permit.instance.status == "running"


def test_a_missing_child_gets_the_child_alert_and_her_guardian_told_at_once(engine):
    search = disappears(engine, CHILD)
    alert, guardian = search.task("activate_child_alert"), search.task("inform_guardian")
    assert (alert.role, guardian.role) == ("police", "social_work")
    for role in ("police", "social_work"):
        assert f"A child is missing (case {CASE})" in [s for s, _ in notices(search, role)]

    message = rejected(engine, search.id, "activate_child_alert",
                       {"child_alert_on": "2026-03-10", "child_alert_channels": ["hotline_116000"]},
                       "child_alert_channels")
    assert "police alert for a missing child" in message
    rejected(engine, search.id, "activate_child_alert",
             {"child_alert_on": "2026-03-10",
              "child_alert_channels": ["police_child_alert", "public_appeal"]},
             "public_appeal_risk_assessed")
    search.complete("activate_child_alert", "officer", {
        "child_alert_on": "2026-03-10",
        "child_alert_channels": ["police_child_alert", "hotline_116000"]}, role="police")
    search.complete("inform_guardian", "social worker", {
        "guardian_told_on": "2026-03-10", "guardian_told_how": "in_person",
        "carers_told": True}, role="social_work")

    # The search for a child is not closed without her guardian agreeing.
    search.at("2026-04-20")
    assert "guardian" in rejected(engine, search.id, "record_search_status", CLOSED,
                                  "guardian_told_of_closing")


def test_signs_of_retrafficking_reach_the_police(engine):
    search = disappears(engine)
    assert "outcome" in rejected(engine, search.id, "check_retrafficking", {
        "retrafficking_checked_on": "2026-03-10", "retrafficking_signs": ["threats"],
        "retrafficking_assessment": "no_signs_found"}, "retrafficking_assessment")
    search.complete("check_retrafficking", "coord", {
        "retrafficking_checked_on": "2026-03-10", "retrafficking_assessment": "cannot_tell"},
        role="coordinator")
    assert search.instance.variables["retrafficking_suspected"] is True
    assert f"Signs of re-trafficking (case {CASE})" in [s for s, _ in notices(search, "police")]


def test_the_search_closed_leaves_the_case_paused(engine, her_permit):
    search = disappears(engine)
    search.complete("take_report", "officer", REPORT, role="police")
    search.at("2026-04-20")
    assert "police" in rejected(engine, search.id, "record_search_status",
                                {**CLOSED, "police_told_of_closing": False},
                                "police_told_of_closing")
    rejected(engine, search.id, "record_search_status",
             {**CLOSED, "search_closing_reason": None}, "search_closing_reason")
    search.complete("record_search_status", "coord", CLOSED, role="coordinator")

    assert her_permit.instance.status == "suspended"
    assert search.instance.variables["search_closing_reason"] == "left_the_country"
    for role in EVERYONE:
        assert f"Search closed (case {CASE})" in [s for s, _ in notices(search, role)]
    # The search steps end; the legal adviser still answers for her deadlines.
    assert search.open_elements() == ["keep_legal_deadlines"]
    with pytest.raises(Conflict, match="suspended while she is missing"):
        engine.tasks.complete(her_permit.task("confirm_cooperation").id, "prosecutor",
                              permit.CONFIRMED)
    # If she comes back later, a coordinator resumes her procedures by hand.
    engine.runtime.resume(her_permit.id, actor="coord", reason="She came back in May.")
    assert her_permit.instance.status == "running"


@pytest.mark.parametrize(("data", "field"), [
    ({**MISSING, "found_missing_on": "2026-03-08"}, "found_missing_on"),
    ({**MISSING, "last_seen_on": "2026-03-11"}, "last_seen_on"),  # in the future
    ({**MISSING, "noticed_by": "neighbour"}, "noticed_by"),
    ({k: v for k, v in MISSING.items() if k != "noticed_by"}, "noticed_by"),
    ({**MISSING, "name": "Julija"}, "name"),
])
def test_bad_start_data_is_refused_and_nothing_starts(engine, her_permit, data, field):
    at(engine, "2026-03-10")
    before = her_permit.instance
    with pytest.raises(ValidationFailed, match="nothing was started") as refused:
        engine.runtime.start("disappearance", CASE, data=data, actor="coord")
    assert field in refused.value.fields, refused.value.fields
    assert engine.runtime.instances(process_key="disappearance") == []
    after = her_permit.instance
    assert (after.status, after.revision) == ("running", before.revision)
    assert [d.kind for d in her_permit.deadlines()] == [
        "cooperation_confirmation_due", "permit_application_due"]
    assert procedure_notices(engine, role="police") == []


def test_a_report_is_due_the_day_she_is_found_missing_even_on_a_sunday(engine):
    search = disappears(engine, {**MISSING, "last_seen_on": "2026-03-14",
                                 "found_missing_on": "2026-03-15"}, day="2026-03-15")
    due = search.deadline("missing_person_report_due")
    assert (str(due.legal_date), str(due.latest_safe_day)) == ("2026-03-15", "2026-03-15")
    assert str(search.task("take_report").due_date) == "2026-03-15"


def test_the_review_period_comes_from_the_jurisdiction_file(make_engine, tmp_path: Path):
    text = (JURISDICTIONS / "si.toml").read_text(encoding="utf-8")
    assert "\nreview_days = 7 " in text
    folder = tmp_path / "jurisdictions"
    folder.mkdir()
    (folder / "xx.toml").write_text(text.replace("\nreview_days = 7 ", "\nreview_days = 3 "),
                                    encoding="utf-8")
    engine = make_engine(jurisdiction="xx", jurisdiction_folder=folder)
    search = disappears(engine)
    assert str(search.task("record_search_status").due_date) == "2026-03-13"
