"""Training workspaces play scripted cases on engines of their own: the live database is
not touched, the facilitator moves each group's clock and injects events, and the
debrief and the before/after report are computed from what the groups did."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import BadRequest, Conflict, ValidationFailed
from engine.training import TrainingService, debrief, report, scripted_cases
from forms.compensation import CLAIM_KINDS
from tests.conftest import PROCESSES
from tests.engine.raw_rows import live_rows

CLAIM = CLAIM_KINDS[0]



@pytest.fixture
def training(engine, tmp_path):
    engine.repository.deploy(PROCESSES)
    service = TrainingService(engine.config, tmp_path / "training")
    yield service
    service.close()


def test_every_scripted_case_opens_and_plays_its_setup(training):
    for key, script in scripted_cases().items():
        workspace = training.open_workspace(f"Try {key}", key, 1, trainer="trainer")
        engine = training.group_engine(workspace.id, 1)
        case = engine.cases.case(script.code)
        assert case.instances and case.open_tasks, key
        assert workspace.groups[0].clock == script.starts or \
            workspace.groups[0].clock >= script.starts


def test_a_fact_is_discovered_on_its_day_of_the_case(training):
    julija = scripted_cases()["julija"]
    later = [fact.text for fact in julija.facts if fact.day == 10]
    assert later and all(text not in [f.text for f in julija.known_on(9)] for text in later)
    assert set(later) <= {f.text for f in julija.known_on(10)}
    assert [f.day for f in julija.known_on(0)] == [0] * len(julija.known_on(0))


def test_a_workspace_is_apart_from_live_data_and_refuses_bad_input(engine, training):
    before = live_rows(engine)
    with pytest.raises(ValidationFailed) as refused:
        training.open_workspace("", "atlantis", 0, trainer="trainer")
    assert set(refused.value.fields) == {"name", "case", "groups"}
    assert training.workspaces() == []
    workspace = training.open_workspace("Ljubljana, March", "julija", 2, trainer="trainer")
    [first, second] = workspace.groups
    assert first.instance_id and second.instance_id

    with pytest.raises(ValidationFailed) as refused:
        training.join("WRONG", "Bee", 1, "police", "police")
    assert "join code" in refused.value.fields["code"][0]
    with pytest.raises(ValidationFailed) as refused:
        training.join(workspace.join_code, "x", 3, "admin", "moon")
    assert set(refused.value.fields) == {"pseudonym", "group", "role", "sector"}
    bee, _ = training.join(workspace.join_code, "Bee", 1, "police", "police")
    with pytest.raises(ValidationFailed, match="did not join"):
        training.join(workspace.join_code, "Bee", 2, "coordinator", "ngo_outreach")
    assert [t.pseudonym for g in training.workspace(workspace.id).groups
            for t in g.trainees] == ["Bee"]
    assert training.group_engine(workspace.id, 1).users.get(bee.username).roles == ["police"]
    assert live_rows(engine) == before  # not one live row written


def test_a_training_is_played_debriefed_and_its_tests_compared(engine, training):
    before = live_rows(engine)
    workspace = training.open_workspace("Ljubljana, March", "julija", 2, trainer="trainer")
    code = workspace.join_code
    players = {name: training.join(code, name, group, role, sector)[0]
               for name, group, role, sector in (
                   ("Bee", 1, "police", "police"), ("Cat", 1, "coordinator", "ngo_outreach"),
                   ("Dog", 2, "police", "police"), ("Eel", 2, "coordinator", "social_services"))}
    bank = training.questions()
    right = {q.id: q.answer for q in bank.questions}
    wrong = {q.id: (q.answer + 1) % len(q.options) for q in bank.questions}
    first_half = {q.id for q in bank.questions[: len(bank.questions) // 2]}
    half = {q: (right if q in first_half else wrong)[q] for q in right}
    for name in players:
        training.answer(workspace.id, players[name].username, "pre",
                        half if name in ("Bee", "Cat") else wrong)
    with pytest.raises(Conflict):
        training.answer(workspace.id, players["Bee"].username, "pre", right)
    with pytest.raises(ValidationFailed):
        training.answer(workspace.id, players["Cat"].username, "post", {"POL-1": 1})
    with pytest.raises(BadRequest):
        training.answer(workspace.id, players["Cat"].username, "mid", right)

    # Group 1 grants the stay at once and she decides to cooperate; group 2 refuses it.
    one, two = (training.group_engine(workspace.id, n) for n in (1, 2))
    [grant] = [t for t in one.tasks.tasks(roles=["police"])]
    one.tasks.complete(grant.id, players["Bee"].username, {
        "stay_decision": "granted", "stay_decision_date": "2026-03-02",
        "victim_category": "trafficking", "informed_of_permit": True,
        "interpreter_provided": True})
    [refuse] = [t for t in two.tasks.tasks(roles=["police"])]
    two.tasks.complete(refuse.id, players["Dog"].username, {
        "stay_decision": "refused", "stay_decision_date": "2026-03-02",
        "victim_category": "trafficking", "refusal_ground": "public_order",
        "informed_of_permit": True, "interpreter_provided": True})
    training.move_clock(workspace.id, 10)  # both groups, ten days
    training.inject(workspace.id, "employer_calls")
    with pytest.raises(Conflict):
        training.inject(workspace.id, "employer_calls", group=1)
    assert [n.subject for n in one.inbox.inbox(players["Cat"].username)
            if n.source == "training"] == ["Her former employer calls the shelter asking for her"]
    [decide] = [t for t in one.tasks.tasks(roles=["coordinator"])
                if t.element_id == "record_decision"]
    one.tasks.complete(decide.id, players["Cat"].username, {"decision": "cooperate",
                                                            "decision_date": "2026-03-12"})
    training.move_clock(workspace.id, 5, group=2)
    assert [g.clock.date() for g in training.workspace(workspace.id).groups] == [
        date(2026, 3, 12), date(2026, 3, 17)]

    for name in players:
        training.answer(workspace.id, players[name].username, "post",
                        right if name in ("Bee", "Cat", "Dog") else half)

    debriefed = debrief(training, workspace.id)
    by_group = {g.number: {d.decision_id: d for d in g.decisions} for g in debriefed.groups}
    assert by_group[1]["grant_stay"].verdict == "right"
    assert by_group[1]["grant_stay"].timing == "in_time"
    assert by_group[1]["grant_stay"].by == "Bee (police)"
    assert by_group[1]["her_decision"].verdict == "right"
    assert by_group[2]["grant_stay"].verdict == "wrong"
    assert by_group[2]["her_decision"].verdict == "not_taken"
    assert [g.right for g in debriefed.groups] == [2, 0]
    kinds = [e.kind for e in debriefed.groups[0].timeline]
    assert kinds.count("event") == 1 and kinds.count("task") == 2

    compared = report(training, workspace.id)
    n = len(bank.questions)
    assert (compared.overall.before.right, compared.overall.before.answered) == (
        2 * len(first_half), 4 * n)
    assert (compared.overall.after.right, compared.overall.after.answered) == (
        3 * n + len(first_half), 4 * n)
    sectors = {r.key: r for r in compared.sectors}
    assert sectors["police"].before.percent == round(100 * len(first_half) / (2 * n), 1)
    assert sectors["police"].after.percent == 100.0
    assert sectors["social_services"].before.percent == 0.0
    assert live_rows(engine) == before


def test_an_injected_disappearance_starts_its_procedure_on_the_groups_day(training):
    """Ana disappears on the group's day 12: the procedure for her disappearance starts
    as of that day, and the police's report is the decision the debrief then waits for."""
    workspace = training.open_workspace("Child", "unaccompanied_child", 1, trainer="trainer")
    training.move_clock(workspace.id, 12)
    training.inject(workspace.id, "she_disappears")
    engine = training.group_engine(workspace.id, 1)
    report_due = [d for d in engine.deadlines.deadlines(case_code="TR-ANA")
                  if d.kind == "missing_person_report_due"]
    assert [str(d.legal_date) for d in report_due] == ["2026-03-14"]
    outcomes = {d.decision_id: d for d in debrief(training, workspace.id).groups[0].decisions}
    assert outcomes["child_alert"].verdict == "not_taken"
    assert (outcomes["missing_person_report"].verdict,
            outcomes["missing_person_report"].timing) == ("not_taken", "open")
    with pytest.raises(Conflict):
        training.inject(workspace.id, "she_disappears", group=1)


def test_a_procedure_the_trainees_start_is_a_decision_of_the_debrief(training):
    workspace = training.open_workspace("Wages", "illegal_employment", 1, trainer="trainer")
    wage_claim = "wage_claim"

    def outcome():
        groups = debrief(training, workspace.id).groups
        return next(d for d in groups[0].decisions if d.decision_id == wage_claim).verdict

    assert outcome() == "not_taken"
    training.group_engine(workspace.id, 1).runtime.start(
        "compensation_claim", "TR-RUSTAM", {"claim_kind": CLAIM}, actor="trainee-1")
    assert outcome() == "right"
