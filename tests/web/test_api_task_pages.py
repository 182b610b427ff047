"""/api/tasks in pages by cursor: each page links to the next, a long list is walked
without skipping or repeating a task even while tasks are completed meanwhile, and a
cursor that this list did not give is refused."""

from __future__ import annotations

from tests.web.api_task_steps import GRANT, started
from tests.web_app import walk_pages


def test_the_worklist_is_walked_page_by_page_without_a_gap_or_a_repeat(app, engine, bearer):
    tasks = [started(engine, code=f"SI-PAGE-{n:04d}")[1] for n in range(7)]
    client, police = app.test_client(), bearer("police")
    everything = [t["id"] for t in client.get("/api/tasks/?limit=100", headers=police).get_json()]
    assert sorted(everything) == sorted(t.id for t in tasks)

    pages = walk_pages(client, police, "/api/tasks/?limit=3")
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == everything  # the same order

    # A task completed between two pages moves nobody else out of the walk.
    first = client.get("/api/tasks/?limit=3", headers=police)
    nxt = first.headers["Link"].removeprefix("<").split(">;")[0]
    done = first.get_json()[0]["id"]
    assert client.post(f"/api/tasks/{done}/complete", json={"data": GRANT},
                       headers=police).status_code == 200
    rest = walk_pages(client, police, nxt)
    assert [i for page in rest for i in page] == everything[3:]


def test_a_cursor_this_list_did_not_give_is_refused(app, engine, bearer):
    started(engine)
    started(engine, code="SI-PAGE-0002")
    client, police = app.test_client(), bearer("police")
    given = client.get("/api/tasks/?limit=1", headers=police).headers["Link"]
    cursor = given.split("after=")[1].split(">")[0].split("&")[0]
    forged = ("not-a-cursor", "%00", "MjAyNi0wMy0wMg",  # a date alone, no task
              "WyJ0YXNrIiwiMjAyNi0wMy0wMiIsMV0")  # ["task","2026-03-02",1]: another sort's
    for text in forged:
        response = client.get(f"/api/tasks/?after={text}", headers=police)
        assert response.status_code == 400, text
        assert "is not a cursor of this list as it is sorted" in response.get_json()["message"]
    response = client.get(f"/api/tasks/?after={cursor}&offset=2", headers=police)
    assert response.status_code == 400
    assert response.get_json()["message"] == ("a cursor goes on where the page before "
                                              "ended: give it without an offset")
    assert client.get(f"/api/tasks/?after={cursor}", headers=police).status_code == 200


def test_a_filter_with_a_character_no_row_can_hold_is_refused(app, engine, bearer):
    started(engine)
    client, police = app.test_client(), bearer("police")
    before = client.get("/api/tasks/", headers=police).get_json()
    for query, status in (("assignee=a%00b", 422), ("role=police%00", 403)):
        response = client.get(f"/api/tasks/?{query}", headers=police)
        assert response.status_code == status, query
        assert "Traceback" not in response.get_data(as_text=True)
    assert "assignee" in client.get("/api/tasks/?assignee=a%00b",
                                    headers=police).get_json()["fields"]
    assert client.get("/api/tasks/", headers=police).get_json() == before
