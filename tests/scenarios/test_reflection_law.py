"""The end of the permitted stay (Art. 50(1), (6) ZTuj-2) walked with the settable clock:
an extension request is decided before the stay lapses, a late application still reaches
the permit procedure, and nothing about a stay that has ended is left open as if it ran.
"""

from __future__ import annotations

from tests.scenarios.case import STAY_GRANTED as GRANT

EXTEND = {"decision": "extend", "decision_date": "2026-05-12",
          "reason": "She is still recovering from her injuries."}


def _notices(case, role):
    return [n.subject for n in case.engine.deadlines.notifications(role=role,
                                                                  instance_id=case.id)]


def test_an_extension_request_is_due_before_the_stay_ends(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-12")
    case.complete("record_decision", "coord", EXTEND)
    task = case.task("decide_extension")
    # The stay ends on Sunday 31 May: the police decide by Friday 29 May.
    assert (task.role, str(task.due_date)) == ("police", "2026-05-29")
    due = case.deadline("extension_decision_due")
    assert (due.owner_role, str(due.legal_date), due.status) == ("police", "2026-05-31", "open")
    case.at("2026-05-22")  # 7 days before the latest safe day
    assert any("Decide on extending her permitted stay" in s for s in _notices(case, "police"))


def test_an_undecided_extension_request_does_not_let_the_stay_lapse_unseen(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-12")
    case.complete("record_decision", "coord", EXTEND)
    case.at("2026-05-30")
    assert any(s.startswith("Deadline passed without action: Decide on extending")
               for s in _notices(case, "coordinator"))
    case.at("2026-06-01")  # the stay ended on 31 May
    assert "decide_extension" not in case.open_elements()
    assert case.task("handle_expired_stay").role == "coordinator"
    assert case.deadline("extension_decision_due").status == "missed"


def test_a_decided_extension_meets_the_police_deadline(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-12")
    case.complete("record_decision", "coord", EXTEND)
    case.complete("decide_extension", "officer", {
        "extension_granted": True, "extension_decision_date": "2026-05-12",
        "extension_days": 60}, role="police")
    assert case.deadline("extension_decision_due").status == "met"
    assert str(case.deadline("reflection_end").legal_date) == "2026-07-30"


def test_the_expiry_review_closes_when_the_stay_has_ended(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-05-15")
    assert case.task("review_expiring_stay").role == "legal_adviser"
    case.at("2026-06-01")
    assert "review_expiring_stay" not in case.open_elements()
    assert case.task("handle_expired_stay").role == "coordinator"


def test_a_late_application_after_the_stay_expired_reaches_the_permit_procedure(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", GRANT)
    case.at("2026-06-02")
    case.complete("handle_expired_stay", "coord",
                  {"outcome": "late_application_filed", "cooperation_decided_on": "2026-06-01",
                   "notes": "She decided the day after the stay ended."})
    assert {"confirm_cooperation", "file_application"} <= set(case.open_elements())
    due = case.deadline("permit_application_due")
    assert (str(due.legal_date), due.status) == ("2026-05-31", "missed")
    case.complete("file_application", "lawyer", {"application_filed_on": "2026-06-02",
                                                 "no_means": True}, role="legal_adviser")
    assert case.task("handle_late_application").role == "legal_adviser"
    assert "issue_certificate" not in case.open_elements()
    assert "Permit application filed late" in _notices(case, "legal_adviser")
    assert case.deadline("permit_application_due").status == "missed"


def test_the_police_decide_on_the_stay_within_a_month_and_the_decision_meets_it(julija):
    """ZUP Art. 222(1): started on Monday 2 March, decided by Thursday 2 April at the
    latest; the police see that day first on the task, the legal adviser hears of it."""
    case = julija
    due = case.deadline("stay_decision_due")
    assert (due.owner_role, str(due.legal_date), str(due.latest_safe_day), due.status) == (
        "police", "2026-04-02", "2026-04-02", "open")
    task = case.task("grant_permitted_stay")
    assert (str(task.due_date), str(task.legal_date)) == ("2026-04-02", "2026-04-02")
    case.at("2026-03-03")  # within 30 days of the latest safe day: reminded at once
    assert any("Decide on her permitted stay" in s for s in _notices(case, "police"))
    assert any("Decide on her permitted stay" in s for s in _notices(case, "legal_adviser"))
    case.complete("grant_permitted_stay", "officer", {**GRANT,
                                                      "stay_decision_date": "2026-03-03"})
    assert (case.deadline("stay_decision_due").status,
            str(case.deadline("stay_decision_due").met_on)) == ("met", "2026-03-03")


def test_a_refusal_meets_the_time_limit_too(julija):
    case = julija
    case.complete("grant_permitted_stay", "officer", {
        **GRANT, "stay_decision": "refused", "refusal_ground": "public_order"})
    assert case.deadline("stay_decision_due").status == "met"
    assert "plan_after_refusal" in case.open_elements()
