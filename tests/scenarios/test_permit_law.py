"""Art. 50(4)-(6) ZTuj-2 walked with the settable clock: the filing never waits for the
prosecutor, and the certificate counts as a permit until the *final* decision.

Each test is named after the rule it proves and checks what each actor sees: the open
tasks and their owners, the legal deadlines, and the notices.
"""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.processes import permit_steps as permit
from tests.processes.steps import (
    at,
    complete,
    only_task,
    open_elements,
    procedure_notices,
    rejected,
)

REFUSED = {"permit_decision": "refused", "refused_on": "2026-03-02",
           "refusal_served_on": "2026-03-02", "refusal_ground": "contact_with_suspect"}


def _subjects(engine, instance_id, role):
    return [n.subject for n in engine.deadlines.notifications(role=role,
                                                             instance_id=instance_id)]


def _refused(engine):
    """Filed in time, certificate issued, then refused; served on 2 March 2026."""
    instance = permit.start(engine)
    complete(engine, instance.id, "confirm_cooperation", permit.CONFIRMED, user="prosecutor")
    complete(engine, instance.id, "file_application", permit.APPLICATION, user="lawyer")
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    complete(engine, instance.id, "decide_permit", REFUSED, user="clerk")
    return instance


def test_filing_opens_when_she_decides_and_never_waits_for_the_prosecutor(engine):
    instance = permit.start(engine)
    assert sorted(open_elements(engine, instance.id)) == ["confirm_cooperation",
                                                          "file_application"]
    assert only_task(engine, instance.id, "file_application").role == "legal_adviser"
    confirm = only_task(engine, instance.id, "confirm_cooperation")
    # The prosecutor's own due date: 30 days after her decision on 2 March, 1 April.
    assert (confirm.role, confirm.due_date.isoformat()) == ("prosecutor", "2026-04-01")
    asked = permit.deadline(engine, instance.id, "cooperation_confirmation_due")
    assert (asked.owner_role, asked.legal_date.isoformat()) == ("prosecutor", "2026-04-01")

    complete(engine, instance.id, "file_application", permit.APPLICATION, user="lawyer")
    assert permit.deadline(engine, instance.id, "permit_application_due").status == "met"
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    # The decision waits for the prosecutor's answer, the certificate does not.
    assert open_elements(engine, instance.id) == ["confirm_cooperation"]
    complete(engine, instance.id, "confirm_cooperation", permit.CONFIRMED, user="prosecutor")
    assert permit.deadline(engine, instance.id, "cooperation_confirmation_due").status == "met"
    assert only_task(engine, instance.id, "decide_permit").role == "admin_unit"


def test_a_late_confirmation_is_reminded_and_escalated_while_the_filing_stands(engine):
    instance = permit.start(engine)
    complete(engine, instance.id, "file_application", permit.APPLICATION, user="lawyer")
    at(engine, "2026-03-25")  # 7 days before the prosecutor's latest safe day
    assert any("Confirm her cooperation" in s
               for s in _subjects(engine, instance.id, "prosecutor"))
    at(engine, "2026-04-02")  # the day after the latest safe day, 1 April
    assert permit.deadline(engine, instance.id, "cooperation_confirmation_due").status \
        == "missed"
    assert any(s.startswith("Deadline passed without action: Confirm her cooperation")
               for s in _subjects(engine, instance.id, "coordinator"))
    assert permit.deadline(engine, instance.id, "permit_application_due").status == "met"


