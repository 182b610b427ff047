"""The `varnapot` command walks the reflection period end to end, timer path included."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli import main
from cli.serving import application
from engine import ProcessEngine
from engine.store.models import AccessEvent, AuditEvent, HumanTask, ProcessInstance
from tests.conftest import PROCESSES
from tests.product import product_config


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("VARNAPOT_CLOCK", "manual")
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args))
        if ok:
            assert result.exit_code == 0, (args, result.output, result.stderr)
        return result

    def run_json(*args: str):
        return json.loads(run(*args, "--json").stdout)

    run.json = run_json  # type: ignore[attr-defined]
    run("db", "upgrade")
    run("clock", "--set", "2026-03-02T09:00:00+01:00", "--rewind")
    for name, role in ACTORS.items():
        run("users", "add", name, "--role", role)
    return run


ACTORS = {"officer": "police", "coord": "coordinator", "lawyer": "legal_adviser"}
"""The people the tests act as: `--as` names an existing user."""


def task_id(cli, element_id: str) -> int:
    tasks = [t for t in cli.json("tasks") if t["element_id"] == element_id]
    assert tasks, element_id
    return tasks[0]["id"]


def test_cli_walks_the_reflection_period_through_the_timer_path(cli):
    assert "reflection_period version 1" in cli("deploy", str(PROCESSES)).stdout
    assert "reflection_period" in [d["key"] for d in cli.json("definitions")]
    started = cli.json("start", "reflection_period", "--case", "SI-2026-0007",
                       "--as", "coord")
    assert started["status"] == "running"

    grant = task_id(cli, "grant_permitted_stay")
    assert [t["role"] for t in cli.json("tasks", "--role", "police")] == ["police"]
    cli("claim", str(grant), "--as", "officer")
    cli("complete", str(grant), "--as", "officer", "--data", json.dumps({
        "stay_decision": "granted", "stay_decision_date": "2026-03-01",
        "victim_category": "trafficking", "informed_of_permit": True,
        "interpreter_provided": True}))
    decision = cli.json("tasks", "--role", "coordinator")[0]
    assert (decision["element_id"], decision["due_date"]) == ("record_decision", "2026-05-29")

    output = cli("clock", "--advance", "P91D").stdout
    assert "timers fired in instance 1" in output
    shown = cli.json("show", "1")
    # The review of the stay and the NGO's information close when the stay ends.
    assert sorted(t["element_id"] for t in shown["open_tasks"]) == ["handle_expired_stay"]
    assert shown["timers"] == []
    (deadline,) = cli.json("deadlines", "--case", "SI-2026-0007", "--kind", "reflection_end")
    assert (deadline["kind"], deadline["legal_date"], deadline["latest_safe_day"],
            deadline["status"]) == ("reflection_end", "2026-05-30", "2026-05-29", "missed")

    cli("complete", str(task_id(cli, "handle_expired_stay")), "--as", "coord",
        "--data", '{"outcome": "other_legal_basis"}')
    assert cli.json("instances", "--status", "completed")[0]["case_code"] == "SI-2026-0007"
    events = [e["event_type"] for e in cli.json("history", "1")]
    fired = sorted(e["element_id"] for e in cli.json("history", "1")
                   if e["event_type"] == "timer_fired")
    assert fired == ["information_stay_ended", "stay_expired", "stay_expiring"]
    assert "instance_completed" in events
    assert "SI-2026-0007" in cli("show", "1").stdout


@pytest.mark.parametrize("args, reason", [
    (("complete", "42", "--as", "officer", "--data", "{}"), "task 42 does not exist"),
    (("show", "42"), "process instance 42 does not exist"),
    (("history", "42"), "process instance 42 does not exist"),
    (("retry", "42"), "process instance 42 does not exist"),
    (("start", "nope", "--case", "C-1"), "'nope' is not deployed"),
    (("start", "reflection_period", "--case", "C-1", "--data", "{oops"), "not valid JSON"),
    (("start", "identification", "--case", "C-1", "--data", '{"name": "x"}'),
     "takes no start data"),
    (("start", "reflection_period", "--case", "C-1", "--data", '{"name": "x"}'),
     "nothing was started (name: Unknown field.)"),
    (("instances", "--status", "asleep"), "unknown status"),
    (("deploy", "missing.bpmn"), "no such file"),
    (("clock", "--advance", "P1M"), "not an ISO 8601 duration"),
    (("clock", "--advance", "P999999999999D"), "longer than any clock step"),
    (("clock", "--advance", "P3000000D"), "cannot move that far"),
    (("users", "add", "ana", "--role", "school", "--email", "ana"), "not an e-mail address"),
    (("inbox", "list", "--user", "nobody"), "user 'nobody' does not exist"),
    (("inbox", "read", "--user", "nobody"), "give notification ids or --all"),
    (("mail", "send"), "e-mail is off"),
    (("message", "court_decision", "--case", "C-1"), "no procedure of case C-1 waits"),
    (("message", "court_decision", "--case", "C-1", "--correlate", "claim"),
     "'claim' is not KEY=VALUE"),
    (("message", "court_decision", "--case", "C-1", "--data", '{"d": [1]}'),
     "not a list or an object"),
])
def test_cli_errors_are_one_line_and_non_zero(cli, args, reason):
    cli("deploy", str(PROCESSES))
    result = cli(*args, ok=False)
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and reason in result.stderr, result.stderr


def test_cli_deploys_with_a_change_note(cli, tmp_path):
    cli("deploy", str(PROCESSES))
    renamed = tmp_path / "reflection_period.bpmn"
    renamed.write_bytes((PROCESSES / "reflection_period.bpmn").read_bytes().replace(
        b'name="Decide on the permitted stay"', b'name="Decide on the 90-day stay"'))
    assert "reflection_period version 2" in cli(
        "deploy", str(renamed), "--note", "The task names the 90 days.").stdout
    listed = cli.json("definitions", "--key", "reflection_period")
    assert [d["note"] for d in listed] == [None, "The task names the 90 days."]


def test_cli_migrates_an_instance_after_a_dry_run_and_refuses_with_the_element(cli, tmp_path):
    cli("deploy", str(PROCESSES))
    cli("start", "reflection_period", "--case", "C-1", "--as", "coord")
    renamed = tmp_path / "reflection_period.bpmn"
    renamed.write_bytes((PROCESSES / "reflection_period.bpmn").read_bytes().replace(
        b"grant_permitted_stay", b"decide_stay"))
    cli("deploy", str(renamed))

    refused = cli("migrate", "1", "--to", "2", "--as", "coord", ok=False)
    assert refused.exit_code == 1
    assert "grant_permitted_stay" in refused.stderr and "no counterpart" in refused.stderr
    assert cli.json("show", "1")["version"] == 1
    planned = cli("migrate", "1", "--to", "2", "--map", "grant_permitted_stay=decide_stay",
                  "--dry-run").stdout
    assert "version 1 -> 2\twould move" in planned
    assert cli.json("show", "1")["version"] == 1
    assert "version 1 -> 2\tmoved" in cli(
        "migrate", "--key", "reflection_period", "--from", "1", "--to", "2",
        "--map", "grant_permitted_stay=decide_stay", "--as", "coord").stdout
    assert cli.json("show", "1")["version"] == 2
    assert cli("migrate", "1", "--key", "x", "--to", "2", ok=False).exit_code == 1


def test_cli_transfers_a_case_only_to_another_known_jurisdiction(cli):
    cli("deploy", str(PROCESSES))
    cli("start", "reflection_period", "--case", "C-1", "--jurisdiction", "SI")
    same = cli("case", "transfer", "C-1", "--to", "si", "--reason", "moved", ok=False)
    assert same.exit_code == 1 and "already follows SI" in same.stderr
    unknown = cli("case", "transfer", "C-1", "--to", "QQ", "--reason", "moved", ok=False)
    assert unknown.exit_code == 1 and "not a jurisdiction of this deployment" in unknown.stderr


def test_cli_rejects_a_bad_form_and_keeps_the_task_open(cli):
    cli("deploy", str(PROCESSES))
    cli("start", "reflection_period", "--case", "C-1")
    grant = task_id(cli, "grant_permitted_stay")
    before = cli.json("show", "1")
    result = cli("complete", str(grant), "--as", "officer", "--data",
                 '{"stay_decision": "maybe"}', ok=False)
    assert result.exit_code == 1
    assert "stay_decision: Choose one of: granted, refused." in result.stderr
    assert task_id(cli, "grant_permitted_stay") == grant
    after = cli.json("show", "1")
    assert (after["revision"], after["variables"]) == (before["revision"], before["variables"])


def test_cli_users_read_their_reminders(cli):
    cli("deploy", str(PROCESSES))
    cli("users", "add", "ana", "--role", "coordinator", "--role", "legal_adviser",
        "--email", "ana@drustvo.example", "--name", "Ana K.")
    assert cli.json("users", "list", "--role", "legal_adviser")[0]["roles"] == [
        "coordinator", "legal_adviser"]
    assert "already exists" in cli("users", "add", "ana", "--role", "school", ok=False).stderr
    cli("start", "reflection_period", "--case", "SI-2026-0008")
    cli("complete", str(task_id(cli, "grant_permitted_stay")), "--as", "officer", "--data",
        json.dumps({"stay_decision": "granted", "stay_decision_date": "2026-03-02",
                    "victim_category": "trafficking", "informed_of_permit": True,
                    "interpreter_provided": True}))
    cli("clock", "--set", "2026-04-29T08:30:00+02:00")  # the 30-day reminder

    unread = cli.json("inbox", "list", "--user", "ana", "--unread", "--source", "reminder")
    assert {n["role"] for n in unread} == {"coordinator", "legal_adviser"}
    assert all("30 days left (case SI-2026-0008)" in n["subject"] for n in unread)
    assert cli("inbox", "read", "--user", "ana", str(unread[0]["id"])).stdout == (
        "1 marked read\n")
    listed = cli("inbox", "list", "--user", "ana", "--source", "reminder").stdout
    assert listed.count("\n* ") + listed.startswith("* ") == 1  # one left unread
    assert cli("inbox", "read", "--user", "ana", "--all").stdout.startswith("1 marked read")
    assert cli.json("inbox", "list", "--user", "ana", "--unread") == []


def test_cli_demo_users_sign_in_with_the_passwords_printed_once(cli, database_url):
    first = cli("users", "demo", "--url", "http://127.0.0.1:8080").stdout
    framed = first.splitlines()
    assert framed[0] == framed[-1] and set(framed[0]) == {"+", "-"}  # a frame around it
    assert all(line.startswith("| ") and line.endswith(" |") for line in framed[1:-1])
    assert "Open http://127.0.0.1:8080 and sign in as demo-coordinator" in framed[1]
    lines = [line.strip("| ").split() for line in framed[4:-1]]
    assert {role for _, role, _ in lines} >= {"police", "coordinator", "legal_adviser",
                                              "policy_analyst", "admin", "trainer"}
    assert "shown only this once" in first
    again = cli("users", "demo").stdout
    assert not any(password in again for _, _, password in lines)

    engine = ProcessEngine(product_config(database_url=database_url))
    try:
        username, _, password = next(line for line in lines if line[1] == "police")
        assert engine.credentials.sign_in(username, password, "127.0.0.1").roles == ["police"]
        token = cli("users", "token", username, "--label", "tests").stdout.strip()
        assert engine.credentials.user_for_token(token).username == username
        assert "1 token(s)" in cli("users", "token", username, "--revoke").stdout
    finally:
        engine.close()


def test_cli_suspend_and_resume_keep_their_reasons_in_the_history(cli):
    cli("deploy", str(PROCESSES))
    cli("start", "reflection_period", "--case", "C-1")
    assert cli.json("suspend", "1", "--as", "coord", "--reason", "she is in hospital")[
        "status"] == "suspended"
    assert cli.json("resume", "1", "--as", "coord", "--reason", "she is back")[
        "status"] == "running"
    details = {e["event_type"]: e["detail"] for e in cli.json("history", "1")}
    assert details["instance_suspended"] == "she is in hospital"
    assert details["instance_resumed"] == "she is back"


GRANT = json.dumps({"stay_decision": "granted", "stay_decision_date": "2026-03-01",
                    "victim_category": "trafficking", "informed_of_permit": True,
                    "interpreter_provided": True})


def state_of(database_url: str) -> tuple:
    """Everything a refused command must leave as it was: instances, tasks, history and
    the access log."""
    engine = ProcessEngine(product_config(database_url=database_url))
    try:
        with engine.db.reading() as session:
            return (session.execute(select(ProcessInstance.id, ProcessInstance.revision,
                                           ProcessInstance.status, ProcessInstance.state)
                                    .order_by(ProcessInstance.id)).all(),
                    session.execute(select(HumanTask.id, HumanTask.status, HumanTask.assignee)
                                    .order_by(HumanTask.id)).all(),
                    session.scalar(select(func.count()).select_from(AuditEvent)),
                    session.scalar(select(func.count()).select_from(AccessEvent)))
    finally:
        engine.close()


MONITORS_ONLY = "user 'school-1' may not do this: it needs one of the roles coordinator, admin"


def test_cli_acts_only_as_an_existing_active_user_holding_the_tasks_role(cli, database_url):
    cli("deploy", str(PROCESSES))
    cli("start", "reflection_period", "--case", "SI-2026-0009", "--as", "coord")
    for name, role in (("school-1", "school"), ("officer-2", "police"), ("gone", "police"),
                       ("root", "admin")):
        cli("users", "add", name, "--role", role)
    cli("users", "update", "gone", "--inactive")
    grant = task_id(cli, "grant_permitted_stay")
    cli("claim", str(grant), "--as", "officer")
    not_hers = f"task {grant} is work for the police role, which is not one of yours"
    before = state_of(database_url)
    for args, reason in (
            (("claim", str(grant), "--as", "nobody"), "user 'nobody' does not exist"),
            (("complete", str(grant), "--as", "nobody", "--data", GRANT),
             "user 'nobody' does not exist"),
            (("unclaim", str(grant), "--as", "nobody"), "user 'nobody' does not exist"),
            (("start", "reflection_period", "--case", "SI-2026-0010", "--as", "nobody"),
             "user 'nobody' does not exist"),
            (("suspend", "1", "--as", "nobody"), "user 'nobody' does not exist"),
            (("cancel", "1", "--as", "nobody"), "user 'nobody' does not exist"),
            (("show", "1", "--as", "nobody"), "user 'nobody' does not exist"),
            (("start", "reflection_period", "--case", "SI-2026-0010", "--as", "school-1"),
             MONITORS_ONLY),
            (("suspend", "1", "--as", "officer"), MONITORS_ONLY.replace("school-1", "officer")),
            (("cancel", "1", "--as", "school-1"), MONITORS_ONLY),
            (("retry", "1", "--as", "school-1"), MONITORS_ONLY),
            (("deploy", str(PROCESSES), "--as", "coord"),
             "user 'coord' may not do this: it needs one of the roles policy_analyst, admin"),
            (("complete", str(grant), "--as", "gone", "--data", GRANT),
             "user 'gone' is deactivated"),
            (("claim", str(grant), "--as", "school-1"), not_hers),
            (("complete", str(grant), "--as", "school-1", "--data", GRANT), not_hers),
            (("complete", str(grant), "--as", "coord", "--data", GRANT), not_hers),
            (("complete", str(grant), "--as", "root", "--data", GRANT), not_hers),
            (("unclaim", str(grant), "--as", "school-1"), not_hers),
            (("unclaim", str(grant), "--as", "officer-2"), f"task {grant} is claimed by officer"),
            (("complete", str(grant), "--as", "officer-2", "--data", GRANT),
             f"task {grant} is claimed by officer")):
        result = cli(*args, ok=False)
        assert result.exit_code == 1, args
        assert result.stderr == f"error: {reason}\n", (args, result.stderr)
        assert state_of(database_url) == before, args

    cli("unclaim", str(grant), "--as", "officer")
    cli("complete", str(grant), "--as", "officer-2", "--data", GRANT)
    (done,) = cli.json("tasks", "--status", "completed")
    assert (done["id"], done["completed_by"]) == (grant, "officer-2")
    actors = {(e["event_type"], e["actor"]) for e in cli.json("history", "1")}
    assert {("instance_started", "coord"), ("task_claimed", "officer"),
            ("task_unclaimed", "officer"), ("task_completed", "officer-2")} <= actors


def test_cli_delivers_the_court_decision_to_the_waiting_procedure(cli):
    """The legal adviser records an outside answer from the command line."""
    constructs = Path(__file__).parent / "engine" / "constructs"
    cli("deploy", str(constructs / "message_catch.bpmn"))
    started = cli.json("start", "message_catch", "--case", "SI-2026-0008")
    delivered = cli.json("message", "court_decision", "--case", "SI-2026-0008", "--as", "lawyer",
                         "--data", '{"decision": "final"}')
    assert (delivered["instance_id"], delivered["started"]) == (started["id"], False)
    assert cli.json("show", str(started["id"]))["status"] == "completed"


def test_cli_deploy_names_each_camunda_setting_it_ignores(cli, tmp_path):
    """A diagram last saved by Camunda Modeler carries a history time to live: deploy
    accepts it and says on stderr that it is not acted on."""
    diagram = (PROCESSES / "deadline_escalation.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:process id="deadline_escalation"',
        '<bpmn:process camunda:historyTimeToLive="180" id="deadline_escalation"', 1)
    path = tmp_path / "deadline_escalation.bpmn"
    path.write_text(diagram, encoding="utf-8")
    result = cli("deploy", str(path))
    assert result.stdout == "deadline_escalation version 1\n"
    assert result.stderr == ("warning: deadline_escalation: deadline_escalation: "
                             "camunda:historyTimeToLive is ignored: the history is kept for "
                             "as long as the case file is\n")


def test_the_development_server_refuses_production(cli, monkeypatch):
    """`varnapot run` is one process with timers inside it: production gets `serve`."""
    monkeypatch.setenv("VARNAPOT_ENV", "production")
    monkeypatch.setenv("VARNAPOT_SECRET_KEY", "a long random key from the deployment")
    result = cli("run", "--port", "1", ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: `varnapot run` is the development server: in "
                                     "production use `varnapot serve`")
    result = cli("serve", "--sweep", "0", ok=False)
    assert result.exit_code == 1 and "--sweep must be more than 0" in result.stderr


def test_cli_backup_and_restore_report_what_they_copied(cli, database_url, tmp_path,
                                                        monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL drill is tests/engine/test_backup.py")
    cli("deploy", str(PROCESSES))
    cli("start", "reflection_period", "--case", "SI-2026-0301")
    copy = tmp_path / "nightly.backup"
    taken = cli("backup", str(copy)).stdout
    assert f"backup written to {copy}" in taken and "process_instance 1" in taken
    assert taken.splitlines()[-1].startswith("access-log-head ")
    assert "never overwrites" in cli("backup", str(copy), ok=False).stderr

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'restored.db'}")
    monkeypatch.setenv("VARNAPOT_ERASURE_JOURNAL", str(tmp_path / "erased-cases"))
    restored = cli("restore", str(copy)).stdout
    assert "restored from" in restored and "process_instance 1" in restored
    assert "access log intact" in restored
    assert "not empty" in cli("restore", str(copy), ok=False).stderr


def test_a_web_process_keeps_what_it_built_out_of_garbage_collections(cli):
    """A full collection would otherwise walk the engine and the app again, a pause in
    the middle of someone's request."""
    app = application()
    try:
        assert gc.get_freeze_count() > 10_000
        collected = gc.get_objects()
        assert not any(thing is app or thing is app.extensions["varnapot"]
                       for thing in collected)
    finally:
        gc.unfreeze()
        app.extensions["varnapot"].close()
