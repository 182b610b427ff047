"""Need to know and the access log, through the pages, the API and the command line.

Each role sees only the kinds of data it needs (engine.privacy): the rest is not in the
page at all. Every read that shows personal data, and every refused look at a case, is
written to the append-only access log, which a coordinator reads on the case page and
`varnapot audit verify` checks link by link.
"""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, text

from cli import main
from engine.store.models import AccessEvent
from tests.web.her_case import STORY


def events(engine) -> list:
    return list(reversed(engine.access.events()))


def test_the_coordinator_reads_her_words_and_the_read_is_logged(case, engine, signed_in):
    page = signed_in("coordinator").get(f"/monitor/instances/{case.id}").get_data(as_text=True)
    assert STORY in page
    (event,) = events(engine)
    assert (event.username, event.roles, event.case_code, event.outcome) == \
        ("coordinator", ["coordinator"], "SI-7K3Q-9F2M", "granted")
    assert "her_view" in event.fields and "preliminary_observations" in event.fields
    assert "identification_outcome" not in event.fields  # case data, not personal
    assert event.what == f"instance {case.id} page" and event.source == "127.0.0.1"
    assert STORY not in str(event)  # names of fields, never their values


def test_the_admin_sees_the_case_data_but_not_her_words_nor_a_trace_of_them(case, engine,
                                                                            signed_in, bearer,
                                                                            app):
    page = signed_in("admin").get(f"/monitor/instances/{case.id}").get_data(as_text=True)
    assert 'data-name="identification_outcome"' in page  # the procedure's data
    assert STORY not in page  # left out, not blanked:
    assert 'data-name="her_view"' not in page  # no row for it at all
    detail = app.test_client().get(f"/api/process-instances/{case.id}",
                                   headers=bearer("admin")).get_json()
    assert detail["variables"]["identification_outcome"] == "victim"
    assert "her_view" not in detail["variables"]
    assert "preliminary_observations" not in detail["variables"]
    assert events(engine) == []  # nothing personal was shown


def test_a_wrong_role_is_refused_and_the_refusal_is_logged(case, engine, signed_in, bearer,
                                                           app):
    police = signed_in("police")
    assert police.get(f"/monitor/instances/{case.id}").status_code == 403
    assert police.get("/cases/SI-7K3Q-9F2M").status_code == 403
    api = app.test_client().get(f"/api/process-instances/{case.id}", headers=bearer("police"))
    assert api.status_code == 403 and STORY not in api.get_data(as_text=True)
    refused = events(engine)
    assert [(e.username, e.outcome, e.case_code, e.fields) for e in refused] == \
        [("police", "refused", "SI-7K3Q-9F2M", [])] * 3
    assert refused[2].what == f"GET /api/process-instances/{case.id}"
    assert police.get("/monitor/instances/99999").status_code == 403
    assert len(events(engine)) == 3  # no case, nothing to log


def test_the_case_page_shows_the_coordinator_who_looked(case, engine, signed_in, bearer, app):
    app.test_client().get(f"/api/process-instances/{case.id}", headers=bearer("coordinator"))
    signed_in("police").get(f"/monitor/instances/{case.id}")
    page = signed_in("coordinator").get("/cases/SI-7K3Q-9F2M").get_data(as_text=True)
    section = page[page.index('id="access"'):]
    assert f"API instance {case.id}" in section and "Her own view of her situation" in section
    assert "police" in section and "refused" in section
    listed = app.test_client().get("/api/cases/SI-7K3Q-9F2M/access",
                                   headers=bearer("coordinator")).get_json()
    assert [e["outcome"] for e in listed] == ["refused", "granted"]
    assert listed[1]["fields"] and "her_view" in listed[1]["fields"]
    adviser = signed_in("legal-adviser").get("/cases/SI-7K3Q-9F2M").get_data(as_text=True)
    assert 'id="access"' not in adviser  # the log is the coordinator's


def test_access_events_cannot_be_changed_or_removed(case, engine, signed_in):
    signed_in("coordinator").get(f"/monitor/instances/{case.id}")
    for statement in ("UPDATE access_event SET username = 'nobody'", "DELETE FROM access_event"):
        with pytest.raises(Exception, match="append-only"), engine.db.transaction() as session:
            session.execute(text(statement))
    with engine.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AccessEvent)) == 1


def _without_protection(engine, statement: str) -> None:
    """What someone with the database owner's rights could do: lift the triggers."""
    with engine.db.transaction() as session:
        if engine.db.engine.dialect.name == "postgresql":
            session.execute(text("ALTER TABLE access_event DISABLE TRIGGER USER"))
            session.execute(text(statement))
            session.execute(text("ALTER TABLE access_event ENABLE TRIGGER USER"))
        else:
            session.execute(text("DROP TRIGGER IF EXISTS access_event_no_update"))
            session.execute(text("DROP TRIGGER IF EXISTS access_event_no_delete"))
            session.execute(text(statement))


