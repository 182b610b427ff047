"""The Art. 50 permit procedure walked with the manual clock: its forms' data, starting
it, reading its deadlines and issuing the permit."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import PROCESSES
from tests.processes.steps import ESCALATION, complete

CASE = "SI-2026-0042"


START = {"reflection_end": "2026-05-30", "victim_category": "trafficking",
         "cooperation_decided_on": "2026-03-02"}  # the stay ends on a Saturday


CONFIRMED = {"cooperation_confirmed": True,
             "cooperation_basis": "witness_in_criminal_proceedings",
             "cooperation_confirmed_on": "2026-03-02"}


APPLICATION = {"application_filed_on": "2026-03-02", "no_means": True,
               "interpreter_used": True}


CERTIFICATE = {"certificate_issued_on": "2026-03-02", "fees_waived": True}


ISSUED = {"permit_decision": "issued", "permit_issued_on": "2026-06-10",
          "expected_proceedings_months": 3}


def deploy(engine):
    engine.repository.deploy(PROCESSES / "school_enrolment.bpmn")
    engine.repository.deploy(PROCESSES / "permit_path.dmn")
    engine.repository.deploy(PROCESSES / "residence_permit_art50.bpmn")
    engine.repository.deploy(ESCALATION)


def start(engine, data=None):
    deploy(engine)
    return engine.runtime.start("residence_permit_art50", CASE,
                                data=START if data is None else data, actor="lawyer")


def deadline(engine, instance_id, kind, ref=""):
    found = [d for d in engine.deadlines.deadlines(instance_id=instance_id, kind=kind)
             if d.ref == ref]
    assert len(found) == 1, found
    return found[0]


def issue_permit(engine, instance_id, decision=None):
    """Confirmation, timely application and certificate; the decision on 10 June 2026."""
    complete(engine, instance_id, "confirm_cooperation", CONFIRMED, user="prosecutor")
    complete(engine, instance_id, "file_application", APPLICATION, user="lawyer")
    complete(engine, instance_id, "issue_certificate", CERTIFICATE, user="clerk")
    engine.set_clock(datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    complete(engine, instance_id, "decide_permit", decision or ISSUED, user="clerk")
