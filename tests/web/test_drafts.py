"""A long form is saved as a draft and finished later: the draft keeps what was typed,
unchecked, sealed, for its author alone, and goes when the task is completed or the
case erased."""

from __future__ import annotations

from sqlalchemy import func, select, update

from engine.protection.access import Reader
from engine.store.models import TaskDraft, UserAccount
from tests.engine.raw_rows import raw_copy
from tests.web.worklist_steps import open_task, snapshot
from tests.web_app import csrf_of, sign_in

CODE = "SI-AAAA-BBBB"
HALF_DONE = {"stay_decision": "refused", "stay_decision_date": "2026-03-02",
             "refusal_ground": "public_order"}


def drafts(engine) -> int:
    with engine.db.reading() as session:
        return session.scalar(select(func.count()).select_from(TaskDraft))


def save_draft(client, task_id: int, fields: dict[str, str]):
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    return client.post(f"/tasks/{task_id}", data={**fields, "action": "draft",
                                                  "csrf_token": csrf_of(page)})


def second_officer(app, engine):
    """Another police officer, signed in: the same lane, her own drafts."""
    engine.users.add("duty-officer", ["police"])
    with engine.db.transaction() as session:
        known = session.scalar(select(UserAccount.password_hash)
                               .where(UserAccount.username == "police"))
        session.execute(update(UserAccount).where(UserAccount.username == "duty-officer")
                        .values(password_hash=known))
    return sign_in(app, "duty-officer")


def test_a_half_filled_form_is_kept_unchecked_and_comes_back_for_its_author(
        app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", CODE, actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    before = snapshot(engine, instance.id)
    response = save_draft(police, task.id, {**HALF_DONE,
                                            "stay_decision_date": "2031-12-31"})
    assert response.status_code == 302  # a date in the future is kept: not checked yet
    assert snapshot(engine, instance.id) == before  # the case did not move
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "You are continuing your draft of" in page
    assert 'value="2031-12-31"' in page
    assert '<option value="public_order" selected>' in page
    assert b"2031-12-31" not in raw_copy(engine)  # sealed

    other = second_officer(app, engine).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "continuing your draft" not in other and 'value="2031-12-31"' not in other


def test_completing_the_task_drops_every_draft_of_it(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", CODE, actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    save_draft(police, task.id, HALF_DONE)
    save_draft(second_officer(app, engine), task.id, HALF_DONE)
    assert drafts(engine) == 2
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    police.post(f"/tasks/{task.id}", data={**HALF_DONE, "victim_category": "trafficking",
                                           "csrf_token": csrf_of(page)})
    assert engine.tasks.task(task.id).status == "completed"
    assert drafts(engine) == 0


def test_a_draft_is_discarded_by_its_author_and_refused_to_another_lane(
        app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", CODE, actor="coord")
    task = open_task(engine, instance.id)
    police = signed_in("police")
    save_draft(police, task.id, HALF_DONE)
    coordinator = signed_in("coordinator")
    assert save_draft_refused(coordinator, task.id) == 403
    assert drafts(engine) == 1
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    police.post(f"/tasks/{task.id}/draft/discard", data={"csrf_token": csrf_of(page)})
    assert drafts(engine) == 0
    assert "continuing your draft" not in police.get(f"/tasks/{task.id}").get_data(
        as_text=True)


def save_draft_refused(client, task_id: int) -> int:
    page = client.get("/worklist").get_data(as_text=True)
    return client.post(f"/tasks/{task_id}", data={
        **HALF_DONE, "action": "draft", "csrf_token": csrf_of(page)}).status_code


def test_erasing_her_case_drops_the_drafts(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", CODE, actor="coord")
    task = open_task(engine, instance.id)
    save_draft(signed_in("police"), task.id, HALF_DONE)
    engine.rights.erase(CODE, "coordinator")
    assert drafts(engine) == 0


def test_her_export_holds_the_drafts_about_her(app, engine, signed_in):
    instance = engine.runtime.start("reflection_period", CODE, actor="coord")
    task = open_task(engine, instance.id)
    save_draft(signed_in("police"), task.id, HALF_DONE)
    exported = engine.rights.export(Reader("coordinator", ("coordinator",), "tests"), CODE)
    (draft,) = exported["drafts"]
    assert (draft["by"], draft["fields"]["refusal_ground"]) == ("police", ["public_order"])