def three_reads_verified(case, engine, signed_in, monkeypatch) -> tuple[CliRunner, Result]:
    """The coordinator reads the case three times; `audit verify` finds the log intact."""
    coordinator = signed_in("coordinator")
    for _ in range(3):
        coordinator.get(f"/monitor/instances/{case.id}")
    monkeypatch.setenv("DATABASE_URL", engine.config.database_url)
    runner = CliRunner()
    intact = runner.invoke(main, ["audit", "verify"])
    assert intact.exit_code == 0 and "access log intact: 3 events" in intact.output
    return runner, intact


@pytest.mark.parametrize(("statement", "found"), [
    ("UPDATE access_event SET username = 'nobody' WHERE id = 2",
     "event 2 was altered after it was written"),
    ("DELETE FROM access_event WHERE id = 2", "event 2 is missing"),
    ("DELETE FROM access_event WHERE id = 3", "events were removed"),
])
def test_audit_verify_finds_an_event_altered_or_removed(case, engine, signed_in, monkeypatch,
                                                       statement, found):
    runner, intact = three_reads_verified(case, engine, signed_in, monkeypatch)

    _without_protection(engine, statement)
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 2 and found in broken.output


def test_the_command_line_logs_what_it_shows(case, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.config.database_url)
    shown = CliRunner().invoke(main, ["show", str(case.id), "--as", "coordinator"])
    assert shown.exit_code == 0 and STORY in shown.output
    (event,) = events(engine)
    assert (event.username, event.roles, event.source) == (
        "coordinator", ["coordinator"], "command line")
    listed = CliRunner().invoke(main, ["audit", "access", "--case", "SI-7K3Q-9F2M"])
    assert "coordinator" in listed.output and "her_view" in listed.output


def test_the_command_line_reads_as_a_real_user_with_her_roles_or_not_at_all(case, engine,
                                                                             monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.config.database_url)
    runner = CliRunner()
    shown = runner.invoke(main, ["show", str(case.id), "--as", "admin"])
    assert shown.exit_code == 0 and "identification_outcome" in shown.output
    assert STORY not in shown.output and "her_view" not in shown.output  # as on the pages
    assert events(engine) == []  # nothing personal was shown
    engine.users.update("legal-adviser", active=False, by="tests")
    for name, reason in (("operator", "user 'operator' does not exist"),
                         ("legal-adviser", "user 'legal-adviser' is deactivated")):
        refused = runner.invoke(main, ["show", str(case.id), "--as", name])
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
        assert reason in refused.stderr and STORY not in refused.output
    assert events(engine) == []


def test_a_typed_reason_is_shown_to_the_coordinator_as_a_logged_read_and_not_to_the_admin(
        case, engine, signed_in, app, bearer):
    stay = engine.runtime.start("reflection_period", "SI-7K3Q-9F2M", actor="coordinator")
    engine.runtime.suspend(stay.id, actor="coordinator",
                           reason="Petrova, her trafficker, came to the shelter")
    page = signed_in("coordinator").get(f"/monitor/instances/{stay.id}").get_data(as_text=True)
    assert "Petrova, her trafficker, came to the shelter" in page
    assert any(e.fields == ["history reasons"] and e.username == "coordinator"
               for e in engine.access.events(case_code="SI-7K3Q-9F2M"))
    before = len(engine.access.events())
    history = app.test_client().get(f"/api/history?instance={stay.id}",
                                    headers=bearer("admin")).get_json()
    (suspended,) = [e for e in history if e["event_type"] == "instance_suspended"]
    assert "Petrova" not in suspended["detail"]
    assert len(engine.access.events()) == before  # nothing of hers was shown


def test_a_chain_rewritten_without_the_master_key_or_cut_back_to_a_filed_head_is_found(
        case, engine, signed_in, monkeypatch):
    runner, intact = three_reads_verified(case, engine, signed_in, monkeypatch)
    filed = intact.output.splitlines()[-1]
    assert filed.startswith("access-log-head 3 ")
    assert runner.invoke(main, ["audit", "verify", "--head", filed]).exit_code == 0

    # Someone with the database's rights, not the master key, cuts the log back to
    # event 2 and moves the head: the chain still holds, the filed head does not.
    with engine.db.reading() as session:
        second = session.scalar(select(AccessEvent.hash).where(AccessEvent.id == 2))
    _without_protection(engine, "DELETE FROM access_event WHERE id = 3")
    with engine.db.transaction() as session:
        session.execute(text("UPDATE access_chain SET last_id = 2, last_hash = :h "
                             "WHERE id = 1"), {"h": second})
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 0
    cut = runner.invoke(main, ["audit", "verify", "--head", filed])
    assert cut.exit_code == 2 and "events were removed" in cut.output

    # Rewriting a link with a plain SHA-256, as one without the key would, is found.
    with engine.db.reading() as session:
        first = session.get(AccessEvent, 1)
        forged = hashlib.sha256(f"{first.previous_hash}{first.id}".encode()).hexdigest()
    _without_protection(engine, f"UPDATE access_event SET hash = '{forged}' WHERE id = 1")
    rewritten = runner.invoke(main, ["audit", "verify"])
    assert rewritten.exit_code == 2 and "event 1 was altered" in rewritten.output
    bad = runner.invoke(main, ["audit", "verify", "--head", "yesterday"])
    assert bad.exit_code == 2 and "is not a head" in bad.output