def test_not_confirmed_goes_to_the_decision_and_keeps_the_filing_deadline(engine):
    instance = permit.start(engine)
    complete(engine, instance.id, "confirm_cooperation",
             {"cooperation_confirmed": False, "cooperation_confirmed_on": "2026-03-02"},
             user="prosecutor")
    due = permit.deadline(engine, instance.id, "permit_application_due")
    assert due.status == "open" and due.legal_date.isoformat() == "2026-05-30"
    assert only_task(engine, instance.id, "file_application").due_date.isoformat() \
        == "2026-05-29"
    assert "Cooperation not confirmed" in [
        n.subject for n in procedure_notices(engine, role="legal_adviser",
                                             instance_id=instance.id)]
    complete(engine, instance.id, "file_application", permit.APPLICATION, user="lawyer")
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    at(engine, "2026-06-10")
    # Without the confirmation the unit cannot issue (Art. 50(4)); it refuses on 50(5).
    message = rejected(engine, instance.id, "decide_permit", permit.ISSUED,
                              "permit_decision")
    assert "Art. 50(4)" in message
    complete(engine, instance.id, "decide_permit",
             {**REFUSED, "refused_on": "2026-06-10", "refusal_served_on": "2026-06-10",
              "refusal_ground": "conditions_not_met"}, user="clerk")
    assert only_task(engine, instance.id, "consider_appeal").role == "legal_adviser"


def test_the_certificate_counts_until_the_appeal_period_ends(engine):
    instance = _refused(engine)
    state = engine.runtime.instance(instance.id)
    assert state.variables["refusal_final"] is False
    appeal = permit.deadline(engine, instance.id, "appeal_due")
    # 15 days from service on 2 March: 17 March, a Tuesday.
    assert (appeal.legal_date.isoformat(), appeal.owner_role) == ("2026-03-17", "legal_adviser")
    task = only_task(engine, instance.id, "consider_appeal")
    assert (task.role, task.due_date.isoformat()) == ("legal_adviser", "2026-03-17")
    notices = [(n.subject, n.body) for n in procedure_notices(engine, role="coordinator",
                                                              instance_id=instance.id)]
    assert ("Art. 50 permit refused", "The refusal is not final: the certificate still counts "
            "as a permit. An appeal must be filed by 2026-03-17.") in notices
    assert "plan_after_refusal" not in open_elements(engine, instance.id)

    at(engine, "2026-03-10")
    complete(engine, instance.id, "consider_appeal",
             {"appeal_filed": False, "reason_not_appealed": "She has a permit for work."},
             user="lawyer")
    assert permit.deadline(engine, instance.id, "appeal_due").status == "cancelled"
    state = engine.runtime.instance(instance.id)
    assert (state.variables["refusal_final"], state.variables["refusal_final_on"]) == (
        True, "2026-03-17")
    assert only_task(engine, instance.id, "plan_after_refusal").role == "coordinator"


def test_the_certificate_counts_until_the_appeal_is_decided(engine):
    instance = _refused(engine)
    at(engine, "2026-03-12")
    complete(engine, instance.id, "consider_appeal",
             {"appeal_filed": True, "appeal_filed_on": "2026-03-12"}, user="lawyer")
    assert permit.deadline(engine, instance.id, "appeal_due").status == "met"
    assert only_task(engine, instance.id, "decide_appeal").role == "admin_unit"
    assert engine.runtime.instance(instance.id).variables["refusal_final"] is False

    at(engine, "2026-05-04")
    assert "it cannot be decided before" in rejected(
        engine, instance.id, "decide_appeal",
        {"appeal_decision": "dismissed", "appeal_decided_on": "2026-03-11",
         "appeal_decision_served_on": "2026-05-04"}, "appeal_decided_on")
    complete(engine, instance.id, "decide_appeal",
             {"appeal_decision": "dismissed", "appeal_decided_on": "2026-04-28",
              "appeal_decision_served_on": "2026-05-04"}, user="clerk")
    state = engine.runtime.instance(instance.id)
    assert (state.variables["refusal_final"], state.variables["refusal_final_on"]) == (
        True, "2026-05-04")
    subjects = [n.body for n in procedure_notices(engine, role="legal_adviser",
                                                  instance_id=instance.id)]
    assert any("final from 2026-05-04" in s for s in subjects)
    complete(engine, instance.id, "plan_after_refusal",
             {"next_step_without_permit": "administrative_dispute"}, user="coord")
    assert engine.runtime.instance(instance.id).status == "completed"


def test_an_upheld_appeal_returns_to_the_unit_which_may_then_issue(engine):
    instance = _refused(engine)
    complete(engine, instance.id, "consider_appeal",
             {"appeal_filed": True, "appeal_filed_on": "2026-03-02"}, user="lawyer")
    at(engine, "2026-06-10")
    complete(engine, instance.id, "decide_appeal",
             {"appeal_decision": "upheld", "appeal_decided_on": "2026-06-01",
              "appeal_decision_served_on": "2026-06-03"}, user="clerk")
    assert only_task(engine, instance.id, "decide_permit").role == "admin_unit"
    assert "Appeal upheld" in _subjects(engine, instance.id, "admin_unit")
    complete(engine, instance.id, "decide_permit", permit.ISSUED, user="clerk")
    state = engine.runtime.instance(instance.id)
    assert (state.variables["permit_outcome"], state.variables["permit_valid_until"]) == (
        "issued", "2026-12-10")
    assert open_elements(engine, instance.id) == ["follow_proceedings"]


def test_the_end_of_the_permit_is_told_to_everyone_who_supports_her(engine):
    """When the proceedings end the Art. 50 permit cannot be renewed (50(7)): the last day
    to apply on another basis (50(9)) reaches the coordinator, her counsellor and the
    legal adviser, not only the legal adviser's deadline list."""
    instance = permit.start(engine)
    permit.issue_permit(engine, instance.id)
    complete(engine, instance.id, "follow_proceedings",
             {"next_step": "proceedings_ended", "proceedings_ended_on": "2026-06-10"})
    told = [(n.role, n.body) for n in procedure_notices(engine, instance_id=instance.id)
            if n.subject == "Her Art. 50 permit will not be renewed"]
    assert [role for role, _ in told] == ["coordinator", "ngo_counsellor", "legal_adviser"]
    # Six months from 10 June: it ends on Thursday 10 December, the last day to apply.
    assert all("ends on 2026-12-10" in body and "by 2026-12-10" in body for _, body in told)


def test_the_unit_and_the_court_answer_with_messages_checked_like_the_forms(engine):
    """The administrative unit's decision (permit_decided) and the court's final decision
    (criminal_proceedings_ended) come from outside: each is checked by the form of the
    task it answers, and a wrong one changes nothing."""
    instance = permit.start(engine)
    complete(engine, instance.id, "confirm_cooperation", permit.CONFIRMED, user="prosecutor")
    complete(engine, instance.id, "file_application", permit.APPLICATION, user="lawyer")
    complete(engine, instance.id, "issue_certificate", permit.CERTIFICATE, user="clerk")
    at(engine, "2026-06-10", 8)
    before = engine.runtime.instance(instance.id).revision
    with pytest.raises(ValidationFailed) as refused:
        engine.messages.correlate("permit_decided", permit.CASE,
                                  data={**permit.ISSUED, "permit_decision": "perhaps"})
    assert "permit_decision" in refused.value.fields
    assert engine.runtime.instance(instance.id).revision == before
    engine.messages.correlate("permit_decided", permit.CASE, data=permit.ISSUED)
    assert open_elements(engine, instance.id) == ["follow_proceedings"]
    issued = engine.runtime.instance(instance.id).variables
    assert (issued["permit_issued_on"], issued["permit_valid_until"]) == (
        "2026-06-10", "2026-12-10")

    engine.messages.correlate("criminal_proceedings_ended", permit.CASE, data={
        "next_step": "proceedings_ended", "proceedings_ended_on": "2026-06-10"})
    assert open_elements(engine, instance.id) == ["file_further_permit"]
    assert permit.deadline(engine, instance.id,
                           "further_permit_application_due").status == "open"
